"""Background rebuilds behind the admin pages, published atomically.

A rebuild builds the new index version first and changes the sources only when the build succeeded,
then publishes; searches keep using the old version until the CURRENT pointer moves.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.settings import Settings
from knowledge.sources import MetaOverride, SourcesError, load_overrides
from retrieval.builder import BuildError, build_index
from retrieval.buildlock import BuildLock
from retrieval.ingest.collisions import claim_collision, identity_collision, known_documents
from retrieval.ingest.loaders import SUPPORTED_SUFFIXES
from retrieval.ingest.models import Document, FileReport
from retrieval.ingest.pipeline import Ingestor
from retrieval.service import RetrievalService
from retrieval.store import IndexStoreError
from webchat.overrides import edit_overrides
from webchat.uploads import Batch, UploadArea, UploadRefused


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
