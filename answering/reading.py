"""How the composer read a question: what it asks, any route, the results, the region and the topic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from knowledge.questionkind import QuestionKind
from knowledge.routing import Route
from retrieval.search import SearchResult


@dataclass(frozen=True)
class Reading:
    """How a question was read: its kind, any route, the results, the region, topic and what was understood."""

    kind: QuestionKind
    route: Route | None
    results: list[SearchResult]
    region: str | None
    topic: str
    understood: str
    day: date  # the as-of date validity is judged on
    query: str = ""  # what was searched (the question, with the topic for a follow-up)
    ruled_out: frozenset[str] = frozenset()  # catalogue policies the asker's known facts rule out
    asked: str = ""  # the follow-up as typed, when the question was read against the topic
    lacked: frozenset[str] = frozenset()  # results whose condition the asker says they lack (no policy from them)
