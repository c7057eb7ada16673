"""A follow-up's own words lead: "想学门手艺 有地方学么" after a question on raising cattle is answered by a provision
about training, not by the topic's provision again."""

from __future__ import annotations

from knowledge.lexicon import Lexicon
from retrieval.search import SearchResult
from retrieval.stages.bigrams import bigrams


def _grams(matches: list[tuple[str, list[str]]]) -> frozenset[str]:
    """The character pairs of lexicon keys and the words they stand for."""
    return frozenset().union(*(bigrams(word) for key, words in matches for word in (key, *words)))


def own_words_first(
    asked: str, topic: str, results: list[SearchResult], lexicon: Lexicon, ratio: float
) -> list[SearchResult]:
    """Return ``results`` with, first, the closest one that speaks of the follow-up's own words when the best
    does not.

    Args:
        asked: the follow-up as typed ("想学门手艺 有地方学么").
        topic: the question that opened the conversation.
        results: the follow-up's results (searched with the topic), best first.
        lexicon: knows the everyday words (手艺) and what they stand for (职业技能培训).
        ratio: a result must score at least this share of the best to lead instead (0 = off).

    Returns:
        The results reordered, or as given: when the follow-up brings no word the lexicon knows that the
        topic lacks, when the best already shares a character pair with those words, or when no result
        close enough does.
    """
    topic_matches = lexicon.matches(topic)
    known = {key for key, _ in topic_matches}
    own = [(key, words) for key, words in lexicon.matches(asked) if key not in known]
    if not ratio or not own or not results:
        return results
    grams = _grams(own) - _grams(topic_matches)
    if not grams or grams & bigrams(results[0].provision.text):
        return results
    for result in results[1:]:
        if result.score < ratio * results[0].score:
            break
        if result.applies is not False and grams & bigrams(result.provision.text):
            return [result, *(r for r in results if r is not result)]
    return results
