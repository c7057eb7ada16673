"""What the conversation has established: its facts, those a message states, the context of a question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.lexicon import lexicon
from actions.messages import OFFER
from actions.parsing import parse_employment, parse_groups, parse_region, parse_situation
from actions.short_replies import parse_graduation

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


# The form's questions: every fact, and whether the family is a poor one (its answer goes into groups).
ASKED_SLOTS = (*FACT_SLOTS, "poverty")
POOR_GROUPS = ("poor_household", "low_income", "extreme_poverty", "poor_disabled_family")


def skipped_facts(tracker: Tracker) -> list[str]:
    """The facts the citizen declined to give, as the eligibility API knows them (a skipped ``poverty``
    question is the form's own, not a fact of the engine)."""
    return [name for name in tracker.get_slot("skipped_facts") or [] if name in FACT_SLOTS]


def facts_of(tracker: Tracker) -> dict[str, Any]:
    """Collect the facts the conversation has established so far, leaving out any value that is not
    (yet) in canonical form, e.g. raw text a slot received before its validation ran."""
    facts: dict[str, Any] = {}
    for name in FACT_SLOTS:
        value = tracker.get_slot(name)
        if name == "groups" and value is None:
            value = tracker.get_slot("heard_groups")  # heard before the form asked: stands until it does
        # an empty list of groups is the answer "none of these" ("都不是"): a fact, and groups' policies do not fit
        if value is not None and (value != [] or name == "groups") and is_canonical(name, value):
            facts[name] = value
    return facts


# Slots the form asks that are no fact of the eligibility engine ("您家是建档立卡贫困户或低保家庭吗": its yes
# adds a group): their kind is the form's own.
FORM_ONLY_KINDS = {"poverty": "bool"}


def is_canonical(name: str, value: Any) -> bool:
    """Whether ``value`` is in the canonical form of fact ``name`` (a known place or code, a number, a
    yes/no) rather than raw text a slot received before its validation ran."""
    fact = lexicon()["facts"].get(name)
    kind = fact["kind"] if fact else FORM_ONLY_KINDS.get(name)
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


def canonical_part(name: str, value: Any) -> Any:
    """Return ``value`` when it is in canonical form; of a groups list holding raw words beside codes
    (["打工人", "migrant_worker"]) the codes; otherwise None (raw text a slot mapping left is no value)."""
    if is_canonical(name, value):
        return value
    if name == "groups" and isinstance(value, list):
        return [v for v in value if v in lexicon()["group_labels"]] or None
    return None


def earlier_value(tracker: Tracker, slot: str) -> Any:
    """Return the value ``slot`` had before the latest message (its last slot event before that user
    event: the slots extracted from the message itself come after it), None if never set."""
    seen_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_message = True
        elif seen_message and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def last_known_region(tracker: Tracker) -> str | None:
    """The last region the conversation set that is a known place (None when there is none)."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "slot"
            and event.get("name") == "region"
            and is_canonical("region", event.get("value"))
        ):
            return str(event["value"])
    return None


def already_offered(tracker: Tracker) -> bool:
    """Whether the check was offered earlier in the conversation (it is offered once; the button stays
    in the answers' menu of the form results)."""
    return any(e.get("event") == "bot" and e.get("text") == OFFER for e in tracker.events)


def known_groups(tracker: Tracker) -> list[str]:
    """The asker's groups so far: the answered ones, else those heard before the form asked (``[]`` if none)."""
    for slot in ("groups", "heard_groups"):
        value = canonical_part("groups", tracker.get_slot(slot))
        if isinstance(value, list):
            return value
    return []


def groups_asked(tracker: Tracker) -> bool:
    """Whether the form has asked the groups question in this conversation."""
    return any(
        e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value") == "groups"
        for e in tracker.events
    )


def conversation_context(tracker: Tracker) -> dict[str, Any]:
    """The context /api/answer reads a question against: region, groups, facts, topic, previous question
    and the provision the previous answer led with."""
    return {
        "region": tracker.get_slot("region") if is_canonical("region", tracker.get_slot("region")) else None,
        "groups": known_groups(tracker),
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


def stated_facts(text: str, known_groups: Any = None) -> dict[str, Any]:
    """Every fact a message states ("我在深圳 去年刚毕业"): region, groups (added to the known ones),
    employment status and years since graduation."""
    found: dict[str, Any] = {}
    known_groups = canonical_part("groups", known_groups)  # raw words ("打工人") are not carried on
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
