"""Retrieval evaluation (SPEC §4): Recall@1/5/10 and MRR@10 per leg over a question file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from knowledge.textmatch import match_key
from retrieval.search import Searcher

LEG_SETS: dict[str, tuple[str, ...]] = {"bm25": ("bm25",), "dense": ("dense",), "hybrid": ("bm25", "dense")}


@dataclass(frozen=True)
class Question:
    """One evaluation question with the answers that count as found."""

    id: str
    question: str
    answers: list[str]
    region: str | None = None


@dataclass
class LegFigures:
    """The figures of one leg over a question set."""

    recall: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    misses: list[str] = field(default_factory=list)


def load_questions(path: Path) -> list[Question]:
    """Read a JSONL question file (``id``, ``question``, ``answers``, optional ``region``).

    Raises:
        ValueError: a line is not valid JSON or lacks a field (the message gives the line number).
    """
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(str(row["id"]), row["question"], list(row.get("answers", [])), row.get("region")))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path} 第 {number} 行格式错误：{exc}") from exc
    return questions


def rank_of_answer(texts: list[str], answers: list[str]) -> int | None:
    """Return the 1-based rank of the first text containing an answer (SPEC §4 normalisation), or None."""
    keys = [match_key(a) for a in answers if match_key(a)]
    for rank, text in enumerate(texts, start=1):
        normalised = match_key(text)
        if any(key in normalised for key in keys):
            return rank
    return None


def evaluate(
    searcher: Searcher,
    questions: list[Question],
    k: int = 10,
    legs: list[str] | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Run every question through each leg.

    Args:
        searcher: the searcher (its current index).
        questions: the question set.
        k: results considered.
        legs: which of bm25, dense, hybrid (default all).
        as_of: the day validity is judged on (default: the searcher's clock, today).

    Returns:
        ``{"questions": n, "k": k, "<leg>": {"R@1":…, "R@5":…, "R@10":…, "MRR@10":…, "misses": [ids]}}``.
    """
    figures: dict[str, Any] = {"questions": len(questions), "k": k}
    for leg in legs or list(LEG_SETS):
        ranks = []
        for q in questions:
            response = searcher.search(q.question, k=k, region=q.region, legs=LEG_SETS[leg], as_of=as_of)
            ranks.append(rank_of_answer([r.provision.text for r in response.results], q.answers))
        n = max(len(questions), 1)
        figures[leg] = {
            **{f"R@{c}": round(sum(1 for r in ranks if r is not None and r <= c) / n, 4) for c in (1, 5, 10)},
            "MRR@10": round(sum(1 / r for r in ranks if r is not None and r <= 10) / n, 4),
            "misses": [q.id for q, r in zip(questions, ranks, strict=True) if r is None or r > 5],
        }
    return figures
