"""Stage 3 (after recency): documents in force on the as-of date before those that are not, when
equally relevant. A document that has expired, been repealed or superseded, or is not yet in force
has its provisions' scores scaled by ``1 − validity_weight``; nothing is hidden."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from knowledge.settings import RetrievalSettings
from retrieval.stages.model import Ranking, RerankContext


@dataclass(frozen=True)
class ValiditySettings:
    """The slice of ``retrieval`` settings the validity reranker reads."""

    weight: float  # score × (1 − weight) for a provision whose document is not in force on the as-of date

    @classmethod
    def of(cls, settings: RetrievalSettings) -> ValiditySettings:
        """Return the slice of ``settings``."""
        return cls(settings.validity_weight)


class ValidityReranker:
    """Prefers provisions of documents in force on the question's as-of date."""

    def __init__(self, settings: ValiditySettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the weight is outside 0 … 1 (1 excluded: nothing is hidden).
        """
        if not 0 <= settings.weight < 1:
            raise ValueError("validity_weight 必须大于等于 0 且小于 1")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with provisions of documents not in force scaled down (unchanged without a date)."""
        day = context.query.as_of
        if day is None or self.settings.weight <= 0:
            return ranking
        in_force = context.state.in_force_on(day)[ranking.ids]
        return Ranking(ranking.ids, np.where(in_force, ranking.score, ranking.score * (1 - self.settings.weight)))
