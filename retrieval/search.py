"""Hybrid search over the published index version: BM25 + dense, region-aware, deduplicated, with a
"no reliable answer" signal. A running searcher follows the CURRENT pointer without restart.

The work is done by the stages in ``retrieval/stages`` (candidates, fusion, rerankers, dedupe,
confidence); this module follows the published version and runs them.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date

from knowledge.clock import Clock, system_clock
from knowledge.lexicon import Lexicon
from knowledge.questionkind import classify
from knowledge.routing import about_work, customer_errand, route_for
from knowledge.settings import RetrievalSettings
from retrieval.ingest.models import DocStatus, DocumentMeta, Provision
from retrieval.ingest.normalize import normalize_chars
from retrieval.stages.candidates import CandidateGenerator, CandidateSettings
from retrieval.stages.confidence import Asked, Best, ConfidenceScorer, ConfidenceSettings
from retrieval.stages.coverage import question_words
from retrieval.stages.dedupe import DedupeSettings, Deduplicator
from retrieval.stages.fusion import Fusion, FusionSettings
from retrieval.stages.index import load_index
from retrieval.stages.model import Candidates, Group, IndexState, Query, RerankContext
from retrieval.stages.policyfield import PolicyFieldReranker, PolicyFieldSettings
from retrieval.stages.rerank import (
    CoverageReranker,
    CoverageSettings,
    NumericReranker,
    NumericSettings,
    RecencyReranker,
    RecencySettings,
    RegionReranker,
    RegionSettings,
    Reranker,
)
from retrieval.stages.validity import ValidityReranker, ValiditySettings
from retrieval.store import IndexStore, IndexStoreError

LEGS = ("bm25", "dense")


class SearchError(Exception):
    """The question cannot be searched; ``message`` is a Chinese sentence for the asker."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NoIndexError(SearchError):
    """No index version has been published yet."""


@dataclass(frozen=True)
class SearchResult:
    """One provision found for a question."""

    provision: Provision
    document: DocumentMeta
    score: float
    legs: dict[str, float]
    also_in: list[str] = field(default_factory=list)
    # whether the provision's region covers the asker's (national, their province or city); None when
    # the asker's region is unknown
    applies: bool | None = None
    status: DocStatus | None = None  # the document's status on the search's as-of date


@dataclass(frozen=True)
class SearchResponse:
    """The answer to one question."""

    query: str
    region: str | None
    results: list[SearchResult]
    reliable: bool
    confidence: float
    version: str
    message: str | None = None
    as_of: date | None = None  # the day every result's ``status`` is judged on


class Searcher:
    """Answers questions from whatever index version is currently published."""

    def __init__(
        self, store: IndexStore, lexicon: Lexicon, settings: RetrievalSettings, clock: Clock = system_clock
    ) -> None:
        """Create a searcher and its stages; the index loads on the first search (or ``current``).

        Args:
            store: the index store whose CURRENT version is served.
            lexicon: tokenizer terms, synonyms for query expansion, regions.
            settings: the stages' settings (each takes its slice).
            clock: today's date, the as-of date of a search that names none.

        Raises:
            ValueError: a stage's setting is out of range.
        """
        from retrieval.homophones import HomophoneFixer, lexicon_vocabulary
        from retrieval.tokenize import Tokenizer

        self.store = store
        self.lexicon = lexicon
        self.settings = settings
        self.clock = clock
        self.tokenizer = Tokenizer(lexicon)
        self.homophones = (
            HomophoneFixer(lexicon_vocabulary(lexicon), self.tokenizer.segments, self.tokenizer.is_word)
            if settings.mend_homophones
            else None
        )
        self.candidates = CandidateGenerator(CandidateSettings.of(settings), self.tokenizer)
        self.fusion = Fusion(FusionSettings.of(settings))
        self.rerankers: list[Reranker] = [
            CoverageReranker(CoverageSettings.of(settings)),
            NumericReranker(NumericSettings.of(settings)),
            PolicyFieldReranker(PolicyFieldSettings.of(settings)),
            RecencyReranker(RecencySettings.of(settings)),
            ValidityReranker(ValiditySettings.of(settings)),
            RegionReranker(RegionSettings.of(settings)),
        ]
        self.deduplicator = Deduplicator(DedupeSettings.of(settings))
        self.confidence = ConfidenceScorer(ConfidenceSettings.of(settings))
        self._loaded: IndexState | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self._failed: str | None = None  # the published version that could not be loaded

    # ----- index following -------------------------------------------------------------------
    def current(self) -> IndexState:
        """Return the loaded current version, loading a newly published one first.

        If the newly published version cannot be loaded, the previous one keeps serving and the
        failure is kept in ``last_error`` until the pointer names a loadable version again; a
        version that failed is not re-verified on every request.

        Raises:
            NoIndexError: nothing has been published (and nothing is loaded).
        """
        wanted = self.store.current()
        loaded = self._loaded
        if loaded is not None and (wanted is None or wanted == self._failed):
            return loaded
        if loaded is not None and wanted == loaded.version and self.last_error is None:
            return loaded
        with self._lock:
            loaded = self._loaded
            if loaded is not None and wanted == loaded.version:
                self.last_error = self._failed = None  # the pointer is back on the version being served
                return loaded
            if wanted is None:
                raise NoIndexError("索引尚未建立，请先运行 policybot index build")
            try:
                self._loaded = load_index(self.store, wanted, self.tokenizer, self.settings.coverage_doc2query)
                self.last_error = self._failed = None
            except (IndexStoreError, OSError, ValueError) as exc:
                self.last_error = f"索引版本 {wanted} 无法加载：{exc}"
                if loaded is None:
                    raise NoIndexError(self.last_error) from exc
                self._failed = wanted
            assert self._loaded is not None
            return self._loaded

    # ----- searching ---------------------------------------------------------------------------
    def mend(self, text: str) -> str:
        """Return ``text`` with pinyin slips in lexicon words mended ("失叶金" typed for 失业金); unchanged
        when ``retrieval.mend_homophones`` is off."""
        return self.homophones.fix(text) if self.homophones is not None else text

    def search(
        self,
        query: str,
        k: int = 10,
        region: str | None = None,
        legs: tuple[str, ...] = LEGS,
        as_of: date | None = None,
    ) -> SearchResponse:
        """Find the provisions that answer ``query``.

        Args:
            query: the question as typed (any length up to ``max_query_chars``, any script).
            k: how many results.
            region: where the asker is (深圳, 临清, 宁夏 …); their region and national provisions rank
                first, others lower but still shown. An unknown place is ignored. Without it, a place
                named in the question ("宁夏十三五…", "全国…") is used.
            legs: ("bm25",), ("dense",) or both (hybrid).
            as_of: the day validity is judged on (default: today, from the clock): documents in force
                that day rank first when equally relevant, and each result carries its status.

        Returns:
            Ranked results with ``reliable`` False when the knowledge base has no good answer.

        Raises:
            SearchError: empty or over-long question, or k out of range.
            NoIndexError: no index published.
        """
        text = _clean_query(query, self.settings.max_query_chars)
        text = self.mend(text)
        if not 1 <= k <= 100:
            raise SearchError("k 必须在 1 到 100 之间")
        state = self.current()
        day = as_of or self.clock()
        asked = replace(self._analyse(text, region, legs, state), as_of=day)
        if not asked.tokens and not asked.expansion_tokens:
            unreadable = "没有识别到可以检索的内容，请换一种说法描述您的问题"
            return SearchResponse(query, asked.region, [], False, 0.0, state.version, unreadable, day)
        candidates = self.candidates.generate(state, asked)
        if not candidates.ids.size:
            return SearchResponse(query, asked.region, [], False, 0.0, state.version, "知识库中没有找到相关内容", day)
        context = RerankContext(
            asked, question_words(text, asked.words, self.lexicon, state), state, candidates.lexical_leg
        )
        ranking = self.fusion.fuse(candidates)
        for reranker in self.rerankers:
            ranking = reranker.rerank(ranking, context)
        groups = self.deduplicator.collapse(state, ranking.order(), k, asked.lineage)
        results = _results(state, groups, ranking.scores(), candidates, asked.lineage, state.statuses_on(day))
        best = None
        if groups:
            top = groups[0].index
            provision = state.corpus.provisions[top]
            similarity = float(candidates.semantic[top])
            best = Best(state.match_texts[top], provision.text, provision.policy_field, similarity)
        topical = about_work(text, self.lexicon)
        asks = Asked(text, classify(text), topical, route_for(text) is not None, customer_errand(text))
        confidence = self.confidence.score(best, context.question, asks)
        message = None if confidence.reliable else "知识库中没有找到可靠的答案，建议拨打12333或咨询当地人社部门"
        return SearchResponse(
            query, asked.region, results, confidence.reliable, confidence.value, state.version, message, day
        )

    def provision(self, provision_id: str) -> tuple[Provision, DocumentMeta] | None:
        """Return a provision of the published index by id with its document (None when unknown or
        nothing is published)."""
        try:
            corpus = self.current().corpus
        except NoIndexError:
            return None
        provision = corpus.get(provision_id)
        return None if provision is None else (provision, corpus.documents[provision.doc_id])

    def documented_regions(self) -> Collection[str]:
        """Return the regions the published index has documents of (empty when none is published)."""
        try:
            return self.current().region_index
        except NoIndexError:
            return ()

    def region_of(self, place: str) -> str | None:
        """Return the region a place is answered for: its city's when the published index has documents
        of that city (惠东 → 广东省惠州市), else the nearest region above it that has (广东), or None."""
        return self.lexicon.region_table.resolve(place, self.documented_regions())

    def _analyse(self, text: str, region: str | None, legs: tuple[str, ...], state: IndexState) -> Query:
        """Return the cleaned question with its region, tokens and lexicon expansions."""
        table = self.lexicon.region_table
        documented = state.region_index  # a city with documents is kept at city level
        user_region = table.resolve(region, documented) if region else table.find_in(text, documented)
        tokens, words = self.tokenizer.analyse(text)
        expansions = self.lexicon.expansions(text)
        expansion_tokens = [t for t in self.tokenizer.term_tokens(expansions) if t not in tokens]
        # the asker's region and the regions above it, most specific first (None: region unknown)
        lineage = table.ancestors(user_region) if user_region is not None else None
        return Query(text, user_region, lineage, tokens, expansions, expansion_tokens, legs, words)


def _results(
    state: IndexState,
    groups: list[Group],
    scores: dict[int, float],
    candidates: Candidates,
    lineage: list[str] | None,
    statuses: dict[str, DocStatus],
) -> list[SearchResult]:
    """Return the search results of the kept groups."""
    results = []
    for group in groups:
        provision = state.corpus.provisions[group.index]
        results.append(
            SearchResult(
                provision=provision,
                document=state.corpus.documents[provision.doc_id],
                score=round(scores[group.index], 4),
                legs={
                    "bm25": round(candidates.bm25_part(group.index), 4),
                    "dense": round(float(candidates.semantic[group.index]), 4),
                },
                also_in=[state.corpus.provisions[o].id for o in group.duplicates],
                applies=None if lineage is None else str(state.regions[group.index]) in lineage,
                status=statuses[provision.doc_id],
            )
        )
    return results


def _clean_query(query: str, max_chars: int) -> str:
    if not isinstance(query, str):
        raise SearchError("问题必须是文字")
    text = query.strip()
    if not text:
        raise SearchError("请输入要查询的问题")
    if len(text) > max_chars:
        raise SearchError(f"问题太长了（{len(text)} 个字），请控制在 {max_chars} 个字以内，只写关键情况")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"} or ch in "\n\t")
    return normalize_chars(text)
