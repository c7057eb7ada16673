"""Stage 2: fusion — one hybrid score per candidate from the normalised BM25 and the dense similarity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.settings import RetrievalSettings
from retrieval.stages.model import Candidates, Ranking


@dataclass(frozen=True)
class FusionSettings:
    """The slice of ``retrieval`` settings fusion reads."""

    bm25: float  # weight of BM25 / best BM25
    dense: float  # weight of the cosine similarity

    @classmethod
    def of(cls, settings: RetrievalSettings) -> FusionSettings:
        """Return the slice of ``settings``."""
        return cls(settings.weights.bm25, settings.weights.dense)


class Fusion:
    """hybrid = bm25 × (BM25 / best BM25) + dense × cosine; a single leg is scored on its own scale."""

    def __init__(self, settings: FusionSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: a weight is negative.
        """
        if settings.bm25 < 0 or settings.dense < 0:
            raise ValueError("融合权重不能为负数")
        self.settings = settings

    def fuse(self, candidates: Candidates) -> Ranking:
        """Return the candidates with their fused scores."""
        ids = candidates.ids
        top = candidates.top_lexical
        lexical_part = candidates.lexical[ids] / top if top > 0 else np.zeros(len(ids))
        semantic = candidates.semantic[ids]
        use_bm25, use_dense = candidates.lexical_leg, candidates.dense_leg
        if use_bm25 != use_dense:
            return Ranking(ids, lexical_part if use_bm25 else semantic)
        weights = self.settings
        score = (weights.bm25 if use_bm25 else 0.0) * lexical_part + (weights.dense if use_dense else 0.0) * semantic
        return Ranking(ids, score)
