"""The eligibility form: which fact to ask next, and a validator per fact that understands the natural answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.answers import answer_question
from actions.budgets import fact_budget, retry_or_skip, skip_fact
from actions.conversation import (
    ASKED_SLOTS,
    FACT_SLOTS,
    POOR_GROUPS,
    canonical_part,
    earlier_value,
    facts_of,
    groups_asked,
    is_canonical,
    known_groups,
    last_known_region,
    skipped_facts,
    stated_facts,
)
from actions.parsing import (
    COURTESY_INTENTS,
    employment_denied,
    hints_hardship,
    is_courtesy,
    is_skip,
    lexicon,
    looks_like_question,
    parse_bool,
    parse_employment,
    parse_first_business,
    parse_graduation,
    parse_groups,
    parse_region,
    parse_years,
    says_farming,
    says_no_group,
    says_no_more,
    work_negated,
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

NO_GROUP = "好的，您不属于这几类人员。"
FARMING = "好的，您在家务农，不算在职、未就业或创业，这一项先不按这三种看。"
FARMING_VALUE = "farming"  # an answer read as working one's own land: the status stays unknown

# The longest a working life can still run: from 16 to the highest legal retirement age (63).
YEARS_OF_WORK = 47

# Facts whose answer can be read from a message the NLU took for a question or a request.
ANSWER_READERS: dict[str, Callable[[str], Any]] = {
    "employment_status": lambda text: parse_employment(text) or (FARMING_VALUE if says_farming(text) else None),
    "business_first_time": parse_first_business,
}


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
        pending = [name for name in tracker.slots_to_validate() if name in ASKED_SLOTS and name not in skipped]
        facts = facts_of(tracker)
        if len(facts) + len(skipped) >= fact_budget(tracker) and not pending:
            return []  # enough to give a useful answer; the results offer "继续补充情况"
        try:
            body = api.eligibility(facts, skipped_facts(tracker))
        except api.ApiUnavailable:
            return pending
        following = (body.get("next_question") or {}).get("fact")
        # groups heard but not yet asked: asked first ("还属于哪类"), before what the engine proposes
        held = tracker.get_slot("heard_groups") and tracker.get_slot("groups") is None and "groups" not in skipped
        confirm = ["groups"] if held else []
        poverty = ["poverty"] if self._ask_poverty(tracker, skipped) else []
        return list(dict.fromkeys([*pending, *confirm, *poverty, *([following] if following in FACT_SLOTS else [])]))

    @staticmethod
    def _ask_poverty(tracker: Tracker, skipped: list[str]) -> bool:
        """Whether to ask "您家是建档立卡贫困户或低保家庭吗": the groups are answered, name no poor family,
        and the asker lives in the countryside or has spoken of hardship ("屋企好穷"). Several policies are
        for those families (求职创业补贴, 公益性岗位, 技能扶贫); a citizen rarely names the group unasked."""
        groups = tracker.get_slot("groups")
        if not isinstance(groups, list) or set(groups) & set(POOR_GROUPS):
            return False
        if tracker.get_slot("poverty") is not None or "poverty" in skipped:
            return False
        rural = bool(set(groups) & {"rural_resident", "relocated", "school_leaver"})
        said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
        return rural or any(hints_hardship(text) for text in said)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Besides the slot asked for, take every fact the message states ("我在深圳 去年刚毕业"); and clear
        raw text a slot mapping left in a fact before the form started (a group heard as "打工"), which the
        form would otherwise take as answered and never ask."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        fresh = set(tracker.slots_to_validate()) | {e["name"] for e in events if e.get("event") == "slot"}
        for name in FACT_SLOTS:
            value = tracker.get_slot(name)
            if name not in fresh and value is not None and not is_canonical(name, value):
                kept = canonical_part(name, value)  # groups keep their codes: ["打工人", "migrant_worker"]
                events.append(SlotSet(name, kept))
                tracker.slots[name] = kept
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
        misheard_courtesy = intent in COURTESY_INTENTS and not text.startswith("/") and not is_courtesy(text)
        if misheard_courtesy and requested in FACT_SLOTS and requested not in fresh:
            # "东莞南城 屋企就喺度" read as goodbye: no slot mapping takes it, and the form asked the same
            # question for ever; as an answer, its validator reads it (a hint, then a skip)
            events.append(SlotSet(requested, text))
        if text.startswith("/") or is_skip(text) or intent in QUESTION_INTENTS or intent == "dont_know":
            # A question mid-form sets nothing here, so the form rejects it and a rule answers it
            # (remembering the facts it states); then the form asks its question again.
            return list(events)
        already = {e["name"] for e in events if e.get("event") == "slot"}
        for name, value in stated_facts(text, known_groups(tracker)).items():
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
        if tracker.get_slot("requested_slot") != slot:
            return self._retry(slot, hint, dispatcher, tracker)  # not this question's answer: nothing said
        text = self._text(tracker)
        if looks_like_question(text):
            if not any(m.get("custom") for m in dispatcher.messages):  # answered once per message
                answer_question(text, tracker, dispatcher)
            return self._retry(slot, "", dispatcher, tracker)  # counts as a reply not understood
        return self._retry(slot, hint, dispatcher, tracker)

    def _retry(self, slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """Ask once more (with ``hint``, if any); the second time skip the fact: never a third time.

        A fact the form did not ask about is only mentioned in passing (an entity the NLU heard in the
        answer to another question: "没出去打工" answering 就业状态): its earlier value stands, and nothing
        is said or counted about it. Retrying it used to erase the groups already given and ask them again."""
        if tracker.get_slot("requested_slot") != slot:
            # raw text a slot mapping put there before the form started ("散工" heard as a group) is no
            # value: cleared, so the form asks the question instead of taking the slot as answered
            return {slot: canonical_part(slot, earlier_value(tracker, slot))}
        return {slot: None, **retry_or_skip(slot, hint, dispatcher, tracker)}

    def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_canonical("region", value):
            return {"region": value}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip("region", tracker)
        place = parse_region(str(value)) or parse_region(text)
        if place is None and tracker.get_slot("requested_slot") != "region":
            # a word the NLU took for a place in the answer to another question ("从西海固山里搬下来的"
            # answering 身份): no place learnt, the one known before kept, nothing asked about it
            return {"region": last_known_region(tracker)}
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
        earlier = canonical_part("groups", earlier_value(tracker, "groups")) or []
        heard = canonical_part("groups", tracker.get_slot("heard_groups")) or []
        known = list(dict.fromkeys([*heard, *earlier]))
        said = parse_groups(text)
        if is_canonical("groups", value):
            if not text.startswith("/"):  # typed, not a button
                # a group the NLU hears must be the asker's own: "老公打散工" said to 就业状态 is the husband's
                # 灵活就业, "唔系应届生" denies one (the text reading knows; the entity does not)
                entities = tracker.latest_message.get("entities") or []
                now = {e.get("value") for e in entities if e.get("entity") == "group"}
                value = [v for v in value if v not in now or v in known or v in said]
            return self._held({"groups": list(dict.fromkeys(known + value + said))}, tracker)
        if self._declined(tracker):
            # nothing more to say: the groups heard before stand as the answer
            return {"groups": known} if heard else self._skip("groups", tracker)
        codes = [v for v in (value if isinstance(value, list) else [value]) if v in lexicon()["group_labels"]]
        codes = list(dict.fromkeys(codes + said))
        if codes:
            return self._held({"groups": list(dict.fromkeys(known + codes))}, tracker)
        if tracker.get_slot("requested_slot") == "groups" and heard and says_no_more(text):
            return {"groups": known}  # "没有了": the groups heard are all
        if tracker.get_slot("requested_slot") == "groups" and says_no_group(text):
            # none of the groups offered: an answer, so no "没听明白"; what was known stands, else "none" (an
            # empty list: the policies for a group do not fit, and are neither asked about nor listed as open)
            dispatcher.utter_message(text=NO_GROUP)
            return {"groups": known}
        if set(stated_facts(text)) - {"groups"} and not looks_like_question(text):
            # "银川" answers another question: kept, and this one asked again (once)
            return self._retry("groups", "", dispatcher, tracker)
        return self._unclear("groups", "没听明白您的身份，可以点下面的按钮选择。", dispatcher, tracker)

    @staticmethod
    def _held(result: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
        """Groups heard before the form asked about them ("大专毕业" in the opening question, "我是退伍的"
        said to another question) are held in ``heard_groups`` so that the groups question is still asked
        once ("您提到的身份：高校毕业生。您还属于…"): a graduate from a 建档立卡 family was never asked, and the
        policies for that group never shown. They stand as the asker's groups meanwhile (``facts_of``)."""
        groups = result["groups"]
        asked = tracker.get_slot("requested_slot") == "groups" or groups_asked(tracker)
        if asked or not groups or "groups" in (tracker.get_slot("skipped_facts") or []):
            return result
        return {"groups": None, "heard_groups": groups}

    def validate_poverty(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "系建档立卡户" / "吃着低保" / "是" / "不是": the family's group joins the asker's groups."""
        if self._declined(tracker):
            return self._skip("poverty", tracker)
        groups = canonical_part("groups", tracker.get_slot("groups")) or []
        named = [g for g in parse_groups(self._text(tracker)) if g in POOR_GROUPS]
        if not named:
            answer = self._bool("poverty", value, dispatcher, tracker)
            if answer.get("poverty") is not True:
                return answer  # no, or not understood (asked once more, then skipped)
            named = ["poor_household"]  # the question names 建档立卡 first; 低保 has its own button
        return {"poverty": True, "groups": list(dict.fromkeys([*groups, *named]))}

    def validate_employment_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = self._text(tracker)
        if value == "employed" and work_negated(text):
            # "家里没一个上班的" names 上班 but says the opposite: no job when this is the question
            # asked, nothing learnt about the asker when another one is
            asked = tracker.get_slot("requested_slot") == "employment_status"
            return {"employment_status": "unemployed" if asked else earlier_value(tracker, "employment_status")}
        if isinstance(value, str) and employment_denied(text, value):
            # "不想做生意" said to another question: the extractor reads 做生意; the earlier answer stands
            if tracker.get_slot("requested_slot") != "employment_status":
                return {"employment_status": earlier_value(tracker, "employment_status")}
            value = None
        if is_canonical("employment_status", value):
            return {"employment_status": value}
        if self._declined(tracker):
            return self._skip("employment_status", tracker)
        status = value if value in ("unemployed", "employed", "self_employed") else parse_employment(text)
        asked = tracker.get_slot("requested_slot") == "employment_status"
        if status is None and asked and (value == FARMING_VALUE or says_farming(text)):
            return self._farming(dispatcher, tracker)
        if status is None:
            return self._unclear(
                "employment_status", "请问您现在是没有工作、在上班，还是自己在创业或做个体？", dispatcher, tracker
            )
        return {"employment_status": status}

    def _farming(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        """ "在家种地" answers the status question without being one of its three statuses: said back, the
        status left unknown and not asked again (never "没听明白"). Groups already answered gain 农村常住居民,
        which the rural policies ask about; groups not yet asked stay unasked-for, so the question still comes."""
        dispatcher.utter_message(text=FARMING)
        skipped = self._skip("employment_status", tracker)
        earlier = canonical_part("groups", earlier_value(tracker, "groups"))
        if isinstance(earlier, list):  # answered, "none of these" ([]) included
            return {**skipped, "groups": list(dict.fromkeys([*earlier, "rural_resident"]))}
        return skipped

    def validate_years_since_graduation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if is_canonical("years_since_graduation", value):
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
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        hint: str,
        most: float = 60,
    ) -> dict[str, Any]:
        """A number of years up to ``most``; anything else is a reply not understood (asked once more)."""
        if is_canonical(slot, value) and float(value) <= most:
            return {slot: float(value)}
        text = self._text(tracker)
        if self._declined(tracker):
            return self._skip(slot, tracker)
        years = parse_years(text)
        if years is None or years < 0 or years > most:
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
        # no one works more than 47 years before retiring: "55" is an age ("您今年多大" is not what was asked)
        hint = "请说一下离法定退休年龄还有几年（不是年龄），例如“还有五年”。"
        if "岁" in self._text(tracker):
            return self._unclear("years_to_retirement", hint, dispatcher, tracker)
        return self._years("years_to_retirement", value, dispatcher, tracker, hint, most=YEARS_OF_WORK)

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
        if is_canonical("employer_type", value):
            return {"employer_type": value}
        answer = self._bool("employer_type", value, dispatcher, tracker)
        if answer.get("employer_type") is True:
            return {"employer_type": "small_micro"}
        if answer.get("employer_type") is False:
            skipped = [*(tracker.get_slot("skipped_facts") or []), "employer_type"]
            return {"employer_type": None, "skipped_facts": skipped}
        return answer
