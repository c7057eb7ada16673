"""Staged uploads behind the admin pages: the checks a file passes before it may wait for publication.

Uploads wait under ``paths.var/uploads`` (never under static files) until published; only then are
they copied into ``paths.sources`` (by the rebuild, ``webchat.rebuild``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from retrieval.ingest.collisions import KnownDocument, claim_collision, identity_collision, known_documents
from retrieval.ingest.pipeline import Ingestor

UPLOAD_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".pdf", ".docx"})
MAX_STEM_CHARS = 80
_BATCH_ID = re.compile(r"^[0-9a-f]{16}$")
_UNSAFE = re.compile(r'[<>:"|?*#%&{}$!`\'=@+]')


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
