"""Every worker process (and every replica on shared storage) serves the published knowledge base.

Search already follows the index version ``<index_root>/CURRENT`` names. The lexicon and the catalogue
follow ``<index_root>/KNOWLEDGE`` the same way: a maintainer's reload copies both files into
``<index_root>/knowledge/`` under names made of their digest, loads and checks those copies, and only
then points ``KNOWLEDGE`` at them (an atomic rename, under the index build lock). Before each request a
worker compares the pointer with what it serves and loads what changed; when ``CURRENT`` moved, the
catalogue's citations are re-resolved against the new version's documents. Once a reload has been
published it is what every worker starts with, too: a restart does not pick up a hand edit of
lexicon.yml or policies.yml, the admin's 重新加载 does.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

from flask import Flask
from pydantic import BaseModel, ValidationError

from knowledge.service import EligibilityService
from knowledge.settings import Settings
from retrieval.search import NoIndexError
from webchat.answers import composer_of
from webchat.app import retrieval_of
from webchat.policies import ELIGIBILITY
from webchat.reload import RELOAD_ERRORS, reload_catalogue, reload_lexicon

POINTER = "KNOWLEDGE"
SNAPSHOTS = "knowledge"
FOLLOWER = "policybot.kbsync"
log = logging.getLogger(__name__)


class KnowledgeStamp(BaseModel):
    """What ``KNOWLEDGE`` says: the published lexicon and catalogue (file names under ``knowledge/``)."""

    generation: int
    lexicon: str
    policies: str
    published: str
    by: str


def read_stamp(index_root: Path) -> KnowledgeStamp | None:
    """Return the published lexicon/catalogue pointer, or None before the first reload (or if unreadable)."""
    try:
        return KnowledgeStamp.model_validate_json((index_root / POINTER).read_text(encoding="utf-8"))
    except (OSError, ValidationError, ValueError):
        return None


def _snapshot(source: Path, folder: Path) -> str:
    """Copy ``source`` into ``folder`` under a name made of its digest; return that name."""
    data = source.read_bytes()
    name = f"{source.stem}-{hashlib.sha256(data).hexdigest()[:16]}{source.suffix}"
    if (folder / name).exists():
        os.utime(folder / name)  # published again: the newest, as far as pruning is concerned
    else:
        fd, tmp = tempfile.mkstemp(prefix=".snapshot-", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, folder / name)
    return name


class KnowledgeFollower:
    """Keeps one app (one worker process) on the published lexicon, catalogue and index version."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        """Follow from the state ``create_app`` loaded (the configured files, the current index)."""
        self.app = app
        self.settings = settings
        self.root = settings.paths.index_root
        self.folder = self.root / SNAPSHOTS
        self.generation = 0  # the KNOWLEDGE generation served; 0 = the configured files
        self.lexicon_name: str | None = None
        self.index_version = retrieval_of(app).store.current()  # whose documents citations resolve to
        self.last_error: str | None = None
        self._seen: tuple[int, int, int] | None = None  # (inode, mtime, size) of the pointer last read
        self._lock = threading.Lock()

    def settings_for(self, stamp: KnowledgeStamp | None) -> Settings:
        """Return the settings whose lexicon and catalogue paths are the published copies of ``stamp``."""
        if stamp is None:
            return self.settings
        paths = self.settings.paths.model_copy(
            update={"lexicon": self.folder / stamp.lexicon, "policies": self.folder / stamp.policies}
        )
        return self.settings.model_copy(update={"paths": paths})

    def sync(self) -> None:
        """Load what was published since this worker last looked (cheap when nothing changed)."""
        self._follow_knowledge()
        self._follow_index()

    def _follow_knowledge(self) -> None:
        try:
            info = os.stat(self.root / POINTER)
        except FileNotFoundError:
            return
        seen = (info.st_ino, info.st_mtime_ns, info.st_size)
        if seen == self._seen or not self._lock.acquire(blocking=False):
            return  # nothing new, or another request is loading it: serve what is loaded meanwhile
        try:
            stamp = read_stamp(self.root)
            if stamp is None or stamp.generation == self.generation:
                self._seen = seen
                return
            service, refs = retrieval_of(self.app), self._eligibility().document_refs()
            try:
                if stamp.lexicon != self.lexicon_name:
                    eligibility = reload_lexicon(service, self.settings_for(stamp), refs)
                else:
                    eligibility = reload_catalogue(service, self.settings_for(stamp), refs)
            except (*RELOAD_ERRORS, OSError) as exc:  # keep serving what is loaded; not retried per request
                self.last_error = f"词库/政策目录第 {stamp.generation} 版无法加载：{exc}"
                log.error("%s", self.last_error)
                self._seen = seen
                return
            self.generation, self.lexicon_name, self._seen = stamp.generation, stamp.lexicon, seen
            self.last_error = None
            self._install(eligibility)
        finally:
            self._lock.release()

    def _follow_index(self) -> None:
        service = retrieval_of(self.app)
        current = service.store.current()
        if current is None or current == self.index_version or not self._lock.acquire(blocking=False):
            return
        try:
            loaded = service.searcher.current()
            if loaded.version != self.index_version:
                refs = [(m.id, m.number, m.title) for m in loaded.corpus.documents.values()]
                self._install(self._eligibility().with_documents(refs))
                self.index_version = loaded.version
        except NoIndexError:
            return
        finally:
            self._lock.release()

    def publish(self, what: str, by: str) -> EligibilityService:
        """Reload the lexicon (``what="lexicon"``) or the catalogue from the configured files and make it
        what every worker serves.

        Returns:
            The new eligibility service (already installed in this app).

        Raises:
            retrieval.buildlock.BuildBusy: a rebuild, rollback or another reload is running.
            LexiconError, CatalogueError: the file is malformed (nothing is published or changed).
        """
        service = retrieval_of(self.app)
        with service.store.lock.hold():
            previous = read_stamp(self.root)
            self.folder.mkdir(parents=True, exist_ok=True)
            # a catalogue reload keeps the published lexicon (before the first reload: the configured file)
            lexicon = previous.lexicon if previous and what != "lexicon" else None
            lexicon = lexicon or _snapshot(self.settings.paths.lexicon, self.folder)
            full = lexicon != self.lexicon_name  # load the lexicon too unless this worker serves it already
            policies = _snapshot(self.settings.paths.policies, self.folder)
            stamp = KnowledgeStamp(
                generation=(previous.generation if previous else 0) + 1,
                lexicon=lexicon,
                policies=policies,
                published=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                by=by,
            )
            refs = self._eligibility().document_refs()
            loaded = self.settings_for(stamp)
            with self._lock:
                reload = reload_lexicon if full else reload_catalogue
                eligibility = reload(service, loaded, refs)
                fd, tmp = tempfile.mkstemp(prefix=".knowledge-", dir=self.root)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(stamp.model_dump_json(indent=2))
                os.replace(tmp, self.root / POINTER)
                self.generation, self.lexicon_name, self._seen, self.last_error = stamp.generation, lexicon, None, None
                self._install(eligibility)
            self._prune({lexicon, policies})
            return eligibility

    def _prune(self, keep: set[str]) -> None:
        """Keep as many copies of each file as index versions are kept (``index.keep_versions``): delete
        the oldest beyond that, never those just published."""
        files = sorted(self.folder.glob("*.yml"), key=lambda p: p.stat().st_mtime, reverse=True)
        for path in files[2 * self.settings.index.keep_versions :]:
            if path.name not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _eligibility(self) -> EligibilityService:
        service: EligibilityService = self.app.extensions[ELIGIBILITY]
        return service

    def _install(self, eligibility: EligibilityService) -> None:
        """Serve the retrieval service's (possibly new) searcher and ``eligibility`` everywhere they are used."""
        self.app.extensions[ELIGIBILITY] = eligibility
        composer = composer_of(self.app)
        composer.searcher, composer.eligibility = retrieval_of(self.app).searcher, eligibility


def init_follower(app: Flask, settings: Settings) -> KnowledgeFollower:
    """Create the app's follower, load what is published now, and check again before every request."""
    follower = KnowledgeFollower(app, settings)
    app.extensions[FOLLOWER] = follower
    follower.sync()
    app.before_request(follower.sync)
    return follower


def follower_of(app: Flask) -> KnowledgeFollower:
    """Return the app's knowledge follower."""
    follower: KnowledgeFollower = app.extensions[FOLLOWER]
    return follower
