"""Stage 5: confidence — how well the best result answers, and whether that counts as reliable.

Reliable means a citizen can take the best result as the answer: it covers the question well enough
(``min_confidence``); a question about nothing to do with work (``untopical_min_confidence``) or a 人社
matter the plans leave to another service — 社保卡, 工伤, 劳动仲裁 … (``routed_min_confidence``) — must
match strongly; and when the question asks for a figure, a procedure or the conditions, the provision
states one. Questions whose subject the documents discuss without giving what is asked
("失业金每月多少") are the hard case: word coverage alone cannot tell them from answerable ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.questionkind import QuestionKind
from knowledge.settings import RetrievalSettings
from retrieval.stages.answers import states_what_is_asked
from retrieval.stages.coverage import coverage
from retrieval.stages.model import Confidence, QuestionWords


@dataclass(frozen=True)
class ConfidenceSettings:
    """The slice of ``retrieval`` settings the confidence stage reads."""

    dense_share: float  # confidence = (1 − share) × word coverage + share × dense similarity
    min_confidence: float  # below this the answer is flagged "no reliable answer"
    untopical_min_confidence: float  # a question with no word about work needs this much
    routed_min_confidence: float  # a matter another service decides (社保卡, 工伤 …) needs this much

    @classmethod
    def of(cls, settings: RetrievalSettings) -> ConfidenceSettings:
        """Return the slice of ``settings``."""
        return cls(
            settings.confidence_dense_share,
            settings.min_confidence,
            settings.untopical_min_confidence,
            settings.routed_min_confidence,
        )


@dataclass(frozen=True)
class Asked:
    """What the question asks, as the confidence stage judges it."""

    question: str  # as typed
    kind: QuestionKind  # a figure, a procedure, the conditions, or nothing specific
    topical: bool  # it names work or 人社 at all
    routed: bool  # a 人社 matter another service decides (the plans do not answer it)
    errand: bool = False  # a customer asking after a parcel or a meal: never reliable


@dataclass(frozen=True)
class Best:
    """The best result, as the confidence stage needs it."""

    match_text: str  # what it covers words with (text, headings, doc2query questions; lower-cased)
    text: str  # the provision's own text (what it states)
    field_label: str | None  # its policy-list field label, None for plan text
    similarity: float  # its dense similarity (0 without the dense leg)


class ConfidenceScorer:
    """Blends the best result's word coverage with its dense similarity and judges it against the question."""

    def __init__(self, settings: ConfidenceSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: a setting is outside 0 … 1.
        """
        values = (
            settings.dense_share,
            settings.min_confidence,
            settings.untopical_min_confidence,
            settings.routed_min_confidence,
        )
        if not all(0 <= value <= 1 for value in values):
            raise ValueError(
                "confidence_dense_share、min_confidence、untopical_min_confidence、routed_min_confidence"
                " 必须在 0 到 1 之间"
            )
        self.settings = settings

    def score(self, best: Best | None, question: QuestionWords, asked: Asked) -> Confidence:
        """Judge the best result.

        Args:
            best: the best result, None when there is none.
            question: the question's weighted words.
            asked: what the question asks.

        Returns:
            The confidence and whether it is reliable.
        """
        if best is None:
            return Confidence(0.0, False)
        share = self.settings.dense_share
        value = round((1 - share) * coverage(best.match_text, question) + share * best.similarity, 4)
        needed = self.settings.min_confidence if asked.topical else self.settings.untopical_min_confidence
        if asked.routed:  # the plans touch on it ("住房公积金异地转移接续平台") only now and then
            needed = max(needed, self.settings.routed_min_confidence)
        reliable = (
            not asked.errand
            and value >= needed
            and states_what_is_asked(asked.kind, asked.question, best.text, best.field_label)
        )
        return Confidence(value, reliable)
