"""Mend a pinyin typing slip: a policy word typed with a same-sounding wrong character (失叶金 → 失业金).

Citizens type on phones with pinyin input; picking the wrong candidate gives a character with the
word's sound but not its meaning (低宝, 创叶, 见洗, 养劳). Such a slip is mended only when all of these hold:

- the typed span sounds exactly like a word of the lexicon (tones ignored) and differs from it in one
  character, keeping the others;
- the span is not a word of its own (事业 is not 失业, 机能 is not 技能): the segmenter's dictionary does
  not know it;
- the span starts and ends on the segmenter's word boundaries, so it is not half of another word (the
  "是业" in "这是业务" stays);
- the wrong character is not a word on its own in the segmenter's reading: a slip makes an unknown word
  (失叶金, 带款), while "工程是啥", "在就业上", "找人" are the right words, one sounding like a lexicon word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from knowledge.lexicon import Lexicon

_HAN = re.compile(r"^[\u3400-\u9fff]+$")
MIN_CHARS = 2
MAX_CHARS = 6


@lru_cache(maxsize=4096)
def _sounds(text: str) -> tuple[str, ...]:
    """Return the toneless pinyin of each character of ``text``."""
    from pypinyin import lazy_pinyin  # its dictionaries load on first use

    return tuple(lazy_pinyin(text))


def lexicon_vocabulary(lexicon: Lexicon) -> tuple[list[str], list[str]]:
    """Return the words slips are mended to: (preferred, everyday). Preferred are the lexicon's terms, the
    words its everyday words stand for and its phrases for groups of people; everyday are the everyday
    words themselves (失业金, 招人), some of them typos (代款): a slip sounding like both is the term's, and a
    two-character slip is mended only to a preferred word ("找人" is no slip of 招人)."""
    targets = [word for words in lexicon.synonyms.values() for word in words]
    groups = [phrase for phrases in lexicon.groups.values() for phrase in phrases]
    return list(dict.fromkeys([*lexicon.terms, *targets, *groups])), list(lexicon.synonyms)


class HomophoneFixer:
    """Mends same-sounding typing slips of the lexicon's words in a question."""

    def __init__(
        self,
        vocabulary: tuple[Iterable[str], Iterable[str]],
        segment: Callable[[str], list[str]],
        is_word: Callable[[str], bool],
    ) -> None:
        """Create a fixer.

        Args:
            vocabulary: the words slips are mended to, (preferred, everyday): where two sound alike the
                preferred one wins, and a two-character slip is mended only to a preferred word.
            segment: splits a text into words (the search's segmenter), to find word boundaries.
            is_word: whether the segmenter's dictionary knows a span as a word of its own.
        """
        self._segment = segment
        self._is_word = is_word
        preferred, everyday = vocabulary
        words: dict[str, bool] = {}  # word → preferred
        for word, best in [*((w, True) for w in preferred), *((w, False) for w in everyday)]:
            if MIN_CHARS <= len(word) <= MAX_CHARS and _HAN.match(word):
                words.setdefault(word, best)
        self._words = words
        self._by_sound: dict[tuple[str, ...], list[str]] | None = None

    def _index(self) -> dict[tuple[str, ...], list[str]]:
        if self._by_sound is None:
            index: dict[tuple[str, ...], list[str]] = {}
            for word in self._words:  # preferred words first
                index.setdefault(_sounds(word), []).append(word)
            self._by_sound = index
        return self._by_sound

    def fix(self, text: str) -> str:
        """Return ``text`` with every slip mended (unchanged when there is none).

        Args:
            text: the question, normalised.

        Returns:
            The question with each mended span replaced by the word it was meant to be.
        """
        if not text:
            return text
        index = self._index()
        bounds, at = {0}, 0
        alone: set[int] = set()  # positions of one-character words
        for piece in self._segment(text):
            if len(piece) == 1:
                alone.add(at)
            at += len(piece)
            bounds.add(at)
        out: list[str] = []
        i = 0
        while i < len(text):
            mended = self._mend_at(text, i, bounds, alone, index)
            if mended is None:
                out.append(text[i])
                i += 1
            else:
                out.append(mended)
                i += len(mended)
        return "".join(out)

    def _mend_at(
        self, text: str, start: int, bounds: set[int], alone: set[int], index: dict[tuple[str, ...], list[str]]
    ) -> str | None:
        """Return the word a slip starting at ``start`` was meant to be, longest first; None if none."""
        if start not in bounds:
            return None
        for size in range(min(MAX_CHARS, len(text) - start), MIN_CHARS - 1, -1):
            span = text[start : start + size]
            if start + size not in bounds or not _HAN.match(span) or span in self._words or self._is_word(span):
                continue
            for word in index.get(_sounds(span), ()):
                if size == MIN_CHARS and not self._words[word]:
                    continue
                wrong = [start + k for k, (a, b) in enumerate(zip(span, word, strict=True)) if a != b]
                if len(wrong) == 1 and wrong[0] not in alone:
                    return word
        return None
