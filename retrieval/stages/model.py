"""What the search stages pass each other: the loaded index, the analysed question, candidates, rankings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from retrieval.corpus import Corpus
from retrieval.ingest.models import DocStatus
from retrieval.lexical import LexicalIndex
from retrieval.stages.bigrams import BigramCache

# What a question asks about: per word, its IDF weight and the strings that cover it (the word itself
# and, for a colloquial word, its official terms).
QuestionWords = list[tuple[float, tuple[str, ...]]]


@dataclass
class IndexState:
    """One loaded index version and the per-provision arrays the stages read (all in provision order)."""

    version: str
    corpus: Corpus
    bm25: LexicalIndex
    dense: object | None  # VectorIndex
    encoder: object | None  # Encoder
    regions: npt.NDArray[np.object_]  # each provision's document region
    recency: npt.NDArray[np.float32]  # document age, 0 (oldest) … 1 (newest)
    match_texts: list[str]  # what word coverage is judged against (lower-cased)
    questions: LexicalIndex | None = None  # BM25 over each provision's doc2query questions
    match_df: dict[str, int] = field(default_factory=dict)  # in how many match texts each word occurs
    has_number: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    region_codes: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    region_index: dict[str, int] = field(default_factory=dict)  # region → its code in ``region_codes``
    bigrams: BigramCache = field(default_factory=BigramCache)  # for duplicate checks, filled lazily
    policy_names: dict[int, str] | None = None  # policy-list provision → its policy's name, filled lazily
    _in_force: dict[date, npt.NDArray[np.bool_]] = field(default_factory=dict, repr=False)

    def statuses_on(self, day: date) -> dict[str, DocStatus]:
        """Return every document's status on ``day``, by document id."""
        return {doc_id: meta.status_on(day) for doc_id, meta in self.corpus.documents.items()}

    def in_force_on(self, day: date) -> npt.NDArray[np.bool_]:
        """Return, per provision, whether its document is in force on ``day`` (cached per day)."""
        cached = self._in_force.get(day)
        if cached is None:
            statuses = self.statuses_on(day)
            cached = np.array([statuses[p.doc_id].in_force for p in self.corpus.provisions], dtype=bool)
            if len(self._in_force) >= 64:
                self._in_force.clear()
            self._in_force[day] = cached
        return cached

    @property
    def size(self) -> int:
        """Return the number of provisions."""
        return len(self.corpus.provisions)


@dataclass(frozen=True)
class Query:
    """A cleaned question and what the stages need from it."""

    text: str
    region: str | None  # the asker's region (given or named in the question), None when unknown
    lineage: list[str] | None  # that region and the regions containing it, most specific first
    tokens: list[str]  # search tokens of the typed words
    expansions: list[str]  # official terms the lexicon adds for colloquial words
    expansion_tokens: list[str]  # their tokens not already typed
    legs: tuple[str, ...]
    words: list[str] = field(default_factory=list)  # the question's words (jieba precise mode), for coverage
    as_of: date | None = None  # the day validity is judged on (None: not at all)


@dataclass(frozen=True)
class Candidates:
    """The candidate provisions and every provision's score on each leg."""

    ids: npt.NDArray[np.int64]  # candidate provision positions
    lexical: npt.NDArray[np.float32]  # raw BM25 (typed + expansions + doc2query) of every provision
    top_lexical: float  # the best raw BM25 (0 when no word matched)
    semantic: npt.NDArray[np.float32]  # cosine similarity (≥ 0) of every provision the dense leg returned
    lexical_leg: bool  # the BM25 leg took part
    dense_leg: bool  # the dense leg took part (asked for and a model is loaded)

    def bm25_part(self, index: int) -> float:
        """Return a provision's BM25 normalised by the best one (0 … 1)."""
        return float(self.lexical[index] / self.top_lexical) if self.top_lexical > 0 else 0.0


@dataclass(frozen=True)
class Ranking:
    """Candidates with their current scores (``score[j]`` belongs to ``ids[j]``)."""

    ids: npt.NDArray[np.int64]
    score: npt.NDArray[np.floating]

    def order(self) -> npt.NDArray[np.int64]:
        """Return the candidate positions best first (ties keep candidate order)."""
        return self.ids[np.argsort(-self.score, kind="stable")]

    def scores(self) -> dict[int, float]:
        """Return provision position → score."""
        return dict(zip(self.ids.tolist(), self.score.tolist(), strict=True))


@dataclass(frozen=True)
class RerankContext:
    """What rerankers may look at besides the ranking."""

    query: Query
    question: QuestionWords
    state: IndexState
    lexical_leg: bool


@dataclass(frozen=True)
class Group:
    """A provision kept after near-duplicate collapse, with the duplicates it stands for."""

    index: int
    duplicates: list[int]


@dataclass(frozen=True)
class Confidence:
    """How well the best result answers the question."""

    value: float  # 0 … 1, rounded to 4 places
    reliable: bool  # value reaches ``min_confidence`` (and there is a result)
