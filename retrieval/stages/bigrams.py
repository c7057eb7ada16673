"""Character bigrams of provisions as integer ids, for near-duplicate checks (Jaccard)."""

from __future__ import annotations

import itertools
import threading
import unicodedata

import numpy as np
import numpy.typing as npt


def bigrams(text: str) -> frozenset[str]:
    """Return the distinct character bigrams of ``text``, punctuation, symbols and spaces left out."""
    chars = [ch for ch in text if not unicodedata.category(ch).startswith(("P", "S", "Z"))]
    return frozenset("".join(pair) for pair in itertools.pairwise(chars))


class BigramCache:
    """Each provision's bigrams as sorted integer ids, computed on first use (thread-safe)."""

    def __init__(self) -> None:
        """Start empty."""
        self._vocabulary: dict[str, int] = {}
        self._ids: dict[int, npt.NDArray[np.int64]] = {}
        self._lock = threading.Lock()

    def ids(self, index: int, text: str) -> npt.NDArray[np.int64]:
        """Return the bigram ids of provision ``index`` whose text is ``text``.

        Returns:
            Sorted distinct ids; as many as the text has distinct bigrams.
        """
        found = self._ids.get(index)
        if found is None:
            grams = bigrams(text)
            with self._lock:
                vocabulary = self._vocabulary
                found = np.array(sorted(vocabulary.setdefault(g, len(vocabulary)) for g in grams), dtype=np.int64)
                self._ids[index] = found
        return found

    def overlaps(self, indexes: list[int], texts: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Return how many bigrams each pair of provisions shares, and how many each has.

        Args:
            indexes: provision positions.
            texts: their texts.

        Returns:
            (shared[i, j], sizes[i]) as integer arrays.
        """
        arrays = [self.ids(i, t) for i, t in zip(indexes, texts, strict=True)]
        sizes = np.array([len(a) for a in arrays], dtype=np.int64)
        if not arrays or not sizes.any():
            return np.zeros((len(arrays), len(arrays)), dtype=np.int64), sizes
        # one row of bits per provision over the bigrams they hold between them; shared = popcount(a & b)
        columns, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
        bits = np.zeros((len(arrays), -(-len(columns) // 64) * 64), dtype=bool)
        bits[np.repeat(np.arange(len(arrays)), sizes), inverse] = True
        words = np.packbits(bits, axis=1).view(np.uint64)
        shared: npt.NDArray[np.int64] = np.bitwise_count(words[:, None, :] & words[None, :, :]).sum(
            axis=2, dtype=np.int64
        )
        return shared, sizes
