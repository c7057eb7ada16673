"""Stage 5: confidence — how well the best result answers, and whether that counts as reliable."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.settings import RetrievalSettings
from retrieval.stages.coverage import coverage
from retrieval.stages.model import Confidence, QuestionWords


@dataclass(frozen=True)
class ConfidenceSettings:
    """The slice of ``retrieval`` settings the confidence stage reads."""

    dense_share: float  # confidence = (1 − share) × word coverage + share × dense similarity
    min_confidence: float  # below this the answer is flagged "no reliable answer"

    @classmethod
    def of(cls, settings: RetrievalSettings) -> ConfidenceSettings:
        """Return the slice of ``settings``."""
        return cls(settings.confidence_dense_share, settings.min_confidence)


class ConfidenceScorer:
    """Blends the best result's word coverage with its dense similarity."""

    def __init__(self, settings: ConfidenceSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: a setting is outside 0 … 1.
        """
        if not 0 <= settings.dense_share <= 1 or not 0 <= settings.min_confidence <= 1:
            raise ValueError("confidence_dense_share 与 min_confidence 必须在 0 到 1 之间")
        self.settings = settings

    def score(self, match_text: str | None, question: QuestionWords, similarity: float) -> Confidence:
        """Judge the best result.

        Args:
            match_text: what the best provision covers words with (its text, headings, doc2query
                questions; lower-cased), None when there is no result.
            question: the question's weighted words.
            similarity: the best provision's dense similarity (0 without the dense leg).

        Returns:
            The confidence and whether it is reliable.
        """
        if match_text is None:
            return Confidence(0.0, False)
        share = self.settings.dense_share
        value = round((1 - share) * coverage(match_text, question) + share * similarity, 4)
        return Confidence(value, value >= self.settings.min_confidence)
