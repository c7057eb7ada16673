"""A follow-up's own words lead: "想学门手艺 有地方学么" after a question on raising cattle is answered by a
provision about training, not by the topic's provision again."""

from __future__ import annotations

from collections.abc import Iterable

from knowledge.lexicon import Lexicon
from retrieval.search import SearchResult
from retrieval.stages.bigrams import bigrams


def _grams(words: Iterable[str]) -> frozenset[str]:
    """The character pairs of ``words``."""
    return frozenset().union(*(bigrams(word) for word in words))


class OwnWordsLead:
    """Puts first the closest result that speaks of the words a follow-up brings and its topic lacks."""

    def __init__(self, lexicon: Lexicon, ratio: float) -> None:
        """Create the component.

        Args:
            lexicon: knows the everyday words (手艺) and the policy words they stand for (职业技能培训).
            ratio: a result must score at least this share of the best to lead instead (0 = off).

        Raises:
            ValueError: a ratio outside 0 … 1.
        """
        if not 0 <= ratio <= 1:
            raise ValueError("answer.own_words_ratio 必须在 0 到 1 之间")
        self.lexicon = lexicon
        self.ratio = ratio
        # policy words a citizen also types as they are ("补贴", "创业担保贷款")
        targets = {word for words in lexicon.synonyms.values() for word in words}
        self.policy_words = frozenset(w for w in targets | set(lexicon.terms) if len(w) >= 2)

    def _words(self, text: str) -> set[str]:
        """The lexicon's everyday words in ``text`` with what they stand for, and its policy words."""
        words = {w for key, targets in self.lexicon.matches(text) for w in (key, *targets)}
        return words | {w for w in self.policy_words if w in text}

    def reorder(self, asked: str, topic: str, results: list[SearchResult]) -> list[SearchResult]:
        """Return ``results`` with, first, the closest one that speaks of the follow-up's own words when the
        best does not.

        Args:
            asked: the follow-up as typed ("做满一年有冇一次性补贴").
            topic: the question that opened the conversation.
            results: the follow-up's results (searched with the topic), best first.

        Returns:
            The results reordered, or as given: when the follow-up brings no word the topic lacks, when the
            best already shares a character pair with those words, or when no result close enough does.
        """
        if not self.ratio or not results:
            return results
        topic_words = self._words(topic)
        grams = _grams(self._words(asked) - topic_words) - _grams(topic_words)
        if not grams or grams & bigrams(results[0].provision.text):
            return results
        for result in results[1:]:
            if result.score < self.ratio * results[0].score:
                break
            if result.applies is not False and grams & bigrams(result.provision.text):
                return [result, *(r for r in results if r is not result)]
        return results
