"""Loading one published index version into the arrays the search stages read."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrieval.builder import BM25_DIR, DENSE_DIR, QUESTIONS_DIR, QUESTIONS_FILE
from retrieval.corpus import Corpus
from retrieval.ingest.models import DocumentMeta
from retrieval.lexical import LexicalIndex
from retrieval.stages.model import IndexState
from retrieval.store import IndexStore, read_jsonl
from retrieval.tokenize import Tokenizer

_HAS_NUMBER = re.compile(r"\d")


def load_index(store: IndexStore, version: str, tokenizer: Tokenizer, coverage_doc2query: bool) -> IndexState:
    """Verify and load ``version`` of ``store``.

    Args:
        store: the index store.
        version: the version to load.
        tokenizer: counts the words of the texts coverage is judged against.
        coverage_doc2query: judge coverage against each provision's doc2query questions too.

    Returns:
        The loaded version; a dense model, if any, is loaded and warmed up.

    Raises:
        IndexStoreError, OSError, ValueError: the version is damaged or unreadable.
    """
    manifest = store.verify(version)
    base = store.path(version)
    corpus = Corpus.load(base)
    bm25 = LexicalIndex.load(base / BM25_DIR)
    dense = encoder = None
    if manifest.dense_index and manifest.model:
        from retrieval.dense.encoder import Encoder
        from retrieval.dense.vectors import VectorIndex

        model_path = Path(manifest.model)
        encoder = Encoder(model_path if model_path.is_absolute() else base / model_path)
        dense = VectorIndex.load(base / DENSE_DIR)
        encoder.encode(["预热"])  # load the model now, not during the first question
    region_list = [corpus.documents[p.doc_id].region for p in corpus.provisions]
    regions = np.array(region_list, dtype=object)
    region_index = {region: code for code, region in enumerate(dict.fromkeys(region_list))}
    recency = _recency([corpus.documents[p.doc_id] for p in corpus.provisions])
    questions = LexicalIndex.load(base / QUESTIONS_DIR) if (base / QUESTIONS_DIR).is_dir() else None
    asked: dict[str, list[str]] = {}
    if coverage_doc2query and (base / QUESTIONS_FILE).exists():
        asked = {row["id"]: row["questions"] for row in read_jsonl(base / QUESTIONS_FILE)}
    # what covering a question's words is judged against: the provision, its headings and the
    # citizen questions written for it (their everyday words)
    match_texts = [" ".join([p.text, *p.section, *asked.get(p.id, [])]).lower() for p in corpus.provisions]
    match_df: dict[str, int] = {}
    if asked:
        for text in match_texts:
            for word in set(tokenizer.words(text)):
                match_df[word] = match_df.get(word, 0) + 1
    return IndexState(
        version,
        corpus,
        bm25,
        dense,
        encoder,
        regions,
        recency,
        match_texts,
        questions,
        match_df,
        has_number=np.array([bool(_HAS_NUMBER.search(p.text)) for p in corpus.provisions], dtype=bool),
        region_codes=np.array([region_index[r] for r in region_list], dtype=np.int64),
        region_index=region_index,
    )


def _recency(metas: list[DocumentMeta]) -> npt.NDArray[np.float32]:
    """Return each provision's document age on a 0 (oldest) … 1 (newest) scale."""

    def ordinal(meta: DocumentMeta) -> int:
        if meta.period is not None:
            return date(meta.period[1], 12, 31).toordinal()
        return date.fromisoformat(meta.date).toordinal() if meta.date else 0

    values = np.array([ordinal(m) for m in metas], dtype=np.float64)
    known = values[values > 0]
    if known.size == 0 or known.max() == known.min():
        return np.zeros(len(metas), dtype=np.float32)
    scaled = (values - known.min()) / (known.max() - known.min())
    clipped: npt.NDArray[np.float32] = np.clip(scaled, 0, 1).astype(np.float32)
    return clipped
