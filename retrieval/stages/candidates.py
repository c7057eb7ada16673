"""Stage 1: candidate generation — the BM25 legs (typed words, expansions, doc2query) and the dense leg."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.settings import RetrievalSettings
from retrieval.builder import dense_text
from retrieval.stages.model import Candidates, IndexState, Query
from retrieval.tokenize import Tokenizer


@dataclass(frozen=True)
class CandidateSettings:
    """The slice of ``retrieval`` settings candidate generation reads."""

    candidates: int  # taken from each leg
    expansion_weight: float  # lexicon expansions relative to the typed words
    expansion_part_weight: float  # an expanded term's parts relative to the term itself
    doc2query_weight: float  # BM25 over the doc2query questions, added to the provision's own

    @classmethod
    def of(cls, settings: RetrievalSettings) -> CandidateSettings:
        """Return the slice of ``settings``."""
        return cls(
            settings.candidates, settings.expansion_weight, settings.expansion_part_weight, settings.doc2query_weight
        )


class CandidateGenerator:
    """Scores every provision on each leg and keeps the union of each leg's best ``candidates``."""

    def __init__(self, settings: CandidateSettings, tokenizer: Tokenizer) -> None:
        """Create the stage.

        Raises:
            ValueError: a setting is out of range.
        """
        if settings.candidates < 1:
            raise ValueError("candidates 必须至少为 1")
        if min(settings.expansion_weight, settings.expansion_part_weight, settings.doc2query_weight) < 0:
            raise ValueError("expansion_weight、expansion_part_weight、doc2query_weight 不能为负数")
        self.settings = settings
        self.tokenizer = tokenizer

    def generate(self, state: IndexState, query: Query) -> Candidates:
        """Score the provisions for ``query`` and pick the candidates.

        Returns:
            Candidate positions (empty when no leg found anything) with each leg's scores.
        """
        n = state.size
        pool = min(self.settings.candidates, n)
        lexical = np.zeros(n, dtype=np.float32)
        lexical_leg = "bm25" in query.legs
        if lexical_leg:
            lexical = state.bm25.scores(query.tokens) + self.expansion_scores(state, query)
            if state.questions is not None and self.settings.doc2query_weight > 0:
                lexical = lexical + self.settings.doc2query_weight * state.questions.scores(
                    query.tokens + query.expansion_tokens
                )
        semantic = np.zeros(n, dtype=np.float32)
        dense_ids: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        if "dense" in query.legs and state.encoder is not None and state.dense is not None:
            vector = state.encoder.encode_one(dense_text(" ".join([query.text, *query.expansions]), []))  # type: ignore[attr-defined]
            sims, dense_ids = state.dense.search(vector, pool)  # type: ignore[attr-defined]
            keep = dense_ids >= 0
            dense_ids = dense_ids[keep]
            semantic[dense_ids] = np.maximum(sims[keep], 0)
        top_lexical = float(lexical.max()) if lexical.size else 0.0
        chosen = set(dense_ids.tolist())
        if top_lexical > 0:
            chosen |= set(np.argpartition(-lexical, pool - 1)[:pool].tolist())
        ids = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
        dense_leg = "dense" in query.legs and state.encoder is not None
        return Candidates(ids, lexical, top_lexical, semantic, lexical_leg, dense_leg)

    def expansion_scores(self, state: IndexState, query: Query) -> npt.NDArray[np.float32]:
        """BM25 of the official terms a question's colloquial words stand for, ``expansion_weight`` times.

        A term the index holds as one token (个体工商户) counts as that phrase; its parts (个体, 工商 …)
        count only ``expansion_part_weight`` as much. Summing every part at full weight let a provision
        that merely repeats a long official term outrank one that answers the question.
        """
        whole: list[str] = []
        parts: list[str] = []
        typed = query.tokens
        for term in query.expansions:
            pieces = [t for t in self.tokenizer.term_tokens([term]) if t not in typed]
            folded = term.lower()
            if state.bm25.has(folded):
                whole.append(folded)
                parts.extend(t for t in pieces if t != folded)
            else:
                parts.extend(pieces)
        weight = self.settings.expansion_weight
        scores = np.zeros(state.size, dtype=np.float32)
        if whole:
            scores += weight * state.bm25.scores(whole)
        if parts:
            scores += weight * self.settings.expansion_part_weight * state.bm25.scores(parts)
        return scores
