"""Typed results of ingestion: documents, provisions and per-file errors."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class IngestError(Exception):
    """A file could not be ingested; ``reason`` is a Chinese sentence a maintainer can act on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


StatusCode = Literal["现行", "未施行", "已到期", "已废止", "被替代"]
STATUS_CODES: tuple[StatusCode, ...] = ("现行", "未施行", "已到期", "已废止", "被替代")


@dataclass(frozen=True)
class DocStatus:
    """Where a document stands on one day: its status and one Chinese clause saying why."""

    code: StatusCode
    label: str  # what a reader sees: 现行, 已到期, 已废止, 被《…》替代, 未施行
    reason: str  # e.g. "规划期2016–2020年已结束"

    @property
    def in_force(self) -> bool:
        """Return True when the document is in force that day."""
        return self.code == "现行"

    @property
    def text(self) -> str:
        """Return label and reason in one phrase: "已到期（规划期2016–2020年已结束）"."""
        return f"{self.label}（{self.reason}）" if self.reason else self.label

    def as_json(self) -> dict[str, object]:
        """Return ``{"code", "label", "reason", "text", "in_force"}``."""
        return {
            "code": self.code,
            "label": self.label,
            "reason": self.reason,
            "text": self.text,
            "in_force": self.in_force,
        }


def _cn_date(iso: str) -> str:
    day = _date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


class DocumentMeta(BaseModel):
    """Metadata of one policy document (detected from its text, then overridden by sources.yml)."""

    id: str
    title: str
    number: str | None = Field(None, description="文号, e.g. 国发〔2017〕10号")
    numbers: list[str] = Field(
        default_factory=list,
        description="every 文号 the document gives itself (a joint document has several), number first",
    )
    issuer: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    region: str = "全国"
    period: tuple[int, int] | None = None
    source: str = Field(..., description="file name under knowledge/sources")
    part: int = Field(1, description="1-based position of the document inside its file")
    effective: str | None = Field(None, description="YYYY-MM-DD the text (or sources.yml) says it takes effect")
    expiry: str | None = Field(None, description="YYYY-MM-DD of its last day in force")
    expiry_basis: str | None = Field(None, description="where the expiry comes from, e.g. 规划期2016–2020年")
    repealed: bool = Field(False, description="废止 (sources.yml or the admin)")
    superseded_by: str | None = Field(None, description="title or 文号 of the document that replaces it")

    def status_on(self, day: _date) -> DocStatus:
        """Return the document's status on ``day`` from its stored validity facts.

        Precedence: 废止, then 被替代, then not yet in force (before its effective date or, without
        one, its issue date), then expired, else in force. Without an
        ``expiry`` a plan period still ends the document (index versions built before validity data).

        Args:
            day: the as-of date (from the clock, or asked for).

        Returns:
            A ``DocStatus`` with a one-line Chinese reason.
        """
        if self.repealed:
            return DocStatus("已废止", "已废止", "不再执行")
        if self.superseded_by:
            name = self.superseded_by.strip("《》")
            quoted = name if "〔" in name and "《" not in self.superseded_by else f"《{name}》"
            return DocStatus("被替代", f"被{quoted}替代", "请以新文件为准")
        expiry, basis = self.expiry, self.expiry_basis
        if expiry is None and self.period is not None:
            expiry, basis = _date(self.period[1], 12, 31).isoformat(), f"规划期{self.period[0]}–{self.period[1]}年"
        if self.effective and _date.fromisoformat(self.effective) > day:
            return DocStatus("未施行", "未施行", f"自{_cn_date(self.effective)}起施行")
        if self.effective is None and self.date and _date.fromisoformat(self.date) > day:
            return DocStatus("未施行", "未施行", f"{_cn_date(self.date)}才发布")
        if expiry is not None:
            plan = bool(basis and basis.startswith("规划期"))
            if _date.fromisoformat(expiry) < day:
                return DocStatus("已到期", "已到期", f"{basis}已结束" if plan else f"有效期至{_cn_date(expiry)}，已过")
            return DocStatus("现行", "现行", f"{basis}内" if plan else f"有效期至{_cn_date(expiry)}")
        if self.effective:
            return DocStatus("现行", "现行", f"自{_cn_date(self.effective)}起施行，未见废止或到期的记载")
        return DocStatus("现行", "现行", "未见废止或到期的记载")

    @property
    def plan_label(self) -> str | None:
        """Return the five-year plan name of the period (十三五/十四五), or None."""
        if self.period is None:
            return None
        return {2016: "十三五", 2021: "十四五", 2026: "十五五"}.get(self.period[0])


class Provision(BaseModel):
    """One citable unit: a sentence or short clause group of a document."""

    id: str
    doc_id: str
    text: str
    section: list[str] = Field(default_factory=list)
    position: int
    deadline: str | None = Field(None, description="YYYY-MM-DD: the latest deadline its text names")
    prev_id: str | None = None
    next_id: str | None = None
    policy_field: str | None = Field(None, description="policy-list field label, e.g. 补贴标准 (policylist.py)")
    cites: list[str] = Field(default_factory=list, description="文号 the policy's 文件依据 names")

    @staticmethod
    def make_id(doc_id: str, text: str) -> str:
        """Derive a provision id that is stable across rebuilds.

        Args:
            doc_id: the owning document's id.
            text: the provision text (already normalised).

        Returns:
            ``"<doc_id>:<12 hex digits of sha1(text)>"``.
        """
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        return f"{doc_id}:{digest}"


class ListedPolicy(BaseModel):
    """One policy of a policy list (政策清单 / 明白卡), as the maintainer checks it in the preview."""

    name: str
    groups: list[str] = Field(default_factory=list, description="服务对象 sections it was listed under")
    fields: list[str] = Field(default_factory=list, description="field labels, e.g. 补贴标准")
    cites: list[str] = Field(default_factory=list, description="文号 its 文件依据 names")
    blocks: int = Field(1, description="how many blocks of the list were merged into it")


class RemovedSpan(BaseModel):
    """A piece of a document's body that ingestion left out of every provision, and why.

    ``reason`` is a code of ``retrieval.ingest.removed.REASONS`` and ``label`` its Chinese name;
    reason ``lost`` is real text that matched no kind of furniture (a maintainer must look at it).
    """

    text: str
    reason: str
    label: str


class Document(BaseModel):
    """A document with its provisions in reading order."""

    meta: DocumentMeta
    provisions: list[Provision]
    duplicates_removed: int = 0
    warnings: list[str] = Field(default_factory=list)
    policies: list[ListedPolicy] = Field(default_factory=list, description="empty unless it is a policy list")
    removed: list[RemovedSpan] = Field(default_factory=list, description="body text left out, with its reason")


class FileReport(BaseModel):
    """What ingesting one file produced: its documents, or the error that stopped it."""

    path: str
    documents: list[Document] = Field(default_factory=list)
    error: str | None = None
    lost: list[str] = Field(default_factory=list, description="body text that reached no provision")
    kept_chars: int = Field(0, description="body characters (whitespace aside) that are in a provision")
    removed_chars: dict[str, int] = Field(default_factory=dict, description="removed body characters by reason")
    lost_chars: int = Field(0, description="body characters that are neither kept nor removed with a reason")
