"""Shared fixtures: the real settings, the real seed documents, an ingestor."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.regions import load_regions
from knowledge.settings import Settings, load_settings
from knowledge.sources import load_overrides
from retrieval.ingest.models import Document
from retrieval.ingest.pipeline import Ingestor

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
