"""A provision whose condition is what the asker says they lack does not lead: "平台冇同我签合同" is not
answered with "新就业形态劳动者签订劳动合同的，用人单位要…参加社会保险" but with the provision for those without
one ("可按灵活就业人员身份参加基本养老保险")."""

from __future__ import annotations

import re

from knowledge.lexicon import Lexicon
from retrieval.search import SearchResult

# (what the asker says they lack, the condition of a provision for those who have it)
_LACKING = (
    (  # no labour contract: "没签合同", "平台冇同我签合同", "老板不跟俺签合同", "没有劳动合同"
        re.compile(r"(没|冇|没有|未|不|唔)[^，,。\s]{0,6}签[^，,。\s]{0,3}合同|(没|冇|没有|无)(劳动|正式)?合同"),
        re.compile(r"签订劳动合同的"),
    ),
    (  # no business registration: "没办执照", "冇营业执照", "没去工商登记"
        re.compile(r"(没|冇|没有|未|无)[^，,。\s]{0,3}(营业执照|执照|工商登记|登记注册)"),
        re.compile(r"(经|办理)工商登记注册的"),
    ),
)


def conditioned_on_a_lack(question: str, results: list[SearchResult]) -> frozenset[str]:
    """Return the ids of the results whose condition is what the asker says they lack (no catalogue policy is
    answered under them: "新就业形态劳动者签订劳动合同的社会保险" is not a rider's without a contract)."""
    found: set[str] = set()
    for said, condition in _LACKING:
        if said.search(question):
            found |= {r.provision.id for r in results if condition.search(r.provision.text)}
    return frozenset(found)


def not_for_what_they_lack(
    question: str, results: list[SearchResult], lexicon: Lexicon, ratio: float
) -> list[SearchResult]:
    """Return ``results`` led, when the best one's condition is what the asker says they lack, by the result
    without that condition that names most of the policy words the question's everyday words stand for
    (among those scoring at least ``ratio`` of the best; the higher ranked on a tie).

    Args:
        question: the question as typed.
        results: the results, best first.
        lexicon: the policy words a question's everyday words stand for (送外卖 → 灵活就业人员).
        ratio: how close to the best a result must score to lead instead.

    Returns:
        The results, reordered or as given (no such lack stated, or no other result close enough).
    """
    for said, condition in _LACKING:
        if not results or not said.search(question) or not condition.search(results[0].provision.text):
            continue
        terms = {t for _, found in lexicon.matches(question) for t in found}
        close = [r for r in results if r.score >= ratio * results[0].score and not condition.search(r.provision.text)]
        if close:
            other = max(close, key=lambda r: sum(t in r.provision.text for t in terms))  # first of the best
            results = [other, *(r for r in results if r is not other)]
    return results
