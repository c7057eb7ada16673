"""Knowledge-base maintenance behind the admin pages: staged uploads, sources.yml edits, background
rebuilds that publish atomically, and reloading the lexicon and the catalogue without a restart.

Uploads wait under ``paths.var/uploads`` (never under static files) until published; only then are
they copied into ``paths.sources``. A rebuild builds the new index version first and changes the
sources only when the build succeeded, then publishes; searches keep using the old version until
the CURRENT pointer moves.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from knowledge.catalogue import CatalogueError
from knowledge.lexicon import load_lexicon
from knowledge.regions import LexiconError
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from knowledge.sources import MetaOverride, SourcesError, load_overrides
from retrieval.builder import BuildError, build_index
from retrieval.buildlock import BuildLock
from retrieval.ingest.collisions import KnownDocument, claim_collision, identity_collision, known_documents
from retrieval.ingest.loaders import SUPPORTED_SUFFIXES
from retrieval.ingest.models import Document, FileReport
from retrieval.ingest.pipeline import Ingestor
from retrieval.search import NoIndexError, Searcher
from retrieval.service import RetrievalService
from retrieval.store import IndexStoreError

UPLOAD_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".pdf", ".docx"})
MAX_STEM_CHARS = 80
_BATCH_ID = re.compile(r"^[0-9a-f]{16}$")
_UNSAFE = re.compile(r'[<>:"|?*#%&{}$!`\'=@+]')
OVERRIDE_FIELDS = ("title", "number", "issuer", "date", "region", "period")


class UploadRefused(Exception):
    """An uploaded file is refused; ``message`` is a Chinese sentence for the maintainer."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def safe_filename(name: str) -> str:
    """Return a file name safe to store, keeping Chinese characters.

    Directory parts sent by old browsers (``C:\\文件\\x.txt``) are dropped; control and formatting
    characters and characters special to shells, URLs or sources.yml keys (``#``) are removed.

    Args:
        name: the name the browser sent.

    Returns:
        ``stem.suffix`` with a lower-case supported suffix.

    Raises:
        UploadRefused: the name climbs out of its folder (``..``), is empty, or has an unsupported type.
    """
    name = unicodedata.normalize("NFC", name or "")
    parts = re.split(r"[\\/]+", name)
    if any(part.strip() == ".." for part in parts):
        raise UploadRefused("文件名不能包含上级目录（../），请改名后重新上传")
    base = "".join(ch for ch in parts[-1] if not unicodedata.category(ch).startswith("C"))
    base = _UNSAFE.sub("", base)
    base = re.sub(r"\s+", "_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    if suffix not in UPLOAD_SUFFIXES:
        shown = suffix or "无扩展名"
        raise UploadRefused(f"不支持的文件类型“{shown}”，请上传 txt、html、pdf 或 docx 文件")
    stem = stem.strip(" ._")[:MAX_STEM_CHARS] or "document"
    return stem + suffix


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Batch:
    """Uploaded files waiting for publication, with the maintainer's metadata corrections."""

    id: str
    created: str
    by: str
    files: list[str]
    hashes: dict[str, str]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class StageOutcome:
    """What an upload did: the batch created (if any file was accepted) and the refusals."""

    batch: Batch | None
    accepted: list[str]
    refused: list[tuple[str, str]]
    warnings: list[tuple[str, str]] = field(default_factory=list)  # accepted, but to correct before publishing


class UploadArea:
    """Staged uploads under ``<var>/uploads/<batch id>/``."""

    def __init__(self, root: Path) -> None:
        """Open the upload area (created on first use)."""
        self.root = root

    def _dir(self, batch_id: str) -> Path:
        if not _BATCH_ID.match(batch_id):
            raise KeyError(batch_id)
        return self.root / batch_id

    def stage(
        self,
        files: list[tuple[str, bytes]],
        ingestor: Ingestor,
        sources: Path,
        by: str,
        known: Iterable[KnownDocument] = (),
    ) -> StageOutcome:
        """Check each file and keep those that ingest cleanly in a new batch.

        A refused file leaves nothing behind. Checks: name, emptiness, size cap, same content as a
        document already in the knowledge base (or in this upload), same name as one, and then the
        real ingestor (content type sniffed from the bytes, zip bombs, scans without text, binary junk);
        last, its documents must not take an id or a text already there (``identity_collision``). One
        that claims another document's 文号 or title is kept with a warning (to correct in the preview;
        publishing refuses it until then).

        Args:
            files: (name as sent, content) pairs.
            ingestor: the knowledge base's ingestor (size cap, regions, overrides).
            sources: the knowledge base folder.
            by: who uploads.
            known: the documents of the published index (files not in it count by their name).

        Returns:
            The batch (None when every file was refused), accepted names, (name, reason) refusals and
            (name, warning) pairs.
        """
        max_bytes = int(ingestor.settings.max_file_mb * 1_000_000)
        existing = {sha256_bytes(p.read_bytes()): p.name for p in sorted(sources.iterdir()) if p.is_file()}
        existing_names = {p.name.lower() for p in sources.iterdir()}
        pending = {h: n for batch in self.batches() for n, h in batch.hashes.items()}
        known = list(known)
        indexed = {k.source for k in known}
        waiting = [n for batch in self.batches() for n in batch.files]
        unindexed = [p.name for p in sources.iterdir() if p.is_file() and p.name not in indexed] + waiting
        known += [KnownDocument(Path(n).stem, n, n, None, "") for n in unindexed]  # their ids are their stems
        accepted: list[tuple[str, Path, str]] = []
        refused: list[tuple[str, str]] = []
        warnings: list[tuple[str, str]] = []
        self.root.mkdir(parents=True, exist_ok=True)
        incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.root))
        try:
            for sent, data in files:
                shown = sent or "（无文件名）"
                try:
                    name = safe_filename(sent)
                    if not data.strip():
                        raise UploadRefused("文件是空的")
                    if len(data) > max_bytes:
                        raise UploadRefused(
                            f"文件过大（{len(data) / 1e6:.1f} MB），上限为 {ingestor.settings.max_file_mb:g} MB"
                        )
                    digest = sha256_bytes(data)
                    if digest in existing:
                        raise UploadRefused(f"知识库中已有内容相同的文件（{existing[digest]}），无需重复上传")
                    if digest in pending:
                        raise UploadRefused(f"内容相同的文件（{pending[digest]}）已上传，正在等待发布")
                    if any(digest == h for _, _, h in accepted):
                        raise UploadRefused("本次上传中有内容相同的文件")
                    if name.lower() in existing_names or any(name == n for n, _, _ in accepted):
                        raise UploadRefused(f"知识库中已有同名文件“{name}”，请改名后重新上传")
                    target = incoming / name
                    target.write_bytes(data)
                    report = ingestor.ingest_file(target)
                    if report.error:
                        target.unlink()
                        raise UploadRefused(report.error)
                    reasons = [r for d in report.documents if (r := identity_collision(d, known))]
                    if reasons:
                        target.unlink()
                        raise UploadRefused(reasons[0])
                    warnings += [(name, r) for d in report.documents if (r := claim_collision(d.meta, known))]
                    known += known_documents(report.documents)
                    accepted.append((name, target, digest))
                except UploadRefused as exc:
                    refused.append((shown, exc.message))
            if not accepted:
                return StageOutcome(None, [], refused)
            batch = Batch(
                id=secrets.token_hex(8),
                created=datetime.now(UTC).isoformat(timespec="seconds"),
                by=by,
                files=[n for n, _, _ in accepted],
                hashes={n: h for n, _, h in accepted},
            )
            (incoming / "batch.json").write_text(json.dumps(asdict(batch), ensure_ascii=False), encoding="utf-8")
            os.replace(incoming, self._dir(batch.id))
            return StageOutcome(batch, batch.files, refused, warnings)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)

    def batches(self) -> list[Batch]:
        """Return the batches waiting for publication, oldest first."""
        if not self.root.exists():
            return []
        out = []
        for path in sorted(self.root.iterdir()):
            if path.is_dir() and _BATCH_ID.match(path.name):
                try:
                    out.append(self.get(path.name))
                except KeyError:
                    continue
        return sorted(out, key=lambda b: b.created)

    def get(self, batch_id: str) -> Batch:
        """Return a batch.

        Raises:
            KeyError: no such batch.
        """
        path = self._dir(batch_id) / "batch.json"
        try:
            return Batch(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as exc:
            raise KeyError(batch_id) from exc

    def save(self, batch: Batch) -> None:
        """Write a batch's record (atomically)."""
        path = self._dir(batch.id) / "batch.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(batch), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def files(self, batch: Batch) -> list[Path]:
        """Return the paths of a batch's files."""
        return [self._dir(batch.id) / name for name in batch.files]

    def discard(self, batch_id: str) -> None:
        """Delete a batch and its files."""
        shutil.rmtree(self._dir(batch_id), ignore_errors=True)


def override_from_form(form: dict[str, str], detected: dict[str, Any], regions: Container[str]) -> dict[str, Any]:
    """Turn the metadata form of one document into a sources.yml entry (only what differs from detection).

    Args:
        form: ``title, number, issuer, date, region, period`` as typed; period is ``""`` (as
            detected), ``十三五``, ``十四五``, ``none`` or ``YYYY-YYYY``.
        detected: the same fields as the ingestor detected them (period as a list or None).
        regions: the regions a document may carry (``RegionNames``: 全国, the lexicon's, any province or
            city region of the administrative-division dataset).

    Returns:
        The override entry (possibly empty).

    Raises:
        UploadRefused: a field is invalid (bad date, unknown region, bad period).
    """
    entry: dict[str, Any] = {}
    for name in ("title", "number", "issuer", "date", "region"):
        value = (form.get(name) or "").strip()
        if value == (detected.get(name) or ""):
            continue
        if name == "number" and not value:
            entry["no_number"] = True
            continue
        if not value:
            continue
        entry[name] = value
    if "region" in entry and entry["region"] not in regions:
        raise UploadRefused(f"未知地区“{entry['region']}”，请从列表中选择（或填写“全国”）")
    period = (form.get("period") or "").strip()
    plans = {"十三五": [2016, 2020], "十四五": [2021, 2025]}
    if period == "none":
        if detected.get("period") is not None:
            entry["no_period"] = True
    elif period in plans:
        if detected.get("period") != plans[period]:
            entry["period"] = plans[period]
    elif period:
        match = re.fullmatch(r"(\d{4})\s*[-–—]\s*(\d{4})", period)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise UploadRefused("规划期请填写“十三五”“十四五”，或“起始年-结束年”，如 2021-2025")
        entry["period"] = [int(match.group(1)), int(match.group(2))]
    try:
        MetaOverride.model_validate(entry)
    except ValueError as exc:
        raise UploadRefused("发布日期格式应为 YYYY-MM-DD，例如 2021-08-16") from exc
    return entry


def validity_from_form(form: Mapping[str, str], existing: MetaOverride) -> dict[str, Any]:
    """Turn the admin's validity form into the document's whole sources.yml entry.

    Args:
        form: ``status`` (现行, 已废止 or 被替代), ``superseded_by`` (title or 文号, for 被替代),
            ``effective`` and ``expiry`` (YYYY-MM-DD or empty).
        existing: the document's current sources.yml entry (its other fields are kept).

    Returns:
        The entry to write (only non-default fields).

    Raises:
        UploadRefused: an unknown status, a missing replacing document, a bad date.
    """
    status = (form.get("status") or "").strip()
    replacing = (form.get("superseded_by") or "").strip()
    if status not in ("现行", "已废止", "被替代"):
        raise UploadRefused("请选择时效：现行、已废止或被替代")
    if status == "被替代" and not replacing:
        raise UploadRefused("标记为“被替代”时，请填写替代它的文件名称或文号")
    entry = existing.model_dump(exclude_defaults=True)
    entry.pop("repealed", None)
    entry.pop("superseded_by", None)
    if status == "已废止":
        entry["repealed"] = True
    elif status == "被替代":
        entry["superseded_by"] = replacing
    for name in ("effective", "expiry"):
        value = (form.get(name) or "").strip()
        if value:
            entry[name] = value
        else:
            entry.pop(name, None)
    try:
        MetaOverride.model_validate(entry)
    except ValueError as exc:
        raise UploadRefused("施行日期、有效期至请按 YYYY-MM-DD 填写，例如 2026-01-01") from exc
    if entry.get("period") is not None:
        entry["period"] = list(entry["period"])
    return entry


# ----- sources.yml ---------------------------------------------------------------------------


def _top_level_key(line: str) -> str | None:
    """Return the key a top-level ``key:`` line of sources.yml opens, or None for other lines."""
    if not line or line[0] in " \t#\n\r":
        return None
    try:
        parsed = yaml.safe_load(line)
    except yaml.YAMLError:
        return None
    return str(next(iter(parsed))) if isinstance(parsed, dict) and parsed else None


def edit_overrides(path: Path, add: dict[str, dict[str, Any]], remove_files: set[str]) -> str:
    """Add entries to sources.yml and drop those of removed files, keeping every comment.

    The new text is validated (as the ingestor will read it) before it replaces the file atomically.

    Args:
        path: sources.yml.
        add: entries to append (their keys must not exist yet; an existing key is replaced).
        remove_files: file names whose entries (``name`` and ``name#N``) are dropped.

    Returns:
        The previous text (to restore if a later step fails).

    Raises:
        SourcesError: the result would not be a valid sources.yml.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    drop = set(add) | {k for k in load_overrides(path) if k.split("#", 1)[0] in remove_files}
    kept: list[str] = []
    skipping = False
    for line in old.splitlines(keepends=True):
        key = _top_level_key(line)
        if key is not None:
            skipping = key in drop
        elif line[:1] == "#":
            skipping = False  # a comment at the margin belongs to what follows it
        if not skipping:
            kept.append(line)
    text = "".join(kept)
    if add:
        if text and not text.endswith("\n"):
            text += "\n"
        block = yaml.safe_dump(add, allow_unicode=True, sort_keys=False, default_flow_style=None)
        text += ("\n" if text.strip() else "") + block
    fd, tmp = tempfile.mkstemp(prefix=".sources-", suffix=".yml", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        load_overrides(Path(tmp))
    except SourcesError:
        os.unlink(tmp)
        raise
    os.replace(tmp, path)
    return old


# ----- background rebuild --------------------------------------------------------------------


@dataclass
class JobStatus:
    """What the rebuild thread is doing; served as JSON to the admin page."""

    state: str = "idle"  # idle | running | done | failed
    action: str = ""
    message: str = "尚未进行索引构建"
    progress: float = 0.0
    by: str = ""
    started: float | None = None
    finished: float | None = None
    version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the status endpoint's JSON."""
        body = asdict(self)
        end = self.finished or time.time()
        body["seconds"] = round(end - self.started, 2) if self.started else None
        return body


@dataclass(frozen=True)
class RebuildPlan:
    """What a rebuild changes: a staged batch to add, a source file to remove, sources.yml entries to
    write (a document marked 废止 or superseded), or nothing."""

    action: str  # publish | remove | rebuild | validity
    batch: Batch | None = None
    remove: str | None = None
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)  # sources.yml entries to write (whole entries)


AuditHook = Callable[[str, str, str], None]
PublishedHook = Callable[[list[Document]], None]


class Rebuilder:
    """Runs one rebuild at a time in a background thread, and one across every process sharing the index
    folder (the store's file lock is held from ``start`` until the rebuild ends)."""

    def __init__(
        self,
        service: Callable[[], RetrievalService],
        settings: Settings,
        uploads: UploadArea,
        audit: AuditHook,
        published: PublishedHook,
    ) -> None:
        """Create the rebuilder.

        Args:
            service: returns the app's retrieval service (its searcher may be swapped by a reload).
            settings: paths, ingest, retrieval and index settings.
            uploads: the staged uploads.
            audit: ``(actor, action, detail)`` → audit log.
            published: called with the documents of a newly published version.
        """
        self._service = service
        self.settings = settings
        self.uploads = uploads
        self._audit = audit
        self._published = published
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.status = JobStatus()

    def running(self) -> bool:
        """Return True while a rebuild is in progress."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, plan: RebuildPlan, by: str) -> bool:
        """Start a rebuild in the background.

        Returns:
            False when another rebuild is still running, here or in another process (nothing is started).
        """
        with self._lock:
            lock = self._service().store.lock
            if self.running() or not lock.acquire():
                return False
            try:
                self.status = JobStatus("running", plan.action, "准备中…", 0.0, by, time.time())
                self._thread = threading.Thread(
                    target=self._run, args=(plan, by, lock), name="policybot-rebuild", daemon=True
                )
                self._thread.start()
            except BaseException:
                lock.release()
                raise
            return True

    def wait(self, timeout: float | None = None) -> JobStatus:
        """Wait for the running rebuild (tests and the CLI) and return the final status."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status

    def _step(self, message: str, progress: float) -> None:
        self.status.message = message
        self.status.progress = round(progress, 3)

    def _run(self, plan: RebuildPlan, by: str, lock: BuildLock) -> None:
        try:
            self._run_locked(plan, by)
        finally:
            lock.release()

    def _run_locked(self, plan: RebuildPlan, by: str) -> None:
        status = self.status
        try:
            version, timings, documents = self._rebuild(plan)
        except (BuildError, IndexStoreError, SourcesError, OSError, UploadRefused, ValueError) as exc:
            reason = getattr(exc, "message", None) or str(exc)
            status.state, status.finished = "failed", time.time()
            status.message = f"失败：{reason}（当前索引版本未改变）"
            self._audit(by, f"{plan.action}_failed", reason)
            return
        status.state, status.version, status.timings = "done", version, timings
        status.progress, status.finished = 1.0, time.time()
        took = status.finished - (status.started or status.finished)
        status.message = f"已发布索引版本 {version}（{len(documents)} 个文档，用时 {took:.1f} 秒）"
        detail = {
            "publish": f"发布上传的 {', '.join(plan.batch.files) if plan.batch else ''}",
            "remove": f"删除文档 {plan.remove}",
            "rebuild": "重建索引",
            "validity": f"更改时效 {'；'.join(f'{k}：{v}' for k, v in plan.meta.items())}",
        }[plan.action]
        self._audit(by, plan.action, f"{detail}；索引版本 {version}")

    def _rebuild(self, plan: RebuildPlan) -> tuple[str, dict[str, float], list[Document]]:
        settings = self.settings
        service = self._service()
        sources, meta_path = settings.paths.sources, settings.paths.sources_meta
        started = time.perf_counter()
        overrides = load_overrides(meta_path)
        paths = [p for p in sorted(sources.iterdir()) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES]
        if plan.remove is not None:
            if plan.remove not in {p.name for p in paths}:
                raise UploadRefused(f"知识库中没有文件“{plan.remove}”")
            paths = [p for p in paths if p.name != plan.remove]
            overrides = {k: v for k, v in overrides.items() if k.split("#", 1)[0] != plan.remove}
        staged: list[Path] = []
        if plan.batch is not None:
            staged = self.uploads.files(plan.batch)
            for name, entry in plan.batch.overrides.items():
                overrides[name] = MetaOverride.model_validate(entry)
        for name, entry in plan.meta.items():
            overrides[name] = MetaOverride.model_validate(entry)
        ingestor = Ingestor(settings.ingest, service.lexicon.region_table, overrides)
        everything = paths + staged
        reports: list[FileReport] = []
        for number, path in enumerate(everything, start=1):
            self._step(f"解析文档 {number}/{len(everything)}：{path.name}", 0.4 * number / len(everything))
            reports.append(ingestor.ingest_file(path))
        bad_new = [r for r in reports if r.error and Path(r.path) in staged]
        if bad_new:
            raise UploadRefused(f"{Path(bad_new[0].path).name}：{bad_new[0].error}")
        _refuse_collisions(reports, staged)
        documents = [d for r in reports for d in r.documents]
        timings = {"ingest": time.perf_counter() - started}
        self._step("构建索引（BM25" + ("、向量模型" if settings.index.dense else "") + "）…", 0.45)
        report = build_index(
            settings, service.lexicon, documents, service.store, publish=False, tokenizer=service.searcher.tokenizer
        )
        timings.update({f"build_{k}": v for k, v in report.timings.items()})
        try:  # all or nothing: the sources change and the version is published, or neither
            self._step("更新知识库文件…", 0.9)
            old_meta, added, moved = self._apply(plan)
            try:
                self._step("发布新版本…", 0.95)
                service.store.publish(report.version)
            except BaseException:
                self._undo(old_meta, added, moved)
                raise
        except BaseException:
            service.store.discard(report.version)  # never offered for rollback, never counted as kept
            raise
        service.store.prune(settings.index.keep_versions)
        if plan.batch is not None:
            self.uploads.discard(plan.batch.id)
        started_load = time.perf_counter()
        service.searcher.current()  # load the new version now, not during the next question
        timings["load"] = time.perf_counter() - started_load
        timings["total"] = time.perf_counter() - started
        self._published(documents)
        return report.version, {k: round(v, 3) for k, v in timings.items()}, documents

    def _apply(self, plan: RebuildPlan) -> tuple[str | None, list[Path], list[tuple[Path, Path]]]:
        """Change the sources as the plan says; return what is needed to undo it."""
        sources, meta_path = self.settings.paths.sources, self.settings.paths.sources_meta
        added: list[Path] = []
        moved: list[tuple[Path, Path]] = []
        old_meta: str | None = None
        try:
            if plan.batch is not None:
                for path in self.uploads.files(plan.batch):
                    target = sources / path.name
                    if target.exists():
                        raise UploadRefused(f"知识库中已有同名文件“{path.name}”")
                    shutil.copy2(path, target)
                    added.append(target)
                if plan.batch.overrides:
                    old_meta = edit_overrides(meta_path, plan.batch.overrides, set())
            if plan.remove is not None:
                stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
                archive = self.settings.paths.var / "removed" / stamp
                archive.mkdir(parents=True, exist_ok=True)
                source = sources / plan.remove
                shutil.move(str(source), archive / plan.remove)
                moved.append((archive / plan.remove, source))
                old_meta = edit_overrides(meta_path, {}, {plan.remove})
            if plan.meta:
                old_meta = edit_overrides(meta_path, plan.meta, set())
        except BaseException:
            self._undo(old_meta, added, moved)
            raise
        return old_meta, added, moved

    def _undo(self, old_meta: str | None, added: list[Path], moved: list[tuple[Path, Path]]) -> None:
        for path in added:
            path.unlink(missing_ok=True)
        for now, before in moved:
            shutil.move(str(now), before)
        if old_meta is not None:
            self.settings.paths.sources_meta.write_text(old_meta, encoding="utf-8")


def _refuse_collisions(reports: list[FileReport], staged: list[Path]) -> None:
    """Refuse a staged document that takes an id, a text, a 文号 or a title of another document
    (checked again at publish time: the maintainer's corrections and other publishes happened since)."""
    others = known_documents(d for r in reports if Path(r.path) not in staged for d in r.documents)
    for doc in (d for r in reports if Path(r.path) in staged for d in r.documents):
        reason = identity_collision(doc, others) or claim_collision(doc.meta, others)
        if reason:
            raise UploadRefused(f"{doc.meta.source}：{reason}")
        others += known_documents([doc])


# ----- reloading the lexicon and the catalogue ----------------------------------------------


def reload_lexicon(
    service: RetrievalService, settings: Settings, documents: list[tuple[str, str | None, str]]
) -> EligibilityService:
    """Load the lexicon again and swap in a searcher that uses it (the old one serves until then).

    Args:
        service: the app's retrieval service; its ``lexicon`` and ``searcher`` are replaced on success.
        settings: where the lexicon and catalogue are.
        documents: (id, 文号, title) of the current documents, for the eligibility service.

    Returns:
        A new eligibility service built on the new lexicon, for the caller to swap in.

    Raises:
        LexiconError: the lexicon is malformed (nothing is changed).
        CatalogueError: the catalogue does not fit the new lexicon (nothing is changed).
    """
    lexicon = load_lexicon(settings.paths.lexicon)
    eligibility = EligibilityService.from_settings(settings, lexicon, documents)
    searcher = Searcher(service.store, lexicon, settings.retrieval, service.searcher.clock)
    with contextlib.suppress(NoIndexError):  # no index yet: reported on the first search, as before
        searcher.current()
    searcher.tokenizer.tokens("预热")  # load jieba with the new terms before the swap
    service.lexicon, service.searcher = lexicon, searcher
    return eligibility


def reload_catalogue(
    service: RetrievalService, settings: Settings, documents: list[tuple[str, str | None, str]]
) -> EligibilityService:
    """Load and validate the policy catalogue again.

    Returns:
        The new eligibility service for the caller to swap in.

    Raises:
        CatalogueError: the catalogue is malformed (the old one keeps serving).
    """
    return EligibilityService.from_settings(settings, service.lexicon, documents)


RELOAD_ERRORS = (LexiconError, CatalogueError)
