"""How old a provision is on a given day, from the validity data ingestion stored: the document's
status (废止, 被替代, 到期 — ``DocumentMeta.status_on``), its plan period, and the provision's own deadline
(``Provision.deadline``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from retrieval.ingest.metadata import PLAN_PERIODS
from retrieval.ingest.models import DocStatus, DocumentMeta, Provision
from retrieval.ingest.validity import latest_year, provision_deadline

__all__ = ["PeriodStatus", "latest_year", "named_plan_status", "period_status"]


@dataclass(frozen=True)
class PeriodStatus:
    """Where a provision stands on the day asked about."""

    ended: bool  # its plan period (or, without one, its latest deadline) lies before that day
    text: str  # one clause for the citizen, e.g. "该规划期2016–2020年已结束"
    deadline: int | None = None  # the latest year the provision's text names, when it names one
    status: DocStatus | None = None  # the document's status that day (现行, 已到期, 已废止, 被《…》替代)

    def as_json(self) -> dict[str, object]:
        """Return ``{"ended", "text", "deadline", "status"}`` (status: the document's, see ``DocStatus``)."""
        return {
            "ended": self.ended,
            "text": self.text,
            "deadline": self.deadline,
            "status": self.status.as_json() if self.status else None,
        }


def period_status(meta: DocumentMeta, provision: Provision | str, today: date) -> PeriodStatus:
    """Say, relative to ``today``, whether the document still holds and the provision's deadline has passed.

    Args:
        meta: the provision's document (its validity facts, period and date).
        provision: the provision (its stored ``deadline``), or a provision's text (the deadline is read from it).
        today: the as-of date (from the clock, or asked for).

    Returns:
        A ``PeriodStatus`` whose ``text`` is one clause in Chinese.
    """
    due = provision_deadline(provision) if isinstance(provision, str) else provision.deadline
    deadline = int(due[:4]) if due else None
    status = meta.status_on(today)
    if status.code in ("已废止", "被替代"):
        return PeriodStatus(True, f"该文件{status.label}", deadline, status)
    if status.code == "未施行":
        return PeriodStatus(False, f"该文件当时尚未施行（{status.reason}）", deadline, status)
    label = meta.plan_label
    if meta.period is not None:
        start, end = meta.period
        name = f"“{label}”规划期" if label else "规划期"
        if end < today.year:
            clause = f"{name}{start}–{end}年已结束"
            if deadline is not None and deadline < today.year and deadline != end:
                clause += f"，文中{deadline}年的期限也已过"
            return PeriodStatus(True, clause, deadline, status)
        return PeriodStatus(False, f"{name}{start}–{end}年，仍在规划期内", deadline, status)
    if meta.expiry is not None and status.code in ("现行", "已到期"):
        clause = status.reason
        if due is not None and date.fromisoformat(due) < today and due[:4] != meta.expiry[:4]:
            clause += f"，文中{deadline}年的期限{'也' if status.code == '已到期' else ''}已过"
        return PeriodStatus(status.code == "已到期", clause, deadline, status)
    issued = int(meta.date[:4]) if meta.date else None
    if due is not None and date.fromisoformat(due) < today:
        return PeriodStatus(True, f"文中提出的是到{deadline}年的安排，该期限已过", deadline, status)
    if meta.effective is not None and status.code == "现行":
        return PeriodStatus(False, status.reason, deadline, status)
    if issued is not None and today.year - issued >= 2:
        clause = f"文件发布于{issued}年，距今已过{today.year - issued}年，是当时提出的安排"
        return PeriodStatus(True, clause, deadline, status)
    return PeriodStatus(False, f"文件发布于{issued}年" if issued else "文件日期不详", deadline, status)


def named_plan_status(question: str, today: date) -> str | None:
    """The period of a five-year plan the question names ("十三五那些政策还管用吗"), as one sentence.

    Args:
        question: the question as typed.
        today: the day it is judged on.

    Returns:
        E.g. "“十三五”规划期2016–2020年已结束", or None when no plan is named.
    """
    for plan, (start, end) in PLAN_PERIODS.items():
        if plan in question:
            where = "已结束" if today.year > end else ("尚未开始" if today.year < start else "正在进行")
            return f"“{plan}”规划期{start}–{end}年{where}"
    return None
