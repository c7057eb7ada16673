"""Ingest files: load → normalise → split documents → metadata → segment → deduplicate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from knowledge.regions import RegionTable
from knowledge.settings import IngestSettings
from knowledge.sources import MetaOverride
from knowledge.textmatch import match_key
from retrieval.ingest.coverage import ledger
from retrieval.ingest.loaders import SUPPORTED_SUFFIXES, load_file
from retrieval.ingest.metadata import detect_metadata
from retrieval.ingest.models import Document, DocumentMeta, FileReport, IngestError, Provision
from retrieval.ingest.normalize import normalize_with_residue
from retrieval.ingest.paragraphs import to_paragraphs
from retrieval.ingest.policylist import find_policy_list
from retrieval.ingest.removed import explain, file_spans, span
from retrieval.ingest.segment import Segment, segment
from retrieval.ingest.split import split_documents
from retrieval.ingest.validity import detect_validity, provision_deadline, resolve_validity

UNKNOWN_REGION = "未知"
ProgressHook = Callable[[Path, FileReport], None]


class Ingestor:
    """Turns policy files into documents with provisions; one bad file never stops a batch."""

    def __init__(
        self,
        settings: IngestSettings,
        regions: RegionTable,
        overrides: dict[str, MetaOverride] | None = None,
    ) -> None:
        """Create an ingestor.

        Args:
            settings: provision size limits and the file size cap.
            regions: the lexicon's regions, to map issuers to regions.
            overrides: sources.yml entries by file name (or ``name#N``).
        """
        self.settings = settings
        self.regions = regions
        self.overrides = overrides or {}

    def ingest_paths(self, paths: Iterable[Path], progress: ProgressHook | None = None) -> list[FileReport]:
        """Ingest files and folders (a folder means every supported file directly inside it).

        Args:
            paths: files or folders.
            progress: called after each file with its report.

        Returns:
            One report per file, in name order within a folder.
        """
        reports = []
        for path in expand_paths(paths):
            report = self.ingest_file(path)
            reports.append(report)
            if progress is not None:
                progress(path, report)
        return reports

    def ingest_file(self, path: Path) -> FileReport:
        """Ingest one file.

        Args:
            path: the document file.

        Returns:
            The documents found in it, or the reason it could not be ingested.
        """
        try:
            limits = (self.settings.max_pages, self.settings.max_chars)
            loaded = load_file(path, int(self.settings.max_file_mb * 1_000_000), *limits)
            text, residue = normalize_with_residue(loaded.text)
            decorations: list[str] = []
            rejoin = loaded.kind in {"text", "pdf", "markdown"}
            paragraphs = to_paragraphs(text, rejoin=rejoin, dropped=decorations)
            if not paragraphs:
                raise IngestError(path, "文件中没有可用的文字")
            parts = split_documents(paragraphs)
            documents = [
                self._document(path, index, part, loaded.meta if index == 1 else {})
                for index, part in enumerate(parts, start=1)
            ]
            documents = [doc for doc in documents if doc.provisions]
            if not documents:
                raise IngestError(path, "没有从文件中切分出任何条款")
        except IngestError as exc:
            return FileReport(path=str(path), error=exc.reason)
        chrome = tuple(normalize_with_residue(block)[0] for block in loaded.chrome)
        outside = file_spans(chrome, decorations, residue)
        account = ledger(paragraphs, documents, outside)
        documents[0].removed[:0] = outside  # the page's furniture is shown with the file's first document
        if account.lost:
            shown = "”“".join(clause[:30] for clause in account.lost[:3])
            documents[0].warnings.append(
                f"有 {len(account.lost)} 处正文未进入任何条款、将被丢弃（如“{shown}”），请检查原文格式"
            )
        return FileReport(
            path=str(path),
            documents=documents,
            lost=account.lost,
            kept_chars=account.kept_chars,
            removed_chars=account.removed_chars,
            lost_chars=account.lost_chars,
        )

    def _document(self, path: Path, part: int, paragraphs: list[str], front: dict[str, object]) -> Document:
        doc_id = path.stem if part == 1 else f"{path.stem}-{part}"
        detected = detect_metadata(paragraphs, front, self.regions)
        override = (
            self.overrides.get(f"{path.name}#{part}")
            or (self.overrides.get(path.name) if part == 1 else None)
            or MetaOverride()
        )
        title = override.title or detected.title or path.stem
        warnings = []
        region = override.region or detected.region
        if region is None:
            region = UNKNOWN_REGION
            warnings.append("未能识别适用地区，请在 sources.yml 中为该文件设置 region")
        if not (override.date or detected.date):
            warnings.append("未能识别发布日期，请在 sources.yml 中设置 date")
        issued = override.date or detected.date
        period = None if override.no_period else (override.period or detected.period)
        validity = resolve_validity(
            detect_validity("".join(paragraphs), issued, title), period, override.effective, override.expiry
        )
        meta = DocumentMeta(
            id=doc_id,
            title=title,
            number=None if override.no_number else (override.number or detected.number),
            numbers=[] if override.no_number else _numbers(override.number, detected.numbers),
            issuer=override.issuer or detected.issuer,
            date=issued,
            region=region,
            period=period,
            source=path.name,
            part=part,
            effective=validity.effective,
            expiry=validity.expiry,
            expiry_basis=validity.expiry_basis,
            repealed=override.repealed,
            superseded_by=override.superseded_by,
        )
        titles = tuple(t for t in {title, detected.title or "", *_quoted_titles(title)} if t)
        pieces: list[str] = []
        limits = (self.settings.max_provision_chars, self.settings.min_provision_chars)
        listed = find_policy_list(paragraphs)
        if listed is None:
            segments = segment(paragraphs, *limits, titles, removed=pieces)
        else:  # a policy list: its blocks become labelled fields, the text around them is cut as usual
            segments = [
                *segment(listed.before, *limits, titles, removed=pieces),
                *listed.segments(self.settings.max_provision_chars),
                *segment(listed.after, *limits, titles, removed=pieces),
            ]
        unique, removed = deduplicate(segments)
        kept = {id(seg) for seg in unique}
        spans = explain(pieces, meta, titles) + [span(s.text, "duplicate") for s in segments if id(s) not in kept]
        spans += [span(text, "list_label") for text in (listed.dropped if listed else [])]
        return Document(
            meta=meta,
            provisions=_provisions(doc_id, unique),
            duplicates_removed=removed,
            warnings=warnings,
            policies=listed.summary() if listed else [],
            removed=spans,
        )


def _quoted_titles(title: str) -> list[str]:
    """Return the names a notice quotes: 《X》 or, for "关于印发X的通知", X."""
    found = re.findall(r"《([^》]+)》", title)
    if match := re.search(r"(?:印发|转发)(.+?)的通知$", title):
        found.append(match.group(1).strip("《》"))
    return found


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the files they hold (sorted); files are kept as given (even unsupported ones,
    so that they get their error)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            out.append(path)
    return out


def deduplicate(segments: list[Segment]) -> tuple[list[Segment], int]:
    """Drop segments whose text repeats an earlier one (compared as in SPEC §4).

    Args:
        segments: a document's segments in reading order.

    Returns:
        The first occurrence of each text, and how many repeats were removed.
    """
    seen: set[str] = set()
    unique = []
    for seg in segments:
        key = match_key(seg.text)
        if not key or key in seen:
            continue
        seen.add(key)
        unique.append(seg)
    return unique, len(segments) - len(unique)


def _provisions(doc_id: str, segments: list[Segment]) -> list[Provision]:
    ids = [Provision.make_id(doc_id, seg.text) for seg in segments]
    return [
        Provision(
            id=ids[i],
            doc_id=doc_id,
            text=seg.text,
            section=list(seg.section),
            position=i,
            deadline=provision_deadline(seg.text),
            prev_id=ids[i - 1] if i > 0 else None,
            next_id=ids[i + 1] if i + 1 < len(ids) else None,
            policy_field=seg.policy_field,
            cites=list(seg.cites),
        )
        for i, seg in enumerate(segments)
    ]


def _numbers(corrected: str | None, detected: tuple[str, ...]) -> list[str]:
    """The document's own 文号: a corrected one (sources.yml, the admin) first, then those detected."""
    return list(dict.fromkeys([*([corrected] if corrected else []), *detected]))
