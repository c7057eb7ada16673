"""Word coverage: what a question asks about, and how much of it a provision's text covers.

Used by the coverage reranker and by the confidence stage.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from knowledge.lexicon import Lexicon
from knowledge.places import is_place_name
from retrieval.lexical import bm25_idf
from retrieval.stages.model import IndexState, QuestionWords

_QUANTITY = re.compile(r"[\d一二两三四五六七八九十百几多半]+[年月天周岁个次]?[多半]?")
_SEPARATOR = "\x00"  # joins texts for one scan per word; no question word contains it


def question_words(text: str, words: list[str], lexicon: Lexicon, state: IndexState) -> QuestionWords:
    """Return what the question asks about: (weight, ways of covering it) per word.

    ``words`` are the question's words (``Tokenizer.words``).

    A word is covered by a provision containing it or, for a colloquial word, one of its official
    terms. Place names are left out, those of regions without documents (武汉, 北京) too: region
    ranking handles them, and such a citizen is answered from the national provisions. Weights are
    IDF: a word no provision contains weighs most.
    """
    matches = lexicon.matches(text)
    table = lexicon.region_table
    out: QuestionWords = []
    for word in dict.fromkeys(words):
        if len(word) < 2 or _QUANTITY.fullmatch(word):
            continue  # single characters and amounts of time carry the grammar, not the topic
        if table.exact(word) is not None or is_place_name(word):
            continue  # a place is not the topic: region ranking handles it
        alternatives = [word]
        for key, terms in matches:
            if word in key or key in word:
                alternatives.extend(terms)
        out.append((idf(state, word), tuple(dict.fromkeys(alternatives))))
    return out


def idf(state: IndexState, word: str) -> float:
    """Inverse document frequency of ``word`` over what coverage is judged against: the provisions and,
    when there are doc2query questions, those too (so "咋办", common in questions, weighs little)."""
    if not state.match_df:
        return state.bm25.idf(word)
    return bm25_idf(len(state.match_texts), state.match_df.get(word, 0))


def coverage(text: str, question: QuestionWords) -> float:
    """Return the IDF-weighted share of the question's words that ``text`` covers (0 … 1)."""
    asked = sum(weight for weight, _ in question)
    if asked <= 0:
        return 0.0
    covered = sum(weight for weight, ways in question if any(way in text for way in ways))
    return covered / asked


def coverages(texts: Sequence[str], question: QuestionWords) -> npt.NDArray[np.float64]:
    """Return ``coverage`` of each of ``texts``, the same figures, with one scan per word instead of one per text.

    Returns:
        One value per text (0 … 1).
    """
    asked = sum(weight for weight, _ in question)
    covered = np.zeros(len(texts))
    if asked <= 0 or not texts:
        return covered
    joined = _SEPARATOR.join(texts)
    starts = [0]
    for text in texts[:-1]:
        starts.append(starts[-1] + len(text) + 1)
    ends = [*starts[1:], len(joined) + 1]
    for weight, ways in question:
        hit = np.zeros(len(texts), dtype=bool)
        for way in ways:
            if not way or _SEPARATOR in way:
                hit |= np.array([way in text for text in texts], dtype=bool)
                continue
            at = joined.find(way)
            while at >= 0:
                j = bisect_right(starts, at) - 1
                hit[j] = True
                at = joined.find(way, ends[j])  # the next text
        covered[hit] += weight
    result: npt.NDArray[np.float64] = covered / asked
    return result
