"""Ingest an uploaded file in a separate, bounded process, and remember what came out.

An upload is untrusted: a 270 KB PDF can hold 3,000 pages or a page whose text takes minutes to
extract. Ingesting it inside the web process would hold the GIL (citizen searches slow down) and
could exhaust its memory. ``BoundedIngestor.ingest_file`` therefore runs the real ingestor in a
child process (``python -m retrieval.ingest.worker``) that limits its own address space and CPU time
with ``resource.setrlimit`` and runs at a lower priority; the parent kills it at the wall-clock
limit. Only a few children run at once, and they inherit no environment variables (no secrets).
Hitting a limit is an ordinary ``FileReport`` error in Chinese, so the caller refuses the file as
it refuses any other bad file.

Successful reports are cached on disk, keyed by the file's content hash, its name, the ingest
settings, the file's metadata overrides, the region table and the ingestion code itself, so a
preview shows what staging found without ingesting again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from knowledge.regions import RegionTable
from knowledge.settings import IngestSettings
from knowledge.sources import MetaOverride
from retrieval.ingest.models import FileReport
from retrieval.ingest.pipeline import Ingestor

_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the ``retrieval`` package
_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()
BUSY = "其他文件正在解析，请稍后再上传"


def _slots(count: int) -> threading.BoundedSemaphore:
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(count, threading.BoundedSemaphore(count))


class BoundedIngestor(Ingestor):
    """An ingestor whose ``ingest_file`` runs in a child process under time and memory limits."""

    def __init__(
        self,
        settings: IngestSettings,
        regions: RegionTable,
        overrides: dict[str, MetaOverride] | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """Create a bounded ingestor.

        Args:
            settings: the ingest settings, including the worker's limits (``worker_*``).
            regions: the lexicon's regions.
            overrides: sources.yml entries by file name (or ``name#N``).
            cache_dir: where reports are cached; None caches nothing.
        """
        super().__init__(settings, regions, overrides)
        self.cache_dir = cache_dir

    def ingest_file(self, path: Path) -> FileReport:
        """Ingest one file in a bounded child process (or return the cached report of the same input).

        Args:
            path: the document file.

        Returns:
            The documents found in it, or the reason it could not be ingested: including the
            worker's time or memory limit, named in Chinese.
        """
        try:
            data = path.read_bytes()
        except OSError:
            return FileReport(path=str(path), error="文件不存在")
        request = {
            "path": str(path),
            "settings": self.settings.model_dump(mode="json"),
            "regions": self.regions.model_dump(mode="json"),
            "overrides": {
                k: v.model_dump(mode="json", exclude_defaults=True)
                for k, v in self.overrides.items()
                if k == path.name or k.startswith(f"{path.name}#")
            },
        }
        key = _cache_key(data, request)
        cached = self._cached(key, path)
        if cached is not None:
            return cached
        report = self._run(request)
        if report.error is None:
            self._store(key, report)
        return report

    def _run(self, request: dict[str, Any]) -> FileReport:
        path = request["path"]
        slots = _slots(self.settings.worker_slots)
        if not slots.acquire(timeout=self.settings.worker_timeout_s):
            return FileReport(path=path, error=BUSY)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "retrieval.ingest.worker"],
                input=json.dumps(request, ensure_ascii=False).encode("utf-8"),
                capture_output=True,
                timeout=self.settings.worker_timeout_s,
                cwd=_ROOT,
                env=_child_env(),
                check=False,
            )
        except subprocess.TimeoutExpired:
            return FileReport(path=path, error=_timeout_message(self.settings))
        finally:
            slots.release()
        if done.returncode == 0:
            try:
                return FileReport.model_validate_json(done.stdout)
            except ValueError:
                pass
        return FileReport(path=path, error=_failure_message(done, self.settings))

    def _cached(self, key: str, path: Path) -> FileReport | None:
        if self.cache_dir is None or self.settings.preview_cache_entries == 0:
            return None
        entry = self.cache_dir / f"{key}.json"
        try:
            report = FileReport.model_validate_json(entry.read_bytes())
        except (OSError, ValueError):
            return None
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently used entries are kept longest
        return report.model_copy(update={"path": str(path)})

    def _store(self, key: str, report: FileReport) -> None:
        if self.cache_dir is None or self.settings.preview_cache_entries == 0:
            return
        with contextlib.suppress(OSError):
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".report-", dir=self.cache_dir)
            with os.fdopen(fd, "wb") as handle:
                handle.write(report.model_dump_json().encode("utf-8"))
            os.replace(tmp, self.cache_dir / f"{key}.json")
            entries = sorted(self.cache_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[self.settings.preview_cache_entries :]:
                old.unlink(missing_ok=True)


def _child_env() -> dict[str, str]:
    """The child's environment: this interpreter's import path and nothing else, so a parser bug
    exploited by a crafted file finds no secrets (database URL, session key) in its environment."""
    return {
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
        "PATH": os.defpath,
        "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _cache_key(data: bytes, request: dict[str, Any]) -> str:
    digest = hashlib.sha256(data)
    described = {**request, "path": Path(request["path"]).name, "code": _code_fingerprint()}
    digest.update(json.dumps(described, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of the ingestion code, so a deployment with changed code never serves stale reports."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _timeout_message(settings: IngestSettings) -> str:
    return (
        f"文件解析超时（超过 {settings.worker_timeout_s:g} 秒），文件可能过于复杂或页数过多，"
        "请拆分后重新上传，或改为上传文字版（txt/docx）"
    )


def _failure_message(done: subprocess.CompletedProcess[bytes], settings: IngestSettings) -> str:
    errors = done.stderr.decode("utf-8", "replace")
    if "MemoryError" in errors or "Cannot allocate memory" in errors:
        return (
            f"文件解析占用的内存超过上限（{settings.worker_memory_mb} MB），"
            "文件可能过于复杂，请拆分后重新上传，或改为上传文字版（txt/docx）"
        )
    if done.returncode < 0:  # killed: SIGXCPU at the CPU-time limit, SIGKILL by the system
        return _timeout_message(settings)
    return "解析文件时出错，未能读取其内容，请检查文件后重新上传"


def _limit_self(settings: IngestSettings) -> None:
    """Cap this process's address space and CPU time, and lower its priority."""
    memory = settings.worker_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(settings.worker_timeout_s) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    os.nice(settings.worker_nice)


def main() -> None:
    """Child side: read a request (JSON) on stdin, ingest the file, write its report (JSON) to stdout."""
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    settings = IngestSettings.model_validate(request["settings"])
    _limit_self(settings)
    ingestor = Ingestor(
        settings,
        RegionTable.model_validate(request["regions"]),
        {k: MetaOverride.model_validate(v) for k, v in request["overrides"].items()},
    )
    try:
        report = ingestor.ingest_file(Path(request["path"]))
    except Exception:
        # a C parser that runs out of address space may fail with a SystemError, not a MemoryError
        if _peak_bytes() >= _NEAR_LIMIT * settings.worker_memory_mb * 1024 * 1024:
            sys.stderr.write("MemoryError: the address-space limit was reached\n")
        raise
    sys.stdout.buffer.write(report.model_dump_json().encode("utf-8"))


_NEAR_LIMIT = 0.9  # a failure this close to the memory cap is read as hitting it


def _peak_bytes() -> int:
    """This process's peak virtual memory (VmPeak), 0 when /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


if __name__ == "__main__":
    main()
