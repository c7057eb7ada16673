"""Read a short follow-up ("那宁夏呢", "要啥条件", "利息多少") against the conversation's topic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.regions import RegionTable

_STARTS_FOLLOWUP = re.compile(r"^(那|那么|那要是|要是|还有|另外|这个|那个|这种|如果)")
_POINTS_BACK = re.compile(r"这个|这种|这样|这项|这些|那个|那种|我这|俺这|那边|这边|它|呢[？?。\s]*$")
_NOISE = re.compile(r"[\s\W_]+")


@dataclass(frozen=True)
class Resolved:
    """The question as the search should read it."""

    query: str  # what is searched: the question, plus the topic when it is a follow-up
    region: str | None  # the place the question names, else the conversation's
    followup: bool  # whether the topic was borrowed
    understood: str  # "" or one clause saying how the question was read


def resolve(
    question: str,
    topic: str | None,
    known_region: str | None,
    regions: RegionTable,
    max_chars: int,
    topic_chars: int,
) -> Resolved:
    """Resolve ``question`` against the conversation.

    Args:
        question: the message as typed.
        topic: the previous question (or its resolved form), None at the start of a conversation.
        known_region: the region the conversation has established.
        regions: the region table (to see a place named in the question).
        max_chars: a message this short (without the place and punctuation) is a follow-up.
        topic_chars: how much of the topic is borrowed.

    Returns:
        The query to search, the region, and a clause naming what was understood.
    """
    place = regions.find_in(question)
    region = place or known_region
    if not topic:
        return Resolved(question, region, False, "")
    core = _NOISE.sub("", question)
    points_back = _STARTS_FOLLOWUP.search(question.strip()) or _POINTS_BACK.search(question)
    followup = len(core) <= max_chars or points_back is not None
    if not followup:
        return Resolved(question, region, False, "")
    borrowed = topic[:topic_chars]
    where = f"{place}的情况" if place and place != known_region else ""
    understood = f"接着您刚才问的“{borrowed}”" + (f"，这里说{where}" if where else "")
    return Resolved(f"{question} {borrowed}", region, True, understood)
