"""A Chinese word-level tokenizer in Hugging Face ``tokenizers`` format, built from the corpus.

The project's own embedding model must read raw text after ``SentenceTransformer(path)`` with no
jieba at hand, so segmentation is done by a Unigram model (Viterbi over word log-probabilities,
the same principle as jieba's DAG) whose vocabulary is the corpus' jieba words, the lexicon's
terms and colloquial words, and every single character seen.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

UNK = "[UNK]"


def build_tokenizer(segmented: Iterable[list[str]], extra_words: Iterable[str], min_count: int = 1) -> Any:
    """Build a Unigram tokenizer from segmented text.

    Args:
        segmented: texts already cut into words (jieba search mode), used for word frequencies.
        extra_words: words that must be in the vocabulary even if rare (lexicon terms, synonyms).
        min_count: words seen fewer times are left to be composed of smaller pieces.

    Returns:
        A ``tokenizers.Tokenizer`` (NFKC + lowercase, split at whitespace and punctuation).
    """
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import Unigram

    counts: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for words in segmented:
        for word in words:
            counts[word] += 1
            chars.update(word)
    for word in extra_words:
        counts[word] += 2
        chars.update(word)
    vocab = {w: c for w, c in counts.items() if c >= min_count and len(w) > 1}
    for ch, c in chars.items():
        vocab[ch] = vocab.get(ch, 0) + c
    total = sum(vocab.values())
    # Longer words get a bonus so that a known word beats its characters.
    pieces = [(UNK, -20.0)] + [
        (w, math.log(c / total) + 2.5 * (len(w) - 1)) for w, c in sorted(vocab.items(), key=lambda x: -x[1])
    ]
    tokenizer = Tokenizer(Unigram(pieces, unk_id=0, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer
