"""Wiring: settings → lexicon, index store, ingestor and searcher, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.clock import Clock, system_clock
from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.settings import Settings
from knowledge.sources import load_overrides
from retrieval.builder import BuildReport, build_index
from retrieval.ingest.models import Document, FileReport
from retrieval.ingest.pipeline import Ingestor
from retrieval.search import Searcher
from retrieval.store import IndexStore


@dataclass
class RetrievalService:
    """Everything retrieval needs, from one settings object."""

    settings: Settings
    lexicon: Lexicon
    store: IndexStore
    searcher: Searcher

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock = system_clock) -> RetrievalService:
        """Load the lexicon and open the index store (the index itself loads on first search).

        Args:
            settings: the one settings object.
            clock: today's date for searches that name no as-of date (tests pass a fixed one).

        Raises:
            knowledge.regions.LexiconError: the lexicon is malformed.
        """
        lexicon = load_lexicon(settings.paths.lexicon)
        store = IndexStore(settings.paths.index_root)
        return cls(settings, lexicon, store, Searcher(store, lexicon, settings.retrieval, clock))

    def ingestor(self) -> Ingestor:
        """Return an ingestor with the lexicon's regions and the sources.yml overrides."""
        overrides = load_overrides(self.settings.paths.sources_meta)
        return Ingestor(self.settings.ingest, self.lexicon.region_table, overrides)

    def ingest_sources(self) -> tuple[list[Document], list[FileReport]]:
        """Ingest the knowledge base; return the documents and the reports of files that failed."""
        reports = self.ingestor().ingest_paths([self.settings.paths.sources])
        return [d for r in reports for d in r.documents], [r for r in reports if r.error]

    def build(self, publish: bool = True, train_model: bool | None = None) -> tuple[BuildReport, list[FileReport]]:
        """Ingest the sources and build (and by default publish) a new index version.

        Raises:
            retrieval.builder.BuildError: nothing to index, or duplicate document ids.
            retrieval.buildlock.BuildBusy: another build, publish or rollback is running (any process).
        """
        with self.store.lock.hold():
            documents, failed = self.ingest_sources()
            report = build_index(
                self.settings, self.lexicon, documents, self.store, publish, train_model, self.searcher.tokenizer
            )
        return report, failed
