"""The lexical leg: BM25 (bm25s) over jieba tokens, saved as a directory of plainly named files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt


class LexicalIndex:
    """BM25 scores of token queries against the indexed provisions."""

    def __init__(self, model: object) -> None:
        """Wrap a fitted ``bm25s.BM25`` (use ``build`` or ``load``)."""
        self._model = model
        self._vocab: dict[str, int] = getattr(model, "vocab_dict", {}) or {}

    @classmethod
    def build(cls, corpus_tokens: list[list[str]], k1: float, b: float) -> LexicalIndex:
        """Fit BM25 on tokenised provisions.

        Args:
            corpus_tokens: one token list per provision, in provision order.
            k1: term-frequency saturation.
            b: length normalisation.

        Returns:
            The index.
        """
        import bm25s

        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus_tokens, show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        """Write the index as bm25s' JSON and .npy files into ``directory``."""
        self._model.save(str(directory), show_progress=False)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, directory: Path, mmap: bool = False) -> LexicalIndex:
        """Load an index written by ``save``."""
        import bm25s

        return cls(bm25s.BM25.load(str(directory), mmap=mmap, show_progress=False, verbosity=0))

    def scores(self, tokens: list[str]) -> npt.NDArray[np.float32]:
        """Return the BM25 score of every provision for the query ``tokens`` (unknown tokens ignored)."""
        known = [t for t in tokens if t in self._vocab]
        n = int(getattr(self._model, "scores", {}).get("num_docs", 0))
        if not known:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)  # type: ignore[attr-defined]

    def has(self, token: str) -> bool:
        """Return True when some provision contains ``token``."""
        return token in self._vocab

    def idf(self, token: str) -> float:
        """Return the inverse document frequency of ``token``.

        A token no provision has gets the highest value: it is the most specific part of a question
        and nothing covers it (so "北京公积金" is not answered by a provision that only says "贷款").
        """
        scores = self._model.scores  # type: ignore[attr-defined]
        index = self._vocab.get(token)
        df = 0 if index is None else int(scores["indptr"][index + 1] - scores["indptr"][index])
        return bm25_idf(int(scores["num_docs"]), df)


def bm25_idf(documents: int, frequency: int) -> float:
    """BM25's inverse document frequency of a word found in ``frequency`` of ``documents`` texts."""
    n = documents or 1
    return float(np.log(1 + (n - frequency + 0.5) / (frequency + 0.5)))
