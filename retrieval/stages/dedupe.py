"""Stage 4: near-duplicate collapse — of provisions whose character bigrams mostly coincide (the same
national sentence copied into a provincial plan), one represents the group: the most specific region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from knowledge.settings import RetrievalSettings
from retrieval.stages.model import Group, IndexState


@dataclass(frozen=True)
class DedupeSettings:
    """The slice of ``retrieval`` settings the collapse reads."""

    similarity: float  # bigram Jaccard at or above which two provisions are duplicates
    window: int  # for k results, the best 2 × k + window candidates are looked through

    @classmethod
    def of(cls, settings: RetrievalSettings) -> DedupeSettings:
        """Return the slice of ``settings``."""
        return cls(settings.duplicate_similarity, settings.duplicate_window)


class Deduplicator:
    """Keeps the best of each group of near-duplicate provisions, preferring the asker's most specific region."""

    def __init__(self, settings: DedupeSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: the similarity is outside (0, 1] or the window negative.
        """
        if not 0 < settings.similarity <= 1:
            raise ValueError("duplicate_similarity 必须大于 0 且不超过 1")
        if settings.window < 0:
            raise ValueError("duplicate_window 不能为负数")
        self.settings = settings

    def collapse(
        self, state: IndexState, order: npt.NDArray[np.int64], k: int, lineage: list[str] | None
    ) -> list[Group]:
        """Group near-duplicates among the best candidates.

        Args:
            state: the loaded index (provision texts, regions, bigram cache).
            order: candidate positions, best first.
            k: how many groups are wanted.
            lineage: the asker's region and those containing it, most specific first (None: unknown).

        Returns:
            At most ``k`` groups, best first; each names the duplicates it stands for.
        """
        window = order[: 2 * k + self.settings.window].tolist()
        provisions = state.corpus.provisions
        shared, sizes = state.bigrams.overlaps(window, [provisions[i].text for i in window])
        similar = _similar(shared, sizes, self.settings.similarity)
        duplicates = cast(list[list[bool]], similar.tolist())
        # a provision like none ranked above it starts a group (groups are kept by earlier provisions)
        alone = cast(list[bool], (~np.tril(similar, -1).any(axis=1)).tolist())
        chosen: list[tuple[int, list[int]]] = []  # (slot in window, duplicates' slots)
        for slot in range(len(window)):
            duplicate_of = (
                None
                if alone[slot]
                else next((group for group, (kept, _) in enumerate(chosen) if duplicates[kept][slot]), None)
            )
            if duplicate_of is None:
                chosen.append((slot, []))
                continue
            kept, others = chosen[duplicate_of]
            if _more_specific(str(state.regions[window[slot]]), str(state.regions[window[kept]]), lineage):
                chosen[duplicate_of] = (slot, [kept, *others])
            else:
                others.append(slot)
        return [Group(window[slot], [window[o] for o in others]) for slot, others in chosen[:k]]


def _similar(shared: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64], threshold: float) -> npt.NDArray[np.bool_]:
    """Return for each pair of provisions whether the Jaccard index of their bigram sets reaches ``threshold``.

    Args:
        shared: how many bigrams each pair shares.
        sizes: how many bigrams each provision has.
        threshold: the similarity at or above which two provisions are duplicates.

    Returns:
        similar[i, j]. When one set is under half the other's size the index cannot exceed
        ``small / large``; that bound stands for it (so it never reaches a threshold above 0.5).
    """
    a, b = sizes[:, None], sizes[None, :]
    small, large = np.minimum(a, b), np.maximum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(small < 0.5 * large, small / large, shared / (a + b - shared))
    value = np.where((a == 0) | (b == 0), 0.0, value)
    similar: npt.NDArray[np.bool_] = value >= threshold
    return similar


def _more_specific(candidate: str, kept: str, lineage: list[str] | None) -> bool:
    """Return True when a provision of region ``candidate`` should represent its duplicate group instead of
    the one of region ``kept``: its region comes earlier in the asker's lineage."""
    if candidate == kept or lineage is None:
        return False
    rank_a = lineage.index(candidate) if candidate in lineage else len(lineage)
    rank_b = lineage.index(kept) if kept in lineage else len(lineage)
    return rank_a < rank_b
