"""Custom actions: answer a policy question, run the eligibility form, report what fits, hand off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.messages import HUMAN, HUMAN_BUTTONS, OFFER, composed_messages, eligibility_messages
from actions.parsing import (
    accepts_offer,
    asks_for_person,
    employment_denied,
    is_real_question,
    is_skip,
    lexicon,
    looks_like_question,
    parse_bool,
    parse_employment,
    parse_first_business,
    parse_graduation,
    parse_groups,
    parse_region,
    parse_situation,
    parse_years,
    question_besides_handoff,
    wants_eligibility_check,
    work_negated,
)

SKIPPED = "这个问题先跳过，不影响查看其他政策。"
FACT_SLOTS = (
    "region",
    "groups",
    "employment_status",
    "years_since_graduation",
    "business_first_time",
    "business_operating_years",
    "unemployment_insurance_years",
    "certificate_this_year",
    "years_to_retirement",
    "overcapacity_industry",
    "labor_contract",
    "grassroots_job",
    "enlisting",
    "employer_type",
)


def facts_of(tracker: Tracker) -> dict[str, Any]:
    """Collect the facts the conversation has established so far, leaving out any value that is not
    (yet) in canonical form, e.g. raw text a slot received before its validation ran."""
    facts: dict[str, Any] = {}
    for name in FACT_SLOTS:
        value = tracker.get_slot(name)
        if value is not None and value != [] and _canonical(name, value):
            facts[name] = value
    return facts


def _canonical(name: str, value: Any) -> bool:
    kind = lexicon()["facts"][name]["kind"]
    if name == "region":
        return isinstance(value, str) and value in lexicon()["places"]
    if name == "groups":
        return isinstance(value, list) and all(v in lexicon()["group_labels"] for v in value)
    if name == "employment_status":
        return bool(value in lexicon()["employment_labels"])
    if name == "employer_type":
        return bool(value == "small_micro")
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    return False


def _send(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        dispatcher.utter_message(
            text=message.get("text"), buttons=message.get("buttons", []), json_message=message.get("custom")
        )


# Intents of a message that is not an answer to the form's question (mirrors the domain's &questions
# list, which keeps their entities out of the slots): the form rejects it, a rule answers it, and the
# form resumes. A test checks the two lists agree.
QUESTION_INTENTS = frozenset(
    {
        "bot_challenge",
        "request_human",
        "ask_policy",
        "ask_graduate_subsidy",
        "ask_startup_loan",
        "ask_flexible_insurance",
        "out_of_scope",
        "feedback",
    }
)

# Facts whose answer can be read from a message the NLU took for a question or a request.
ANSWER_READERS: dict[str, Callable[[str], Any]] = {
    "employment_status": parse_employment,
    "business_first_time": parse_first_business,
}

MAX_FACTS_PER_FORM = 7
MORE_FACTS_PER_ROUND = 4


def fact_budget(tracker: Tracker) -> int:
    """How many facts the form gathers before giving results: seven, and four more after each
    time results were shown (the user pressed "继续补充情况" to be asked further)."""
    shown = sum(1 for e in tracker.events if e.get("event") == "action" and e.get("name") == "action_check_eligibility")
    return MAX_FACTS_PER_FORM + MORE_FACTS_PER_ROUND * shown


class ActionAnswerQuestion(Action):
    """Answer the question first, from the knowledge base (the composer decides what an answer is), remember
    the topic and the facts it states, and offer the eligibility check."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        if question.startswith("/"):
            dispatcher.utter_message(text="请直接输入您想问的政策问题，例如“毕业两年了还能领见习补贴吗”。")
            return []
        offer = tracker.active_loop_name is None and not already_offered(tracker)
        events = answer_question(question, tracker, dispatcher, offer) + facts_stated(question, tracker)
        return events + interruption_budget(tracker, dispatcher) + back_to_form(tracker)


def back_to_form(tracker: Tracker) -> list[EventType]:
    """In the middle of the form, hand back to it after the answer. The answer also runs when no rule
    covers a message the form rejected (the policies' fallback, e.g. a reply the NLU took for "我能申请什么");
    without this the same message was answered again and again until Rasa's circuit breaker tripped."""
    return [FollowupAction("eligibility_form")] if tracker.active_loop_name == "eligibility_form" else []


def interruption_budget(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """A message answered as a question in the middle of the form counts as a reply the form did not
    understand: the first time its question is asked again, the second time it is skipped ("打点零工" read
    as a question must not bring the same form question back for ever)."""
    slot = tracker.get_slot("requested_slot")
    if tracker.active_loop_name != "eligibility_form" or slot not in FACT_SLOTS:
        return []
    return [SlotSet(name, value) for name, value in retry_or_skip(slot, "", dispatcher, tracker).items()]


def skip_fact(slot: str, tracker: Tracker) -> dict[str, Any]:
    """The slot values that leave ``slot`` unknown and never ask it again."""
    skipped = list(tracker.get_slot("skipped_facts") or [])
    if slot not in skipped:
        skipped.append(slot)
    return {slot: None, "skipped_facts": skipped}


def retry_or_skip(slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The form's one retry: ask once more (with ``hint``, if any); the second time skip the fact with a
    note. Returns the slot values to set; never a third time."""
    retried = list(tracker.get_slot("retried_facts") or [])
    if slot in retried:
        dispatcher.utter_message(text=SKIPPED)
        return {**skip_fact(slot, tracker), "retried_facts": retried}
    if hint:
        dispatcher.utter_message(text=hint)
    return {"retried_facts": [*retried, slot]}


SMALL_TALK = {"bot_challenge": "utter_iamabot", "feedback": "utter_feedback"}


class ActionSmallTalk(Action):
    """Answer "are you a robot" or feedback with its response, unless the message is really a policy
    question the NLU misheard ("现在全国的失业率是多少 是不是百分之五点二"): then it is answered."""

    def name(self) -> str:
        return "action_small_talk"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and is_real_question(text):
            offer = not already_offered(tracker)
            return answer_question(text, tracker, dispatcher, offer) + facts_stated(text, tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=SMALL_TALK.get(str(intent), "utter_feedback"))
        return []


class ActionTriageRequest(Action):
    """Tell a bare request for the eligibility check ("我能申请什么", the button) from a question that happens
    to mention applying ("退伍军人能申请创业贷款吗"): the first starts the form, the second is answered.
    After the offer, a yes starts it and a follow-up the NLU took for a yes ("那银川呢") is answered."""

    def name(self) -> str:
        return "action_triage_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
            return [SlotSet("wants_check", accepts_offer(text))]  # a yes to the offer, or a follow-up
        return [SlotSet("wants_check", wants_eligibility_check(text))]


def _earlier(tracker: Tracker, slot: str) -> Any:
    """Return the value ``slot`` had before the latest message (its last slot event before that user
    event: the slots extracted from the message itself come after it), None if never set."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def already_offered(tracker: Tracker) -> bool:
    """Whether the check was offered earlier in the conversation (it is offered once; the button stays
    in the answers' menu of the form results)."""
    return any(e.get("event") == "bot" and e.get("text") == OFFER for e in tracker.events)


def conversation_context(tracker: Tracker) -> dict[str, Any]:
    """The context /api/answer reads a question against: region, groups, facts, topic, previous question
    and the provision the previous answer led with."""
    return {
        "region": tracker.get_slot("region") if _canonical("region", tracker.get_slot("region")) else None,
        "groups": tracker.get_slot("groups") if _canonical("groups", tracker.get_slot("groups")) else [],
        "facts": facts_of(tracker),
        "topic": tracker.get_slot("topic"),
        "previous_question": tracker.get_slot("previous_question"),
        "previous_provision": tracker.get_slot("previous_provision"),
    }


def with_stated_facts(context: dict[str, Any], question: str) -> dict[str, Any]:
    """The context with the facts the question itself states ("刚上班半年", "我是退伍的") added, by the
    rule ``facts_stated`` keeps them with (the place is read by the composer)."""
    facts = dict(context.get("facts") or {})
    groups = context.get("groups") or facts.get("groups") or []
    new = new_facts(question, {**facts, "groups": groups}.get)
    new.pop("region", None)
    facts.update(new)
    return {**context, "groups": facts.pop("groups", groups), "facts": facts}


def answer_question(
    question: str, tracker: Tracker, dispatcher: CollectingDispatcher, offer: bool = False
) -> list[EventType]:
    """Answer a question with the composed reply (lead, source, related provision), or say why not.

    Returns:
        The events that remember the conversation's topic for the next follow-up.
    """
    try:
        body = api.answer(question, with_stated_facts(conversation_context(tracker), question))
    except api.ApiUnavailable:
        dispatcher.utter_message(text=api.UNAVAILABLE)
        return []
    if "error" in body:
        dispatcher.utter_message(text=body["error"])
        return []
    _send(dispatcher, composed_messages(body, offer))
    events: list[EventType] = [SlotSet("previous_question", question)]
    if body.get("topic"):
        events.append(SlotSet("topic", body["topic"]))
    provisions = body.get("provisions") or []
    if provisions and provisions[0].get("id"):
        events.append(SlotSet("previous_provision", provisions[0]["id"]))
    # "长沙的 …": the composer knows every place in China; the conversation keeps it for later answers
    region = body.get("region")
    if region and not _canonical("region", tracker.get_slot("region")) and _canonical("region", region):
        events.append(SlotSet("region", region))
    return events


def stated_facts(text: str, known_groups: Any = None) -> dict[str, Any]:
    """Every fact a message states ("我在深圳 去年刚毕业"): region, groups (added to the known ones),
    employment status and years since graduation."""
    found: dict[str, Any] = {}
    place = parse_region(text)
    if place:
        found["region"] = place
    groups = parse_groups(text)
    if groups:
        known = known_groups if isinstance(known_groups, list) else []
        found["groups"] = list(dict.fromkeys(known + groups))
    status = parse_employment(text)
    if status:
        found["employment_status"] = status
    if "毕业" in text or "应届" in text:
        years = parse_graduation(text)
        if years is not None:
            found["years_since_graduation"] = years
    situation = parse_situation(text)
    for code in situation.pop("groups", []):
        before = found.get("groups", known_groups if isinstance(known_groups, list) else [])
        found["groups"] = list(dict.fromkeys([*before, code]))
    found.update(situation)
    return found


def new_facts(text: str, known: Callable[[str], Any]) -> dict[str, Any]:
    """The facts ``text`` states that add to those ``known`` (a fact's value, or None): groups join the
    known ones, any other fact only where it is not known yet (never overwritten)."""
    groups = known("groups")
    return {
        name: value
        for name, value in stated_facts(text, groups).items()
        if (value != groups if name == "groups" else known(name) is None)
    }


def facts_stated(text: str, tracker: Tracker) -> list[EventType]:
    """Remember the facts a question states ("毕业一年了…在深圳…"), so a later eligibility check
    does not ask for them again; facts already known are not overwritten (new groups are added)."""
    return [SlotSet(name, value) for name, value in new_facts(text, tracker.get_slot).items()]


class ActionCheckEligibility(Action):
    """Tell the citizen which policies fit what they told us, and what is still open."""

    def name(self) -> str:
        return "action_check_eligibility"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            body = api.eligibility(facts_of(tracker), tracker.get_slot("skipped_facts") or [])
        except api.ApiUnavailable:
            dispatcher.utter_message(text=api.UNAVAILABLE)
            return []
        if "error" in body:
            dispatcher.utter_message(text=f"您提供的情况有误：{body['error']}")
            return []
        _send(dispatcher, eligibility_messages(body, lexicon()))
        return []


class ActionHumanHandoff(Action):
    """Point to 12333 and the local 人社 office, after answering any policy question the message also asks."""

    def name(self) -> str:
        return "action_human_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and not asks_for_person(text):
            # the NLU heard a request for a person in a message that names none: it is a question
            return answer_question(text, tracker, dispatcher, offer=True) + facts_stated(text, tracker)
        question = question_besides_handoff(text)
        events: list[EventType] = []
        if question:  # "灵活就业怎么交养老保险 能转人工吗": the answer first, then the way to a person
            events = answer_question(question, tracker, dispatcher)
        hours = api.office_hours()
        dispatcher.utter_message(text=HUMAN + (f"人工坐席时间：{hours}。" if hours else ""), buttons=HUMAN_BUTTONS)
        return events


def _last_known_region(tracker: Tracker) -> str | None:
    """The last region the conversation set that is a known place (None when there is none)."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "region" and _canonical("region", event.get("value")):
            return str(event["value"])
    return None


class ValidateEligibilityForm(FormValidationAction):
    """Ask first what the engine says decides most; stop when the answer is settled."""

    def name(self) -> str:
        return "validate_eligibility_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # Slots filled from this turn's message are validated first (rasa-sdk only validates slots
        # listed here); then the engine picks the next question from the facts established so far.
        skipped = tracker.get_slot("skipped_facts") or []
        pending = [name for name in tracker.slots_to_validate() if name in FACT_SLOTS and name not in skipped]
        facts = facts_of(tracker)
        if len(facts) + len(skipped) >= fact_budget(tracker) and not pending:
            return []  # enough to give a useful answer; the results offer "继续补充情况"
        try:
            body = api.eligibility(facts, skipped)
        except api.ApiUnavailable:
            return pending
        following = (body.get("next_question") or {}).get("fact")
        return list(dict.fromkeys([*pending, *([following] if following in FACT_SLOTS else [])]))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Besides the slot asked for, take every fact the message states ("我在深圳 去年刚毕业")."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        requested = tracker.get_slot("requested_slot")
        misread = intent in QUESTION_INTENTS or intent == "check_eligibility"
        if misread and not looks_like_question(text) and requested in ANSWER_READERS:
            # an answer the NLU took for a request ("未开始，想返乡做酒" read as check_eligibility): taken as
            # the answer when it reads as one, so the form does not answer it as a question
            value = ANSWER_READERS[requested](text)
            if value is not None:
                return [*events, SlotSet(requested, value)]
        if text.startswith("/") or is_skip(text) or intent in QUESTION_INTENTS or intent == "dont_know":
            # A question mid-form sets nothing here, so the form rejects it and a rule answers it
            # (remembering the facts it states); then the form asks its question again.
            return list(events)
        already = {e["name"] for e in events if e.get("event") == "slot"}
        for name, value in stated_facts(text, tracker.get_slot("groups")).items():
            if name not in already and name != tracker.get_slot("requested_slot"):
                events.append(SlotSet(name, value))
                tracker.slots[name] = value
        return list(events)

    # --- one validator per fact: understand the natural answer, re-ask with a hint when unclear ---
    # A value already in its canonical form (a number, a yes/no, a known place or code) was known before
    # the form asked: stated in an earlier question, or filled before the form started. It is kept as it
    # is; re-reading it from the message that started the form ("那我能申请哪些政策") lost it.
    def _skip(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        return skip_fact(slot, tracker)

    def _text(self, tracker: Tracker) -> str:
        return tracker.latest_message.get("text") or ""

    def _declined(self, tracker: Tracker) -> bool:
        """The citizen does not know or will not say ("跳过", "没印象了", "这个保密"): skip the fact."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return is_skip(self._text(tracker)) or intent == "dont_know"

    def _unclear(self, slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """The message does not answer the question asked. If it is a policy question the NLU did not
        recognise as one ("那创业担保贷款去哪申请啊" read as an answer), answer it; otherwise give the
        hint. Either way the form asks its question again."""
        text = self._text(tracker)
        if looks_like_question(text):
            if not any(m.get("custom") for m in dispatcher.messages):  # answered once per message
                answer_question(text, tracker, dispatcher)
            return self._retry(slot, "", dispatcher, tracker)  # counts as a reply not understood
        return self._retry(slot, hint, dispatcher, tracker)

    def _retry(self, slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Ask once more (with ``hint``, if any); the second time skip the fact: never a third time."""
        return {slot: None, **retry_or_skip(slot, hint, dispatcher, tracker)}

    def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _canonical("region", value):
            return {"region": value}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip("region", tracker)
        place = parse_region(str(value)) or parse_region(text)
        if place is None and tracker.get_slot("requested_slot") != "region":
            # a word the NLU took for a place in the answer to another question ("从西海固山里搬下来的"
            # answering 身份): no place learnt, the one known before kept, nothing asked about it
            return {"region": _last_known_region(tracker)}
        if place is None:
            return self._unclear(
                "region", "没听明白是哪个地方，请说省或城市的名字，例如“深圳”“银川”“临清”。", dispatcher, tracker
            )
        return {"region": place}

    def validate_groups(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self._text(tracker)
        # groups add up over the conversation: a group the extractor hears now does not replace the earlier ones
        earlier = _earlier(tracker, "groups")
        known = [g for g in earlier if isinstance(g, str)] if isinstance(earlier, list) else []
        if _canonical("groups", value):
            return {"groups": list(dict.fromkeys(known + value + parse_groups(text)))}
        if self._declined(tracker):
            return self._skip("groups", tracker)
        codes = [v for v in (value if isinstance(value, list) else [value]) if v in lexicon()["group_labels"]]
        codes = list(dict.fromkeys(codes + parse_groups(text)))
        if codes:
            return {"groups": list(dict.fromkeys(known + codes))}
        if set(stated_facts(text)) - {"groups"} and not looks_like_question(text):
            # "银川" answers another question: kept, and this one asked again (once)
            return self._retry("groups", "", dispatcher, tracker)
        return self._unclear("groups", "没听明白您的身份，可以点下面的按钮选择。", dispatcher, tracker)

    def validate_employment_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self._text(tracker)
        if value == "employed" and work_negated(text):
            # "家里没一个上班的" names 上班 but says the opposite: no job when this is the question
            # asked, nothing learnt about the asker when another one is
            asked = tracker.get_slot("requested_slot") == "employment_status"
            return {"employment_status": "unemployed" if asked else _earlier(tracker, "employment_status")}
        if isinstance(value, str) and employment_denied(text, value):
            # "不想做生意" said to another question: the extractor reads 做生意; the earlier answer stands
            if tracker.get_slot("requested_slot") != "employment_status":
                return {"employment_status": _earlier(tracker, "employment_status")}
            value = None
        if _canonical("employment_status", value):
            return {"employment_status": value}
        if self._declined(tracker):
            return self._skip("employment_status", tracker)
        status = value if value in ("unemployed", "employed", "self_employed") else parse_employment(text)
        if status is None:
            return self._unclear(
                "employment_status", "请问您现在是没有工作、在上班，还是自己在创业或做个体？", dispatcher, tracker
            )
        return {"employment_status": status}

    def validate_years_since_graduation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _canonical("years_since_graduation", value):
            return {"years_since_graduation": float(value)}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip("years_since_graduation", tracker)
        years = parse_graduation(text)
        if years is None or years < 0 or years > 60:
            return self._unclear(
                "years_since_graduation",
                "请告诉我您哪年毕业，或毕业几年了，例如“2024年毕业”“毕业两年了”“今年刚毕业”。",
                dispatcher,
                tracker,
            )
        return {"years_since_graduation": years}

    def _years(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, hint: str
    ) -> dict[str, Any]:
        if _canonical(slot, value):
            return {slot: float(value)}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip(slot, tracker)
        years = parse_years(text)
        if years is None or years < 0 or years > 60:
            return self._unclear(slot, hint, dispatcher, tracker)
        return {slot: years}

    def validate_business_operating_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._years(
            "business_operating_years", value, dispatcher, tracker, "请说一下已经经营多久了，例如“一年多”“半年”。"
        )

    def validate_unemployment_insurance_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._years(
            "unemployment_insurance_years",
            value,
            dispatcher,
            tracker,
            "请说一下交失业保险多少年了，例如“三年”“两年半”。",
        )

    def validate_years_to_retirement(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._years(
            "years_to_retirement", value, dispatcher, tracker, "请说一下离法定退休年龄还有几年，例如“五年”。"
        )

    def _bool(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if isinstance(value, bool):
            return {slot: value}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip(slot, tracker)
        intent = tracker.latest_message.get("intent", {}).get("name")
        answer = True if intent == "affirm" else False if intent == "deny" else None
        if answer is None and looks_like_question(text):
            return self._unclear(slot, "", dispatcher, tracker)  # "有" or "不" inside a question is no answer
        if answer is None:
            answer = parse_bool(text)
        if answer is None:
            return self._unclear(slot, "没听明白，请回答“是”或“不是”，不清楚可以说“跳过”。", dispatcher, tracker)
        return {slot: answer}

    def validate_business_first_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not isinstance(value, bool) and (first := parse_first_business(self._text(tracker))) is not None:
            return {"business_first_time": first}
        return self._bool("business_first_time", value, dispatcher, tracker)

    def validate_certificate_this_year(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._bool("certificate_this_year", value, dispatcher, tracker)

    def validate_overcapacity_industry(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._bool("overcapacity_industry", value, dispatcher, tracker)

    def validate_labor_contract(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._bool("labor_contract", value, dispatcher, tracker)

    def validate_grassroots_job(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not isinstance(value, bool) and not self._declined(tracker):
            place = parse_region(self._text(tracker))
            if place is not None and tracker.get_slot("requested_slot") == "grassroots_job":
                region = str(lexicon()["places"].get(place) or place)
                if any(region.startswith(p) for p in lexicon()["central_western"]):
                    return {"grassroots_job": True}  # "在宁夏固原": 中西部地区 answers it
                return self._retry(
                    "grassroots_job",
                    f"{place}不属于中西部地区；如果您在城乡基层或中小微企业工作，请回答“是”，否则回答“不是”。",
                    dispatcher,
                    tracker,
                )
        return self._bool("grassroots_job", value, dispatcher, tracker)

    def validate_enlisting(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._bool("enlisting", value, dispatcher, tracker)

    def validate_employer_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _canonical("employer_type", value):
            return {"employer_type": value}
        answer = self._bool("employer_type", value, dispatcher, tracker)
        if answer.get("employer_type") is True:
            return {"employer_type": "small_micro"}
        if answer.get("employer_type") is False:
            skipped = [*(tracker.get_slot("skipped_facts") or []), "employer_type"]
            return {"employer_type": None, "skipped_facts": skipped}
        return answer


GROUP_BUTTONS = (
    "graduate",
    "migrant_worker",
    "platform_worker",
    "flexible_worker",
    "veteran",
    "hard_to_employ",
    "disabled",
    "poor_household",
    "enterprise_employee",
    "woman",
)


def _ask_action(slot: str) -> type:
    """Make the action that asks for one fact (``action_ask_<slot>``), worded as in knowledge/facts.py."""

    class AskFact(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
            spec = lexicon()["facts"][slot]
            buttons: list[dict[str, Any]] = []
            if spec["kind"] == "bool" or slot == "employer_type":
                buttons = [
                    {"title": "是", "payload": "/affirm"},
                    {"title": "不是", "payload": "/deny"},
                    {"title": "不清楚", "payload": "/dont_know"},
                ]
            elif slot == "groups":
                labels = lexicon()["group_labels"]
                buttons = [
                    {"title": labels[code].split("（")[0], "payload": f'/inform{{"group":"{code}"}}'}
                    for code in GROUP_BUTTONS
                ]
            elif slot == "employment_status":
                buttons = [
                    {"title": label, "payload": f'/inform{{"employment_status":"{code}"}}'}
                    for code, label in lexicon()["employment_labels"].items()
                ]
            dispatcher.utter_message(text=f"{spec['question']}（不想回答可以说“跳过”）", buttons=buttons)
            return []

    AskFact.__name__ = AskFact.__qualname__ = "ActionAsk" + "".join(part.title() for part in slot.split("_"))
    return AskFact


ASK_ACTIONS = [_ask_action(slot) for slot in FACT_SLOTS]
