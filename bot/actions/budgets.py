"""The eligibility form's budgets: facts per round, one retry per question (then a skip), back to it after an answer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ASKED_SLOTS

SKIPPED = "这个问题先跳过，不影响查看其他政策。"
MAX_FACTS_PER_FORM = 7
MORE_FACTS_PER_ROUND = 4


def fact_budget(tracker: Tracker) -> int:
    """How many facts the form gathers before giving results: seven, and four more after each
    time results were shown (the user pressed "继续补充情况" to be asked further)."""
    shown = sum(1 for e in tracker.events if e.get("event") == "action" and e.get("name") == "action_check_eligibility")
    return MAX_FACTS_PER_FORM + MORE_FACTS_PER_ROUND * shown


def back_to_form(tracker: Tracker) -> list[EventType]:
    """In the middle of the form, hand back to it after the answer. The answer also runs when no rule
    covers a message the form rejected (the policies' fallback, e.g. a reply the NLU took for "我能申请什么");
    without this the same message was answered again and again until Rasa's circuit breaker tripped."""
    return [FollowupAction("eligibility_form")] if tracker.active_loop_name == "eligibility_form" else []


def interruption_budget(tracker: Tracker, dispatcher: CollectingDispatcher, hint: str = "") -> list[EventType]:
    """A message answered as a question in the middle of the form counts as a reply the form did not
    understand: the first time its question is asked again (after ``hint``, if any), the second time it is
    skipped ("打点零工" read as a question must not bring the same form question back for ever).

    Returns:
        The slot events of that retry or skip; none outside the form.
    """
    slot = tracker.get_slot("requested_slot")
    if tracker.active_loop_name != "eligibility_form" or slot not in ASKED_SLOTS:
        return []
    return [SlotSet(name, value) for name, value in retry_or_skip(slot, hint, dispatcher, tracker).items()]


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
