"""A follow-up that names a place ("那宁夏呢", "那聊城呢 俺是茌平的"): that place's provision first — its own
wording of what the previous reply quoted, when it has one — and the reply says so when the place has
no document of its own, or when what was just quoted was already that place's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from answering.policymatch import grounded_by
from knowledge.catalogue import Catalogue
from knowledge.regions import NATIONAL
from knowledge.settings import AnswerSettings
from retrieval.ingest.models import DocumentMeta, Provision
from retrieval.search import Searcher, SearchResult
from retrieval.stages.bigrams import bigrams


@dataclass(frozen=True)
class PlaceTurn:
    """What the conversation brings to a follow-up naming ``place``."""

    place: str
    quoted: Provision | None = None  # the provision the previous reply led with, when of another region
    repeated: str | None = None  # its id, when it was already the place's own


class PlaceFollowups:
    """Answers follow-ups that name a place from that place's documents."""

    def __init__(self, searcher: Searcher, catalogue: Catalogue, settings: AnswerSettings) -> None:
        """Create the component.

        Args:
            searcher: the hybrid search (documents, regions, provisions by id).
            catalogue: the policy catalogue (its citations link a national provision with a region's).
            settings: the ``answer`` settings (local_followup_ratio, counterpart_min_similarity, results,
                policy_min_overlap).
        """
        self.searcher = searcher
        self.catalogue = catalogue
        self.settings = settings

    def turn(self, place: str, previous_provision: str | None) -> PlaceTurn:
        """Return what a follow-up naming ``place`` carries from the previous reply (its provision id)."""
        found = self.searcher.provision(previous_provision) if previous_provision else None
        if found is None:
            return PlaceTurn(place)
        provision, document = found
        if self.of_place(document, place):
            return PlaceTurn(place, repeated=provision.id)
        return PlaceTurn(place, quoted=provision)

    def depth(self, turn: PlaceTurn) -> int:
        """How many results to search: twice as deep when a counterpart of a quoted provision is looked for."""
        return self.settings.results * (2 if turn.quoted is not None else 1)

    def reorder(self, results: list[SearchResult], turn: PlaceTurn) -> list[SearchResult]:
        """Return ``results`` with the place's provision first when it is nearly as relevant, and the
        place's counterpart of the quoted provision first when there is one."""
        results = self._local_first(results, turn.place)
        if turn.quoted is None:
            return results
        overlap = self.settings.policy_min_overlap
        policies = grounded_by(turn.quoted.text, self.catalogue, overlap)
        return counterpart_first(
            results,
            turn.quoted,
            lambda r: self.of_place(r.document, turn.place),
            lambda r: bool(policies & grounded_by(r.provision.text, self.catalogue, overlap)),
            self.settings.counterpart_min_similarity,
            self.settings.local_followup_ratio,
        )

    def understood(self, clause: str, topic: str | None, turn: PlaceTurn, results: list[SearchResult]) -> str:
        """Return how the follow-up was read: ``clause`` ("接着您刚才问的“…”，这里说宁夏的情况"), or that the
        place has no document of its own, or with a note that what was just quoted was that place's."""
        if not self.has_own_documents(turn.place):
            # "那湖南呢": "这里说湖南的情况" over a national provision would mislead
            where = f"知识库里还没有{turn.place}本地的政策文件，下面是全国的规定"
            borrowed = (topic or "")[: self.settings.topic_chars]
            return f"接着您刚才问的“{borrowed}”：{where}" if borrowed else where
        if turn.repeated is not None and results and results[0].provision.id == turn.repeated:
            return f"{clause}（刚才引用的就是{results[0].document.region}的规定）"
        return clause

    def has_own_documents(self, place: str) -> bool:
        """Whether the published index holds a document of ``place`` or a region containing it (not national)."""
        documented = self.searcher.documented_regions()
        return any(r in documented for r in self.searcher.lexicon.region_table.ancestors(place) if r != NATIONAL)

    def of_place(self, document: DocumentMeta, place: str) -> bool:
        """Whether ``document`` is one of ``place``'s own (its province's or city's, not a national one)."""
        return document.region != NATIONAL and document.region in self.searcher.lexicon.region_table.ancestors(place)

    def _local_first(self, results: list[SearchResult], place: str) -> list[SearchResult]:
        """A provision of the place comes first when it is nearly as relevant (``local_followup_ratio``)."""
        if not results:
            return results
        local = [r for r in results if self.of_place(r.document, place)]
        ratio = self.settings.local_followup_ratio
        if not local or local[0] is results[0] or local[0].score < ratio * results[0].score:
            return results
        return [local[0], *(r for r in results if r is not local[0])]


def counterpart_first(
    results: list[SearchResult],
    previous: Provision,
    of_place: Callable[[SearchResult], bool],
    same_policy: Callable[[SearchResult], bool],
    min_similarity: float,
    ratio: float,
) -> list[SearchResult]:
    """ "那聊城呢" after a national answer: when one of the place's own provisions is the place's wording
    of the provision the previous reply quoted — a catalogue policy cites both (``same_policy``), or the
    Dice similarity of their character bigrams is at least ``min_similarity`` — and it scores at least
    ``ratio`` of the best, it leads: the citizen sees the place's own wording of what they were just told.

    Returns:
        The results, the counterpart moved to the front when there is one.
    """
    if not results:
        return results
    quoted = bigrams(previous.text)
    for result in results:
        if result.provision.id == previous.id or not of_place(result) or result.score < ratio * results[0].score:
            continue
        theirs = bigrams(result.provision.text)
        alike = 2 * len(quoted & theirs) / max(1, len(quoted) + len(theirs)) >= min_similarity
        if alike or same_policy(result):
            return [result, *(r for r in results if r is not result)]
    return results
