"""Reloading the lexicon and the catalogue without a restart (the admin's 重新加载, and every worker
following a published reload through ``webchat.kbsync``)."""

from __future__ import annotations

import contextlib

from knowledge.catalogue import CatalogueError
from knowledge.lexicon import load_lexicon
from knowledge.regions import LexiconError
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from retrieval.search import NoIndexError, Searcher
from retrieval.service import RetrievalService


def reload_lexicon(
    service: RetrievalService, settings: Settings, documents: list[tuple[str, str | None, str]]
) -> EligibilityService:
    """Load the lexicon again and swap in a searcher that uses it (the old one serves until then).

    Args:
        service: the app's retrieval service; its ``lexicon`` and ``searcher`` are replaced on success.
        settings: where the lexicon and catalogue are.
        documents: (id, 文号, title) of the current documents, for the eligibility service.

    Returns:
        A new eligibility service built on the new lexicon, for the caller to swap in.

    Raises:
        LexiconError: the lexicon is malformed (nothing is changed).
        CatalogueError: the catalogue does not fit the new lexicon (nothing is changed).
    """
    lexicon = load_lexicon(settings.paths.lexicon)
    eligibility = EligibilityService.from_settings(settings, lexicon, documents)
    searcher = Searcher(service.store, lexicon, settings.retrieval, service.searcher.clock)
    with contextlib.suppress(NoIndexError):  # no index yet: reported on the first search, as before
        searcher.current()
    searcher.tokenizer.tokens("预热")  # load jieba with the new terms before the swap
    service.lexicon, service.searcher = lexicon, searcher
    return eligibility


def reload_catalogue(
    service: RetrievalService, settings: Settings, documents: list[tuple[str, str | None, str]]
) -> EligibilityService:
    """Load and validate the policy catalogue again.

    Returns:
        The new eligibility service for the caller to swap in.

    Raises:
        CatalogueError: the catalogue is malformed (the old one keeps serving).
    """
    return EligibilityService.from_settings(settings, service.lexicon, documents)


RELOAD_ERRORS = (LexiconError, CatalogueError)
