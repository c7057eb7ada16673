"""Which catalogue policy, if any, a set of search results is about (a policy cites one of them)."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from functools import lru_cache

from knowledge.catalogue import Catalogue, Citation, Policy, required_groups
from knowledge.regions import NATIONAL, RegionTable
from retrieval.search import SearchResult


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """NFKC, without whitespace, punctuation and symbols (how quotes are compared)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "S", "Z")) and not ch.isspace())


def _overlap(quote: str, text: str, piece: int = 8) -> float:
    """Share of the quote's ``piece``-character pieces that occur in ``text`` (0 … 1)."""
    if not quote:
        return 0.0
    if quote in text:
        return 1.0
    pieces = [quote[i : i + piece] for i in range(0, max(len(quote) - piece + 1, 1), piece)]
    return sum(p in text for p in pieces) / len(pieces)


def applies_to(policy: Policy, region: str | None, regions: RegionTable) -> bool:
    """Return True when the policy covers the asker's region (or the region is unknown)."""
    if region is None or NATIONAL in policy.regions:
        return True
    # the region as given may be a place name ("深圳", from the conversation): its finest region's
    # ancestors hold every region it lies in, as for eligibility
    lineage = regions.ancestors(regions.finest(region) or region)
    return any(r in lineage for r in policy.regions)


def grounding(policy: Policy) -> list[Citation]:
    """The citations that ground a policy: its first, and the first of each other document it cites. A
    supporting quote from the same document ("强化退役军人服务中心（站）就业服务功能" under 退役军人创业担保贷款
    贴息) does not make a provision about something else answer under the policy's name."""
    seen: set[str] = set()
    out = []
    for citation in policy.citations:
        if citation.doc not in seen:
            seen.add(citation.doc)
            out.append(citation)
    return out


def match_policy(
    results: list[SearchResult],
    catalogue: Catalogue,
    region: str | None,
    regions: RegionTable,
    min_overlap: float,
    ruled_out: Collection[str] = (),
) -> tuple[Policy, SearchResult] | None:
    """Return the first policy one of ``results`` grounds (in result order), with that result.

    Args:
        results: the top search results, best first.
        catalogue: the policy catalogue.
        region: the asker's region, or None.
        regions: the region table.
        min_overlap: share of a citation quote the provision must hold.
        ruled_out: ids of policies the asker's known facts rule out (never matched).

    Returns:
        (policy, the result quoting it), or None.
    """
    for result in results:
        text = _plain(result.provision.text)
        for policy in catalogue:
            if policy.id in ruled_out or not applies_to(policy, region, regions):
                continue
            if _grounds(policy, text, min_overlap):
                return policy, result
    return None


def _grounds(policy: Policy, plain_text: str, min_overlap: float) -> bool:
    """Whether a provision's normalised text holds one of the policy's grounding quotes (≥ ``min_overlap``)."""
    return any(_overlap(_plain(c.quote), plain_text) >= min_overlap for c in grounding(policy))


def grounded_by(text: str, catalogue: Catalogue, min_overlap: float) -> frozenset[str]:
    """Return the ids of the policies whose grounding citations ``text`` holds (at least ``min_overlap``
    of a quote): the catalogue's link between a national provision and a region's wording of it."""
    plain = _plain(text)
    return frozenset(policy.id for policy in catalogue if _grounds(policy, plain, min_overlap))


def for_other_groups(catalogue: Catalogue, asker_groups: Collection[str], narrow: int) -> frozenset[str]:
    """Return the ids of the policies only for groups the asker has not named or been found in (a veterans'
    loan for someone who said nothing of the army): a reply does not answer under their name. The provision
    may still be quoted, as what the documents say."""
    mine = set(asker_groups)
    return frozenset(
        policy.id
        for policy in catalogue
        if (needed := required_groups(policy.conditions, narrow)) and not needed & mine
    )
