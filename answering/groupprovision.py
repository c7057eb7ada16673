"""The closest provision that names a group a follow-up asks about ("妇女能参加不" after a question on
start-up training), when the provisions quoted for the topic never name it."""

from __future__ import annotations

from datetime import date

from answering.groupnote import group_names
from retrieval.search import Searcher, SearchError, SearchResult
from retrieval.stages.bigrams import bigrams


class GroupProvisionFinder:
    """Finds a provision that names the group asked about and shares a word with the topic."""

    def __init__(self, searcher: Searcher, depth: int) -> None:
        """Create a finder.

        Args:
            searcher: the hybrid search.
            depth: how many results of the group's own search are looked through (0 = off).

        Raises:
            ValueError: a negative depth.
        """
        if depth < 0:
            raise ValueError("answer.group_depth 不能为负数")
        self.searcher = searcher
        self.depth = depth

    def find(
        self, asked: str, topic: str, group: str, results: list[SearchResult], region: str | None, day: date
    ) -> SearchResult | None:
        """Return the closest provision that names the group and shares a word of the topic ("创业").

        Args:
            asked: the follow-up as typed ("妇女能参加不").
            topic: the question that opened the conversation.
            group: the follow-up's words for the group ("妇女").
            results: the follow-up's own results, looked through first.
            region: the asker's region, for the group's own search.
            day: the as-of date of that search.

        Returns:
            The first result that applies to the asker, names the group (any of its phrases or its official
            name) and shares a character pair with the topic's lexicon words; from ``results``, else from a
            search for the group with the topic's words. None when there is none, the topic has no word the
            lexicon knows, or the finder is off.
        """
        lexicon = self.searcher.lexicon
        names = group_names(asked, lexicon.groups)
        matches = lexicon.matches(topic)
        if not self.depth or not names or not matches:
            return None
        group_grams = frozenset().union(*(bigrams(n) for n in names))
        words = [w for key, expanded in matches for w in (key, *expanded)]
        topic_grams = frozenset().union(*(bigrams(w) for w in words)) - group_grams

        def naming(candidates: list[SearchResult]) -> SearchResult | None:
            for r in candidates:
                text = r.provision.text
                if r.applies is not False and any(n in text for n in names) and topic_grams & bigrams(text):
                    return r
            return None

        found = naming(results)
        if found is not None:
            return found
        keys = " ".join(dict.fromkeys(key for key, _ in matches))
        try:
            response = self.searcher.search(f"{group} {keys}", k=self.depth, region=region, as_of=day)
        except SearchError:
            return None
        return naming(response.results)
