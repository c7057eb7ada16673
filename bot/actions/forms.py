"""The eligibility form's validation action: which fact to ask next, and what a message fills. The validator
per fact that understands the natural answer comes from ``form_groups`` and ``form_facts``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.budgets import fact_budget
from actions.conversation import (
    ASKED_SLOTS,
    FACT_SLOTS,
    canonical_part,
    facts_of,
    is_canonical,
    known_groups,
    skipped_facts,
    stated_facts,
)
from actions.form_facts import FARMING_VALUE, FactsValidation
from actions.form_groups import GroupsValidation, ask_poverty
from actions.message_kinds import COURTESY_INTENTS, is_courtesy, looks_like_question
from actions.parsing import parse_employment, says_farming
from actions.short_replies import is_skip, parse_first_business

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
    "employment_status": lambda text: parse_employment(text) or (FARMING_VALUE if says_farming(text) else None),
    "business_first_time": parse_first_business,
}


class ValidateEligibilityForm(GroupsValidation, FactsValidation, FormValidationAction):
    """Ask first what the engine says decides most; stop when the answer is settled. rasa-sdk finds the
    ``validate_<slot>`` methods by name on the mixins (groups and poverty, the single facts)."""

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
        poverty = ["poverty"] if ask_poverty(tracker, skipped) else []
        return list(dict.fromkeys([*pending, *confirm, *poverty, *([following] if following in FACT_SLOTS else [])]))

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
