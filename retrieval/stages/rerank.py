"""Stage 3: rerankers — each adjusts the fused scores by one signal, in this order: word coverage,
a figure for a "多少" question, recency, the asker's region."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from knowledge.regions import NATIONAL
from knowledge.settings import RetrievalSettings
from retrieval.stages.coverage import coverages
from retrieval.stages.model import Ranking, RerankContext

# "多少/几个/比例/目标…" asks for a figure: provisions stating one are preferred when equally relevant.
_NUMERIC_QUESTION = re.compile(r"多少|几[个万千百年成]|比例|目标|比重|控制在|达到|占比|数量|规模|多大")


class Reranker(Protocol):
    """A stage that rescales candidate scores."""

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with adjusted scores."""
        ...


@dataclass(frozen=True)
class CoverageSettings:
    """The slice of ``retrieval`` settings the coverage reranker reads."""

    weight: float  # score × (1 − weight + weight × coverage)
    depth: int  # coverage is measured on this many of the best candidates; the rest count as uncovered

    @classmethod
    def of(cls, settings: RetrievalSettings) -> CoverageSettings:
        """Return the slice of ``settings``."""
        return cls(settings.coverage_weight, settings.rerank_depth)


class CoverageReranker:
    """Prefers provisions that cover more of the question's words (IDF-weighted); BM25 leg only."""

    def __init__(self, settings: CoverageSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the weight is outside 0 … 1 or the depth below 1.
        """
        if not 0 <= settings.weight <= 1:
            raise ValueError("coverage_weight 必须在 0 到 1 之间")
        if settings.depth < 1:
            raise ValueError("rerank_depth 必须至少为 1")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with scores scaled by coverage (unchanged when off or without the BM25 leg)."""
        weight = self.settings.weight
        if not context.lexical_leg or weight <= 0:
            return ranking
        ids, score = ranking.ids, ranking.score
        top = np.argsort(-score)[: self.settings.depth]
        texts = context.state.match_texts
        cover = np.zeros(len(ids))
        cover[top] = coverages([texts[i] for i in ids[top].tolist()], context.question)
        return Ranking(ids, score * (1 - weight + weight * cover))


@dataclass(frozen=True)
class NumericSettings:
    """The slice of ``retrieval`` settings the numeric reranker reads."""

    boost: float  # score factor for provisions stating a figure (1 = off)

    @classmethod
    def of(cls, settings: RetrievalSettings) -> NumericSettings:
        """Return the slice of ``settings``."""
        return cls(settings.numeric_boost)


class NumericReranker:
    """A question asking for a figure (多少, 目标, 比例…) prefers provisions that state one."""

    def __init__(self, settings: NumericSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the boost is below 1.
        """
        if settings.boost < 1:
            raise ValueError("numeric_boost 不能小于 1")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with provisions holding a digit boosted, for questions asking for a figure."""
        boost = self.settings.boost
        if boost <= 1 or not _NUMERIC_QUESTION.search(context.query.text):
            return ranking
        numeric = context.state.has_number[ranking.ids]
        return Ranking(ranking.ids, np.where(numeric, ranking.score * boost, ranking.score))


@dataclass(frozen=True)
class RecencySettings:
    """The slice of ``retrieval`` settings the recency reranker reads."""

    weight: float  # score × (1 + weight × recency), recency 0 (oldest document) … 1 (newest)

    @classmethod
    def of(cls, settings: RetrievalSettings) -> RecencySettings:
        """Return the slice of ``settings``."""
        return cls(settings.recency_weight)


class RecencyReranker:
    """Newer plans first when equally relevant."""

    def __init__(self, settings: RecencySettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the weight is negative.
        """
        if settings.weight < 0:
            raise ValueError("recency_weight 不能为负数")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with scores scaled up by document recency."""
        recency = context.state.recency[ranking.ids]
        return Ranking(ranking.ids, ranking.score * (1 + self.settings.weight * recency))


@dataclass(frozen=True)
class RegionSettings:
    """The slice of ``retrieval`` settings the region reranker reads."""

    penalty: float  # score factor for provisions of regions other than the asker's
    local_boost: float  # score factor for the asker's own (not national) provisions
    unplaced: float = 1.0  # score factor for regional provisions when the asker's region is unknown

    @classmethod
    def of(cls, settings: RetrievalSettings) -> RegionSettings:
        """Return the slice of ``settings``."""
        return cls(settings.region_penalty, settings.local_boost, settings.unplaced_local_factor)


class RegionReranker:
    """Provisions that apply to the asker (national, their province, their city) before others; their
    own local ones before national ones when about as relevant; national ones first for an asker whose
    place is unknown. Nothing is hidden."""

    def __init__(self, settings: RegionSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the penalty or the unplaced factor is outside (0, 1], or the boost below 1.
        """
        if not 0 < settings.penalty <= 1:
            raise ValueError("region_penalty 必须大于 0 且不超过 1")
        if not 0 < settings.unplaced <= 1:
            raise ValueError("unplaced_local_factor 必须大于 0 且不超过 1")
        if settings.local_boost < 1:
            raise ValueError("local_boost 不能小于 1")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with region factors applied; when the asker's region is unknown, national
        provisions (which apply wherever they are) before regional ones that are about as relevant."""
        lineage = context.query.lineage
        index = context.state.region_index
        if lineage is None:
            if self.settings.unplaced >= 1:
                return ranking
            regional = context.state.region_codes[ranking.ids] != index.get(NATIONAL, -1)
            return Ranking(ranking.ids, np.where(regional, ranking.score * self.settings.unplaced, ranking.score))
        codes = context.state.region_codes[ranking.ids]
        home = np.isin(codes, [index[r] for r in lineage if r in index])
        local = np.isin(codes, [index[r] for r in lineage if r in index and r != NATIONAL])
        score = np.where(home, ranking.score, ranking.score * self.settings.penalty)
        score = np.where(local, score * self.settings.local_boost, score)
        return Ranking(ranking.ids, score)
