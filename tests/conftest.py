"""Shared fixtures: the real settings, the real seed documents, an ingestor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.regions import load_regions
from knowledge.settings import Settings, load_settings
from knowledge.sources import load_overrides
from retrieval.ingest.models import Document
from retrieval.ingest.pipeline import Ingestor
from tests.stack import Stack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT / "config.yml")


@pytest.fixture(scope="session")
def ingestor(settings: Settings) -> Ingestor:
    return Ingestor(settings.ingest, load_regions(settings.paths.lexicon), load_overrides(settings.paths.sources_meta))


@pytest.fixture(scope="session")
def seed_documents(settings: Settings, ingestor: Ingestor) -> dict[str, Document]:
    reports = ingestor.ingest_paths([settings.paths.sources])
    assert all(r.error is None for r in reports), [r.error for r in reports]
    return {doc.meta.id: doc for r in reports for doc in r.documents}


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real stack on loopback: web app (default config, own index), Rasa server, action server."""
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
