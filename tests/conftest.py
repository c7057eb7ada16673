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


def write_kb_config(folder: Path, sources: Path, base: str = "", **paths: Path) -> Path:
    """Write ``folder/config.yml`` naming a knowledge base in ``sources`` (with the repository's lexicon and
    sources.yml, and any other ``paths``) after ``base`` (other settings); return its path."""
    named = {"sources": sources, "lexicon": ROOT / "knowledge/lexicon.yml"}
    named["sources_meta"] = ROOT / "knowledge/sources.yml"
    named |= paths
    config = folder / "config.yml"
    lines = "".join(f"  {key}: {value}\n" for key, value in named.items())
    config.write_text(f"{base}\npaths:\n{lines}", encoding="utf-8")
    return config


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
