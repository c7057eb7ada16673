"""Chinese tokenisation for search: jieba (search mode) with the lexicon's terms, stop words removed."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from typing import Any

from knowledge.lexicon import Lexicon

_WORD = re.compile(r"[\u3400-\u9fff]|[a-z0-9]")


class Tokenizer:
    """Splits text into search tokens; thread-safe, the jieba dictionary loads on first use."""

    def __init__(self, lexicon: Lexicon) -> None:
        """Create a tokenizer.

        Args:
            lexicon: supplies the policy terms (kept as one token) and the stop words.
        """
        self._terms = list(lexicon.terms) + [k for k in lexicon.synonyms if len(k) > 1]
        self._stopwords = frozenset(lexicon.stopwords)
        self._jieba: Any = None
        self._lock = threading.Lock()
        self._term_tokens: dict[str, list[str]] = {}  # lexicon terms are few: their tokens are kept

    def _engine(self) -> Any:
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    engine = jieba.Tokenizer()
                    engine.initialize()
                    for term in self._terms:
                        engine.add_word(term, freq=max(engine.suggest_freq(term, False), 10_000))
                    self._jieba = engine
        return self._jieba

    def words(self, text: str) -> list[str]:
        """Return the words of ``text`` in jieba's precise mode (no overlapping sub-words), stop words dropped.

        Args:
            text: normalised text.

        Returns:
            Words in order; what a question asks about, for judging how well a provision covers it.
        """
        text = unicodedata.normalize("NFKC", text).lower()
        return [
            w.strip()
            for w in self._engine().cut(text)
            if w.strip() and w.strip() not in self._stopwords and _WORD.search(w)
        ]

    def segments(self, text: str) -> list[str]:
        """Return ``text`` cut into words in jieba's precise mode, nothing dropped (they join back to it)."""
        return list(self._engine().cut(text))

    def is_word(self, span: str) -> bool:
        """Return True when the dictionary (jieba's and the lexicon's terms) knows ``span`` as a word."""
        return bool(self._engine().FREQ.get(span))

    def tokens(self, text: str) -> list[str]:
        """Return the search tokens of ``text`` (words and their sub-words; stop words dropped).

        Args:
            text: normalised text (see ``retrieval.ingest.normalize.normalize_chars``).

        Returns:
            Tokens in order; may be empty (e.g. only punctuation or only stop words).
        """
        text = unicodedata.normalize("NFKC", text).lower()
        out = []
        for token in self._engine().cut_for_search(text):
            token = token.strip()
            if token and token not in self._stopwords and _WORD.search(token):
                out.append(token)
        return out

    def term_tokens(self, terms: list[str]) -> list[str]:
        """Return the search tokens of lexicon terms, term after term (the tokens of the terms joined by
        spaces); each term's tokens are computed once and remembered.

        Args:
            terms: official terms of the lexicon (a bounded set).

        Returns:
            Tokens in order, duplicates kept.
        """
        out: list[str] = []
        for term in terms:
            found = self._term_tokens.get(term)
            if found is None:
                found = self._term_tokens[term] = self.tokens(term)
            out.extend(found)
        return out

    def analyse(self, text: str) -> tuple[list[str], list[str]]:
        """Return ``(tokens(text), words(text))`` from one segmentation of ``text``.

        jieba's search mode is its precise mode plus, for each word longer than two characters, the
        dictionary's 2- and 3-character pieces of it; both come from the one precise cut here.

        Args:
            text: normalised text.

        Returns:
            The search tokens and the words, as ``tokens`` and ``words`` return them.
        """
        text = unicodedata.normalize("NFKC", text).lower()
        engine = self._engine()
        known = engine.FREQ
        tokens: list[str] = []
        words: list[str] = []
        for word in engine.cut(text):
            pieces: list[str] = []
            if len(word) > 2:
                pieces.extend(gram for i in range(len(word) - 1) if known.get(gram := word[i : i + 2]))
            if len(word) > 3:
                pieces.extend(gram for i in range(len(word) - 2) if known.get(gram := word[i : i + 3]))
            pieces.append(word)
            for piece in pieces:
                piece = piece.strip()
                if piece and piece not in self._stopwords and _WORD.search(piece):
                    tokens.append(piece)
            stripped = word.strip()
            if stripped and stripped not in self._stopwords and _WORD.search(word):
                words.append(stripped)
        return tokens, words
