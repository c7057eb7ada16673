"""Versioned index directories published atomically through a CURRENT pointer file.

Layout of ``index_root``::

    versions/<version>/manifest.json   counts, checksums, model reference, build settings
    versions/<version>/UNPUBLISHED     present until the version is first published
    versions/<version>/...             files written by the index builder
    CURRENT                            the published version's name (replaced with os.replace)

A version directory is built under a temporary name and renamed into place when complete, and the
pointer is swapped with an atomic rename, so a reader sees either the old or the new version,
never a half-written one. A version that was never published (its publish failed, or it was built
with ``--no-publish``) is not offered for rollback, does not count among the versions kept, and is
deleted by ``discard`` or by the next ``prune``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from retrieval.buildlock import BuildLock

MANIFEST = "manifest.json"
POINTER = "CURRENT"
UNPUBLISHED = "UNPUBLISHED"  # marker file of a committed version that has never been published


class IndexStoreError(Exception):
    """A version is missing, incomplete or corrupted; the message says which and why."""


class Manifest(BaseModel):
    """What a version holds; written last, so a version without one is incomplete."""

    version: str
    created: str
    documents: int
    provisions: int
    model: str | None = None
    dense_index: str | None = None
    files: dict[str, str] = Field(default_factory=dict, description="relative path → sha256")
    settings: dict[str, Any] = Field(default_factory=dict)


class IndexStore:
    """Creates, lists, publishes and rolls back index versions under one root folder."""

    def __init__(self, root: Path) -> None:
        """Open (and create if needed) the store at ``root``."""
        self.root = root
        self.versions_dir = root / "versions"
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        self.lock = BuildLock(root)  # one build/publish/rollback at a time, across processes

    def new_build_dir(self) -> Path:
        """Return a fresh temporary directory to build a version in (inside the store's filesystem)."""
        return Path(tempfile.mkdtemp(prefix=".build-", dir=self.versions_dir))

    def commit(self, build_dir: Path, manifest: Manifest) -> Path:
        """Checksum the files of ``build_dir``, write its manifest and move it into place.

        Args:
            build_dir: a directory from ``new_build_dir`` holding the built files.
            manifest: the manifest; ``files`` is filled in here.

        Returns:
            The final version directory (not yet published: marked ``UNPUBLISHED`` until ``publish``).
        """
        manifest.files = {
            str(path.relative_to(build_dir)): _sha256(path)
            for path in sorted(build_dir.rglob("*"))
            if path.is_file() and path.name not in (MANIFEST, UNPUBLISHED)
        }
        (build_dir / UNPUBLISHED).write_text(manifest.created + "\n", encoding="utf-8")
        (build_dir / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        final = self.versions_dir / manifest.version
        if final.exists():
            raise IndexStoreError(f"索引版本 {manifest.version} 已存在")
        os.replace(build_dir, final)
        return final

    @staticmethod
    def new_version_name() -> str:
        """Return a sortable, unique version name (UTC timestamp with microseconds)."""
        return datetime.now(UTC).strftime("v%Y%m%d-%H%M%S-%f")

    def versions(self) -> list[Manifest]:
        """Return the manifests of the complete versions that have been published, oldest first
        (what rollback offers)."""
        return self._complete(published=True)

    def unpublished(self) -> list[Manifest]:
        """Return the manifests of complete versions never published (a failed publish, ``--no-publish``)."""
        return self._complete(published=False)

    def _complete(self, published: bool) -> list[Manifest]:
        out = []
        for path in sorted(self.versions_dir.iterdir()):
            if path.is_dir() and not path.name.startswith(".") and (path / MANIFEST).exists():
                if (path / UNPUBLISHED).exists() == published:
                    continue
                try:
                    out.append(self.manifest(path.name))
                except IndexStoreError:
                    continue
        return out

    def discard(self, version: str) -> None:
        """Delete a version that was never published (what a failed publish leaves); others are kept."""
        path = self.versions_dir / version
        if version != self.current() and (path / UNPUBLISHED).exists():
            shutil.rmtree(path, ignore_errors=True)

    def manifest(self, version: str) -> Manifest:
        """Return a version's manifest.

        Raises:
            IndexStoreError: the version does not exist or its manifest is unreadable.
        """
        path = self.versions_dir / version / MANIFEST
        try:
            return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IndexStoreError(f"索引版本 {version} 不存在或不完整") from exc
        except ValueError as exc:
            raise IndexStoreError(f"索引版本 {version} 的清单已损坏: {exc}") from exc

    def verify(self, version: str) -> Manifest:
        """Check every file of a version against its manifest checksums.

        Returns:
            The manifest when all files are present and intact.

        Raises:
            IndexStoreError: naming the missing or altered file.
        """
        manifest = self.manifest(version)
        base = self.versions_dir / version
        for name, digest in manifest.files.items():
            path = base / name
            if not path.exists():
                raise IndexStoreError(f"索引版本 {version} 缺少文件 {name}")
            if _sha256(path) != digest:
                raise IndexStoreError(f"索引版本 {version} 的文件 {name} 校验失败（已损坏）")
        return manifest

    def current(self) -> str | None:
        """Return the published version's name, or None before the first publish."""
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def path(self, version: str) -> Path:
        """Return the directory of a version."""
        return self.versions_dir / version

    def publish(self, version: str) -> None:
        """Make ``version`` the current one after verifying it (atomic pointer swap).

        Raises:
            IndexStoreError: the version is missing or corrupted; the current one stays.
        """
        self.verify(version)
        # published from now on (before the swap: CURRENT never names a version marked unpublished)
        (self.versions_dir / version / UNPUBLISHED).unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".pointer-", dir=self.root)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(version + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.root / POINTER)

    def rollback(self, version: str | None = None) -> str:
        """Publish ``version``, or the version before the current one.

        Returns:
            The version now current.

        Raises:
            IndexStoreError: there is nothing to roll back to, the target was never published, or it
                is corrupted.
        """
        names = [m.version for m in self.versions()]
        if version is None:
            current = self.current()
            if current not in names or names.index(current) == 0:
                raise IndexStoreError("没有更早的索引版本可以回滚")
            version = names[names.index(current) - 1]
        elif version not in names:
            raise IndexStoreError(f"索引版本 {version} 不存在")
        self.publish(version)
        return version

    def prune(self, keep: int) -> list[str]:
        """Delete the oldest published versions beyond ``keep`` (never the current one) and every version
        never published; return what was removed."""
        current = self.current()
        removable = [m.version for m in self.versions() if m.version != current]
        doomed = removable[: max(0, len(removable) - (keep - 1))]
        doomed += [m.version for m in self.unpublished() if m.version != current]
        for name in doomed:
            shutil.rmtree(self.versions_dir / name, ignore_errors=True)
        return doomed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as UTF-8 JSON lines."""
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read UTF-8 JSON lines."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
