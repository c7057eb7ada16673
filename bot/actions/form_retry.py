"""How the eligibility form's validators treat a reply: declined (the fact skipped), not understood (a policy
question answered, or a hint given), asked once more and then skipped; years and yes/no read that way."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_question
from actions.budgets import retry_or_skip, skip_fact
from actions.conversation import canonical_part, earlier_value, is_canonical
from actions.message_kinds import looks_like_question
from actions.short_replies import is_skip, parse_bool, parse_years


def reply_text(tracker: Tracker) -> str:
    """Return the text of the latest message ("" when it has none)."""
    return tracker.latest_message.get("text") or ""


def declined(tracker: Tracker) -> bool:
    """The citizen does not know or will not say ("跳过", "没印象了", "这个保密"): skip the fact.

    Returns:
        True when the reply declines (skip words, or the NLU's dont_know).
    """
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return is_skip(reply_text(tracker)) or intent == "dont_know"


def unclear(slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """The message does not answer the question asked. If it is a policy question the NLU did not
    recognise as one ("那创业担保贷款去哪申请啊" read as an answer), answer it; otherwise give the
    hint. Either way the form asks its question again.

    Returns:
        The slot values of the retry (or skip), as ``retry`` gives them.
    """
    if tracker.get_slot("requested_slot") != slot:
        return retry(slot, hint, dispatcher, tracker)  # not this question's answer: nothing said
    text = reply_text(tracker)
    if looks_like_question(text):
        if not any(m.get("custom") for m in dispatcher.messages):  # answered once per message
            answer_question(text, tracker, dispatcher)
        return retry(slot, "", dispatcher, tracker)  # counts as a reply not understood
    return retry(slot, hint, dispatcher, tracker)


def retry(slot: str, hint: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """Ask once more (with ``hint``, if any); the second time skip the fact: never a third time.

    A fact the form did not ask about is only mentioned in passing (an entity the NLU heard in the
    answer to another question: "没出去打工" answering 就业状态): its earlier value stands, and nothing
    is said or counted about it. Retrying it used to erase the groups already given and ask them again.

    Returns:
        The slot values to set: the earlier value of a fact not asked; else the slot cleared with the
        retry or the skip.
    """
    if tracker.get_slot("requested_slot") != slot:
        # raw text a slot mapping put there before the form started ("散工" heard as a group) is no
        # value: cleared, so the form asks the question instead of taking the slot as answered
        return {slot: canonical_part(slot, earlier_value(tracker, slot))}
    return {slot: None, **retry_or_skip(slot, hint, dispatcher, tracker)}


def read_years(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    hint: str,
    most: float = 60,
) -> dict[str, Any]:
    """A number of years up to ``most``; anything else is a reply not understood (asked once more).

    Returns:
        The slot values to set: the years, or the skip or retry.
    """
    if is_canonical(slot, value) and float(value) <= most:
        return {slot: float(value)}
    text = reply_text(tracker)
    if declined(tracker):
        return skip_fact(slot, tracker)
    years = parse_years(text)
    if years is None or years < 0 or years > most:
        return unclear(slot, hint, dispatcher, tracker)
    return {slot: years}


def read_bool(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """A yes or no: a button, the NLU's affirm or deny, or the words of the reply ("签了", "没签").

    Returns:
        The slot values to set: the answer, or the skip or retry.
    """
    if isinstance(value, bool):
        return {slot: value}
    text = reply_text(tracker)
    if declined(tracker):
        return skip_fact(slot, tracker)
    intent = tracker.latest_message.get("intent", {}).get("name")
    answer = True if intent == "affirm" else False if intent == "deny" else None
    if answer is None and looks_like_question(text):
        return unclear(slot, "", dispatcher, tracker)  # "有" or "不" inside a question is no answer
    if answer is None:
        answer = parse_bool(text)
    if answer is None:
        return unclear(slot, "没听明白，请回答“是”或“不是”，不清楚可以说“跳过”。", dispatcher, tracker)
    return {slot: answer}
