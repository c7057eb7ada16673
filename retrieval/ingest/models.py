"""Typed results of ingestion: documents, provisions and per-file errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field


class IngestError(Exception):
    """A file could not be ingested; ``reason`` is a Chinese sentence a maintainer can act on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


class DocumentMeta(BaseModel):
    """Metadata of one policy document (detected from its text, then overridden by sources.yml)."""

    id: str
    title: str
    number: str | None = Field(None, description="文号, e.g. 国发〔2017〕10号")
    issuer: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD")
    region: str = "全国"
    period: tuple[int, int] | None = None
    source: str = Field(..., description="file name under knowledge/sources")
    part: int = Field(1, description="1-based position of the document inside its file")

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
