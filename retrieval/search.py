"""Hybrid search over the published index version: BM25 + dense, region-aware, deduplicated, with a
"no reliable answer" signal. A running searcher follows the CURRENT pointer without restart."""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.lexicon import Lexicon
from knowledge.places import is_place_name
from knowledge.regions import NATIONAL
from knowledge.settings import RetrievalSettings
from retrieval.builder import BM25_DIR, DENSE_DIR, QUESTIONS_DIR, QUESTIONS_FILE, dense_text
from retrieval.corpus import Corpus
from retrieval.ingest.models import DocumentMeta, Provision
from retrieval.ingest.normalize import normalize_chars
from retrieval.lexical import LexicalIndex, bm25_idf
from retrieval.store import IndexStore, IndexStoreError, read_jsonl

LEGS = ("bm25", "dense")
RERANK_DEPTH = 60
# An official term's parts count this much of the term itself in query expansion (see _expansion_scores).
EXPANSION_PART_WEIGHT = 0.5
# "多少/几个/比例/目标…" asks for a figure: provisions stating one are preferred when equally relevant.
_NUMERIC_QUESTION = re.compile(r"多少|几[个万千百年成]|比例|目标|比重|控制在|达到|占比|数量|规模|多大")
_HAS_NUMBER = re.compile(r"\d")
_QUANTITY = re.compile(r"[\d一二两三四五六七八九十百几多半]+[年月天周岁个次]?[多半]?")


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


@dataclass
class _Loaded:
    version: str
    corpus: Corpus
    bm25: LexicalIndex
    dense: object | None  # VectorIndex
    encoder: object | None  # Encoder
    regions: npt.NDArray[np.object_]
    recency: npt.NDArray[np.float32]
    match_texts: list[str]
    questions: LexicalIndex | None = None  # BM25 over each provision's doc2query questions
    match_df: dict[str, int] = field(default_factory=dict)  # in how many match texts each word occurs
    bigrams: dict[int, frozenset[str]] = field(default_factory=dict)  # filled lazily, for duplicate checks


class Searcher:
    """Answers questions from whatever index version is currently published."""

    def __init__(self, store: IndexStore, lexicon: Lexicon, settings: RetrievalSettings) -> None:
        """Create a searcher; the index loads on the first search (or ``reload``).

        Args:
            store: the index store whose CURRENT version is served.
            lexicon: tokenizer terms, synonyms for query expansion, regions.
            settings: fusion weights and thresholds.
        """
        from retrieval.tokenize import Tokenizer

        self.store = store
        self.lexicon = lexicon
        self.settings = settings
        self.tokenizer = Tokenizer(lexicon)
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self._failed: str | None = None  # the published version that could not be loaded

    # ----- index following -------------------------------------------------------------------
    def current(self) -> _Loaded:
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
                self._loaded = self._load(wanted)
                self.last_error = self._failed = None
            except (IndexStoreError, OSError, ValueError) as exc:
                self.last_error = f"索引版本 {wanted} 无法加载：{exc}"
                if loaded is None:
                    raise NoIndexError(self.last_error) from exc
                self._failed = wanted
            assert self._loaded is not None
            return self._loaded

    def _load(self, version: str) -> _Loaded:
        manifest = self.store.verify(version)
        base = self.store.path(version)
        corpus = Corpus.load(base)
        bm25 = LexicalIndex.load(base / BM25_DIR)
        dense = encoder = None
        if manifest.dense_index and manifest.model:
            from retrieval.dense.encoder import Encoder
            from retrieval.dense.vectors import VectorIndex

            model_path = Path(manifest.model)
            encoder = Encoder(model_path if model_path.is_absolute() else base / model_path)
            dense = VectorIndex.load(base / DENSE_DIR)
            encoder.encode(["预热"])  # load the model now, not during the first question
        regions = np.array([corpus.documents[p.doc_id].region for p in corpus.provisions], dtype=object)
        recency = _recency([corpus.documents[p.doc_id] for p in corpus.provisions])
        questions = LexicalIndex.load(base / QUESTIONS_DIR) if (base / QUESTIONS_DIR).is_dir() else None
        asked: dict[str, list[str]] = {}
        if self.settings.coverage_doc2query and (base / QUESTIONS_FILE).exists():
            asked = {row["id"]: row["questions"] for row in read_jsonl(base / QUESTIONS_FILE)}
        # what covering a question's words is judged against: the provision, its headings and the
        # citizen questions written for it (their everyday words)
        match_texts = [" ".join([p.text, *p.section, *asked.get(p.id, [])]).lower() for p in corpus.provisions]
        match_df: dict[str, int] = {}
        if asked:
            for text in match_texts:
                for word in set(self.tokenizer.words(text)):
                    match_df[word] = match_df.get(word, 0) + 1
        return _Loaded(version, corpus, bm25, dense, encoder, regions, recency, match_texts, questions, match_df)

    # ----- searching ---------------------------------------------------------------------------
    def search(
        self, query: str, k: int = 10, region: str | None = None, legs: tuple[str, ...] = LEGS
    ) -> SearchResponse:
        """Find the provisions that answer ``query``.

        Args:
            query: the question as typed (any length up to ``max_query_chars``, any script).
            k: how many results.
            region: where the asker is (深圳, 临清, 宁夏 …); their region and national provisions rank
                first, others lower but still shown. An unknown place is ignored. Without it, a place
                named in the question ("宁夏十三五…", "全国…") is used.
            legs: ("bm25",), ("dense",) or both (hybrid).

        Returns:
            Ranked results with ``reliable`` False when the knowledge base has no good answer.

        Raises:
            SearchError: empty or over-long question, or k out of range.
            NoIndexError: no index published.
        """
        text = _clean_query(query, self.settings.max_query_chars)
        if not 1 <= k <= 100:
            raise SearchError("k 必须在 1 到 100 之间")
        state = self.current()
        table = self.lexicon.region_table
        user_region = table.resolve(region) if region else table.find_in(text)
        tokens = self.tokenizer.tokens(text)
        expansions = self.lexicon.expansions(text)
        expansion_tokens = [t for t in self.tokenizer.tokens(" ".join(expansions)) if t not in tokens]
        if not tokens and not expansion_tokens:
            return SearchResponse(
                query, user_region, [], False, 0.0, state.version, "没有识别到可以检索的内容，请换一种说法描述您的问题"
            )

        n = len(state.corpus.provisions)
        pool = min(self.settings.candidates, n)
        lexical = np.zeros(n, dtype=np.float32)
        if "bm25" in legs:
            lexical = state.bm25.scores(tokens) + self._expansion_scores(state, expansions, tokens, n)
            if state.questions is not None and self.settings.doc2query_weight > 0:
                lexical = lexical + self.settings.doc2query_weight * state.questions.scores(tokens + expansion_tokens)
        semantic = np.zeros(n, dtype=np.float32)
        dense_ids: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        if "dense" in legs and state.encoder is not None and state.dense is not None:
            vector = state.encoder.encode([dense_text(" ".join([text, *expansions]), [])])[0]  # type: ignore[attr-defined]
            sims, dense_ids = state.dense.search(vector, pool)  # type: ignore[attr-defined]
            keep = dense_ids >= 0
            dense_ids = dense_ids[keep]
            semantic[dense_ids] = np.maximum(sims[keep], 0)

        top_lexical = float(lexical.max()) if lexical.size else 0.0
        candidates = set(dense_ids.tolist())
        if top_lexical > 0:
            candidates |= set(np.argpartition(-lexical, pool - 1)[:pool].tolist())
        if not candidates:
            return SearchResponse(query, user_region, [], False, 0.0, state.version, "知识库中没有找到相关内容")

        ids = np.fromiter(candidates, dtype=np.int64)
        question = self._question_words(text, user_region, state)
        weights = self.settings.weights
        use_bm25 = "bm25" in legs
        use_dense = "dense" in legs and state.encoder is not None
        lexical_part = lexical[ids] / top_lexical if top_lexical > 0 else np.zeros(len(ids))
        score = (weights.bm25 if use_bm25 else 0.0) * lexical_part + (weights.dense if use_dense else 0.0) * semantic[
            ids
        ]
        if use_bm25 != use_dense:  # a single leg is scored on its own scale
            score = lexical_part if use_bm25 else semantic[ids]
        if use_bm25 and self.settings.coverage_weight > 0:
            # coverage is measured on the strongest candidates only; the rest count as uncovered
            cover = np.zeros(len(ids))
            for j in np.argsort(-score)[:RERANK_DEPTH].tolist():
                cover[j] = _coverage(state.match_texts[int(ids[j])], question)
            score = score * (1 - self.settings.coverage_weight + self.settings.coverage_weight * cover)
        if self.settings.numeric_boost > 1 and _NUMERIC_QUESTION.search(text):
            numeric = np.array([bool(_HAS_NUMBER.search(state.corpus.provisions[i].text)) for i in ids])
            score = np.where(numeric, score * self.settings.numeric_boost, score)
        score = score * (1 + self.settings.recency_weight * state.recency[ids])
        # the asker's region and the regions above it, most specific first (None: region unknown)
        lineage = self.lexicon.region_table.ancestors(user_region) if user_region is not None else None
        if lineage is not None:
            allowed = set(lineage)
            home = np.array([state.regions[i] in allowed for i in ids])
            local = np.array([state.regions[i] in allowed and state.regions[i] != NATIONAL for i in ids])
            score = np.where(home, score, score * self.settings.region_penalty)
            score = np.where(local, score * self.settings.local_boost, score)
        order = ids[np.argsort(-score, kind="stable")]
        scores = dict(zip(ids.tolist(), score.tolist(), strict=True))

        results = self._collapse(state, order, scores, lexical, top_lexical, semantic, k, lineage)
        confidence = self._confidence(state, question, results, semantic)
        reliable = bool(results) and confidence >= self.settings.min_confidence
        message = None if reliable else "知识库中没有找到可靠的答案，建议拨打12333或咨询当地人社部门"
        return SearchResponse(query, user_region, results, reliable, confidence, state.version, message)

    def _expansion_scores(
        self, state: _Loaded, expansions: list[str], typed: list[str], n: int
    ) -> npt.NDArray[np.float32]:
        """BM25 of the official terms a question's colloquial words stand for, ``expansion_weight`` times.

        A term the index holds as one token (个体工商户) counts as that phrase; its parts (个体, 工商 …)
        count only ``EXPANSION_PART_WEIGHT`` as much. Summing every part at full weight let a provision
        that merely repeats a long official term outrank one that answers the question.
        """
        whole: list[str] = []
        parts: list[str] = []
        for term in expansions:
            pieces = [t for t in self.tokenizer.tokens(term) if t not in typed]
            folded = term.lower()
            if state.bm25.has(folded):
                whole.append(folded)
                parts.extend(t for t in pieces if t != folded)
            else:
                parts.extend(pieces)
        weight = self.settings.expansion_weight
        scores = np.zeros(n, dtype=np.float32)
        if whole:
            scores += weight * state.bm25.scores(whole)
        if parts:
            scores += weight * EXPANSION_PART_WEIGHT * state.bm25.scores(parts)
        return scores

    def _collapse(
        self,
        state: _Loaded,
        order: npt.NDArray[np.int64],
        scores: dict[int, float],
        lexical: npt.NDArray[np.float32],
        top_lexical: float,
        semantic: npt.NDArray[np.float32],
        k: int,
        lineage: list[str] | None,
    ) -> list[SearchResult]:
        """Keep the best of each group of near-duplicate provisions, preferring the most specific region."""
        chosen: list[tuple[int, list[int]]] = []
        grams = state.bigrams
        for index in order[: 2 * k + 10].tolist():
            if index not in grams:
                grams[index] = _bigrams(state.corpus.provisions[index].text)
            duplicate_of = next(
                (
                    slot
                    for slot, (kept, _) in enumerate(chosen)
                    if _jaccard(grams[kept], grams[index]) >= self.settings.duplicate_similarity
                ),
                None,
            )
            if duplicate_of is None:
                chosen.append((index, []))
            else:
                kept, others = chosen[duplicate_of]
                if self._more_specific(state, index, kept, lineage):
                    chosen[duplicate_of] = (index, [kept, *others])
                else:
                    others.append(index)
        results = []
        for index, others in chosen[:k]:
            provision = state.corpus.provisions[index]
            results.append(
                SearchResult(
                    provision=provision,
                    document=state.corpus.documents[provision.doc_id],
                    score=round(scores[index], 4),
                    legs={
                        "bm25": round(float(lexical[index] / top_lexical) if top_lexical > 0 else 0.0, 4),
                        "dense": round(float(semantic[index]), 4),
                    },
                    also_in=[state.corpus.provisions[o].id for o in others],
                    applies=None if lineage is None else str(state.regions[index]) in lineage,
                )
            )
        return results

    def _more_specific(self, state: _Loaded, candidate: int, kept: int, lineage: list[str] | None) -> bool:
        """Return True when ``candidate`` should represent its duplicate group instead of ``kept``."""
        a, b = str(state.regions[candidate]), str(state.regions[kept])
        if a == b:
            return False
        if lineage is not None:
            rank_a = lineage.index(a) if a in lineage else len(lineage)
            rank_b = lineage.index(b) if b in lineage else len(lineage)
            return rank_a < rank_b
        return False

    def _question_words(
        self, text: str, user_region: str | None, state: _Loaded
    ) -> list[tuple[float, tuple[str, ...]]]:
        """Return what the question asks about: (weight, ways of covering it) per word.

        A word is covered by a provision containing it or, for a colloquial word, one of its official
        terms. Place names are left out, those of regions without documents (武汉, 北京) too: region
        ranking handles them, and such a citizen is answered from the national provisions. Weights are
        IDF: a word no provision contains weighs most.
        """
        matches = self.lexicon.matches(text)
        table = self.lexicon.region_table
        out: list[tuple[float, tuple[str, ...]]] = []
        for word in dict.fromkeys(self.tokenizer.words(text)):
            if len(word) < 2 or _QUANTITY.fullmatch(word):
                continue  # single characters and amounts of time carry the grammar, not the topic
            if table.exact(word) is not None or is_place_name(word):
                continue  # a place is not the topic: region ranking handles it
            alternatives = [word]
            for key, terms in matches:
                if word in key or key in word:
                    alternatives.extend(terms)
            out.append((self._idf(state, word), tuple(dict.fromkeys(alternatives))))
        return out

    def _idf(self, state: _Loaded, word: str) -> float:
        """Inverse document frequency of ``word`` over what coverage is judged against: the provisions and,
        when there are doc2query questions, those too (so "咋办", common in questions, weighs little)."""
        if not state.match_df:
            return state.bm25.idf(word)
        return bm25_idf(len(state.match_texts), state.match_df.get(word, 0))

    def _confidence(
        self,
        state: _Loaded,
        question: list[tuple[float, tuple[str, ...]]],
        results: list[SearchResult],
        semantic: npt.NDArray[np.float32],
    ) -> float:
        """How well the best result answers: its share of the question's words (``_coverage``),
        blended with its dense similarity."""
        if not results:
            return 0.0
        best = state.corpus.index_of(results[0].provision.id)
        assert best is not None
        share = self.settings.confidence_dense_share
        cover = _coverage(state.match_texts[best], question)
        return round((1 - share) * cover + share * float(semantic[best]), 4)


def _coverage(text: str, question: list[tuple[float, tuple[str, ...]]]) -> float:
    """Return the IDF-weighted share of the question's words that ``text`` covers (0 … 1)."""
    asked = sum(weight for weight, _ in question)
    if asked <= 0:
        return 0.0
    covered = sum(weight for weight, ways in question if any(way in text for way in ways))
    return covered / asked


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


def _recency(metas: list[DocumentMeta]) -> npt.NDArray[np.float32]:
    """Return each provision's document age on a 0 (oldest) … 1 (newest) scale."""

    def ordinal(meta: DocumentMeta) -> int:
        if meta.period is not None:
            return date(meta.period[1], 12, 31).toordinal()
        return date.fromisoformat(meta.date).toordinal() if meta.date else 0

    values = np.array([ordinal(m) for m in metas], dtype=np.float64)
    known = values[values > 0]
    if known.size == 0 or known.max() == known.min():
        return np.zeros(len(metas), dtype=np.float32)
    scaled = (values - known.min()) / (known.max() - known.min())
    clipped: npt.NDArray[np.float32] = np.clip(scaled, 0, 1).astype(np.float32)
    return clipped


def _bigrams(text: str) -> frozenset[str]:
    chars = [ch for ch in text if not unicodedata.category(ch).startswith(("P", "S", "Z"))]
    return frozenset("".join(pair) for pair in itertools.pairwise(chars))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    small, large = sorted((len(a), len(b)))
    if small < 0.5 * large:  # the Jaccard index cannot exceed small / large
        return small / large
    return len(a & b) / len(a | b)
