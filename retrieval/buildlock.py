"""One index build, publish or rollback at a time across every process that shares the index folder.

A ``threading.Lock`` guards one process only: with ``web.workers > 1``, or several replicas on shared
storage, two rebuilds could run at once. This lock is a file lock (``flock``) on ``<index_root>/.build.lock``,
so it holds across worker processes and across hosts whose shared filesystem supports locks (NFSv4 does);
the operating system releases it when its process dies, so a crashed rebuild never leaves it stuck.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = ".build.lock"
BUSY = "另一个索引构建（或发布、回滚、重新加载）正在进行，请等它完成后再试。"


class BuildBusy(Exception):
    """Another process (or thread) holds the build lock."""

    def __init__(self) -> None:
        super().__init__(BUSY)


class BuildLock:
    """A non-reentrant lock shared by threads and processes; it may be released by another thread
    than the one that took it (a request starts a rebuild, the rebuild thread ends it)."""

    def __init__(self, index_root: Path) -> None:
        """Create the lock of the index store at ``index_root`` (the lock file is created on first use)."""
        self._file = FileLock(str(index_root / LOCK_FILE), thread_local=False)
        self._guard = threading.Lock()
        self._held = False

    def acquire(self, timeout: float = 0) -> bool:
        """Take the lock, waiting up to ``timeout`` seconds.

        Returns:
            True when taken; False when another thread or process holds it.
        """
        with self._guard:
            if self._held:  # the file lock counts re-acquisitions by one object: refuse them here
                return False
            try:
                self._file.acquire(timeout=timeout)
            except Timeout:
                return False
            self._held = True
            return True

    def release(self) -> None:
        """Release the lock (nothing happens when it is not held)."""
        with self._guard:
            if self._held:
                self._file.release()
                self._held = False

    @contextmanager
    def hold(self, timeout: float = 0) -> Iterator[None]:
        """Hold the lock for a block.

        Raises:
            BuildBusy: it could not be taken within ``timeout`` seconds.
        """
        if not self.acquire(timeout):
            raise BuildBusy()
        try:
            yield
        finally:
            self.release()
