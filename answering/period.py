"""How old a provision is, from the clock: a plan period that has ended, a deadline that has passed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from retrieval.ingest.models import DocumentMeta

# "到2020年", "2018年底前", "2017—2020年", "2020年前" — the last year a provision's measure names.
_YEAR_SPAN = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)年")
_DEADLINE = re.compile(r"(?:到|至|在)?(20\d\d)年(?:底|末)?(?:前|以前|之前|左右|)")


@dataclass(frozen=True)
class PeriodStatus:
    """Where a provision stands today."""

    ended: bool  # its plan period (or, without one, its latest deadline) lies before today
    text: str  # one clause for the citizen, e.g. "该规划期2016–2020年已结束"
    deadline: int | None = None  # the latest year the provision's text names, when it names one

    def as_json(self) -> dict[str, object]:
        """Return ``{"ended", "text", "deadline"}``."""
        return {"ended": self.ended, "text": self.text, "deadline": self.deadline}


def latest_year(text: str) -> int | None:
    """Return the latest year a provision names as a span end or deadline ("到2020年" → 2020), or None."""
    years = [int(b) for _, b in _YEAR_SPAN.findall(text)]
    years += [int(y) for y in _DEADLINE.findall(text)]
    return max(years) if years else None


def period_status(meta: DocumentMeta, text: str, today: date) -> PeriodStatus:
    """Say, relative to ``today``, whether the document's plan period or the provision's deadline has passed.

    Args:
        meta: the provision's document (its period and date).
        text: the provision's text (for deadlines such as "2018年底前").
        today: the date from the clock.

    Returns:
        A ``PeriodStatus`` whose ``text`` is one clause in Chinese.
    """
    deadline = latest_year(text)
    label = meta.plan_label
    if meta.period is not None:
        start, end = meta.period
        name = f"“{label}”规划期" if label else "规划期"
        if end < today.year:
            clause = f"{name}{start}–{end}年已结束"
            if deadline is not None and deadline < today.year and deadline != end:
                clause += f"，文中{deadline}年的期限也已过"
            return PeriodStatus(True, clause, deadline)
        return PeriodStatus(False, f"{name}{start}–{end}年，仍在规划期内", deadline)
    issued = int(meta.date[:4]) if meta.date else None
    if deadline is not None and deadline < today.year:
        return PeriodStatus(True, f"文中提出的是到{deadline}年的安排，该期限已过", deadline)
    if issued is not None and today.year - issued >= 2:
        return PeriodStatus(True, f"文件发布于{issued}年，距今已过{today.year - issued}年，是当时提出的安排", deadline)
    return PeriodStatus(False, f"文件发布于{issued}年" if issued else "文件日期不详", deadline)
