"""Stage 3 (reranker): a question naming a policy of a policy list prefers that policy's fields, and among
them the field its question asks for — "X补贴每月多少" the 补贴标准 of X, "X去哪申请" its 申请渠道,
"X谁能申请" its 服务对象 / 申请条件, "X要什么材料" its 申报材料.

Only provisions that ingestion cut from a policy list (``Provision.policy_field`` set, text starting
"【政策名称】") are touched, so a knowledge base without lists ranks exactly as without this stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from knowledge.settings import RetrievalSettings
from knowledge.textmatch import match_key
from retrieval.ingest.policylabels import field_kind
from retrieval.stages.model import IndexState, Ranking, RerankContext

# what a question asks for → the field kinds (retrieval/ingest/policylist.py) that answer it
QUESTION_KINDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"多少|几[百千万块元]|标准|金额|额度|怎么算|如何计算|最高|上限|补贴几|贷几"), ("amount",)),
    (
        re.compile(
            r"哪里|哪儿|去哪|在哪|到哪|向哪|哪个部门|哪个单位|哪个窗口|找谁|渠道|经办|窗口|"
            r"怎么申|如何申|怎么办|如何办|怎么领|途径"
        ),
        ("channel",),
    ),
    (
        re.compile(
            r"谁|哪些人|什么人|哪类人|什么样的|啥样的|哪种人|对象|适用于|适用哪|条件|符合|资格|哪些企业|哪些单位|"
            r"什么企业|什么单位"
        ),
        ("target", "condition"),
    ),
    (re.compile(r"材料|证件|证明|资料|带什么|准备什么|提交什么|手续"), ("materials",)),
    (re.compile(r"多久|多长时间|几天|时限|什么时候|何时|期限|几个工作日"), ("deadline",)),
    (re.compile(r"电话|热线|联系方式"), ("contact",)),
)
_POLICY_NAME = re.compile(r"^【([^】]+)】")
_QUALIFIER = re.compile(r"[（(][^）)]*[)）]")


@dataclass(frozen=True)
class PolicyFieldSettings:
    """The slice of ``retrieval`` settings the policy-field reranker reads."""

    name_boost: float  # score factor for every field of a policy the question names (1 = off)
    field_boost: float  # further factor for the field the question asks for (1 = off)
    name_match: float  # share of a policy name's character pairs the question must hold to name it

    @classmethod
    def of(cls, settings: RetrievalSettings) -> PolicyFieldSettings:
        """Return the slice of ``settings``."""
        return cls(settings.policy_name_boost, settings.policy_field_boost, settings.policy_name_match)


class PolicyFieldReranker:
    """Fields of the policy a question names first (the one whose name it holds most of), the asked-for field
    before the others."""

    def __init__(self, settings: PolicyFieldSettings) -> None:
        """Create the stage.

        Raises:
            ValueError: a boost below 1 or the name match outside (0, 1].
        """
        if settings.name_boost < 1 or settings.field_boost < 1:
            raise ValueError("policy_name_boost 和 policy_field_boost 不能小于 1")
        if not 0 < settings.name_match <= 1:
            raise ValueError("policy_name_match 必须大于 0 且不超过 1")
        self.settings = settings

    def rerank(self, ranking: Ranking, context: RerankContext) -> Ranking:
        """Return the ranking with the named policy's fields boosted (unchanged when no list policy is named)."""
        if self.settings.name_boost <= 1 and self.settings.field_boost <= 1:
            return ranking
        names = _policy_names(context.state)
        if not names:
            return ranking
        question = match_key(context.query.text)
        shares = {name: name_share(name, question) for name in set(names.values())}
        # the name the question holds most of, the longest of those: "灵活就业社会保险补贴" over the
        # "社会保险补贴" it contains, "社会保险补贴" alone when the question does not say 灵活就业
        best = max((share, len(name)) for name, share in shares.items())
        if best[0] < self.settings.name_match:
            return ranking
        named = {name for name, share in shares.items() if (share, len(name)) == best}
        asked = question_kinds(context.query.text)
        factors = np.ones(len(ranking.ids))
        for j, index in enumerate(ranking.ids.tolist()):
            if names.get(index) not in named:
                continue
            factors[j] = self.settings.name_boost
            kind = field_kind(context.state.corpus.provisions[index].policy_field)
            if kind in asked:
                factors[j] *= self.settings.field_boost
        return Ranking(ranking.ids, ranking.score * factors)


def question_kinds(question: str) -> set[str]:
    """Return the field kinds a question asks for ("每月多少" → amount; "去哪申请" → channel …)."""
    return {kind for pattern, kinds in QUESTION_KINDS if pattern.search(question) for kind in kinds}


def name_share(name: str, question: str) -> float:
    """Return the share of ``name``'s character pairs found in ``question`` (both under ``match_key``).

    Args:
        name: a policy name, already under ``match_key`` (a qualifier in brackets left out).
        question: the question under ``match_key``.

    Returns:
        0 … 1; 1 when the question holds the whole name (a one-character name counts as a pair).
    """
    pairs = {name[i : i + 2] for i in range(max(1, len(name) - 1))}
    return sum(1 for pair in pairs if pair in question) / len(pairs) if pairs else 0.0


def names_policy_of(question: str, provision_text: str, threshold: float) -> bool:
    """Return whether ``question`` names the policy a policy-list provision ("【政策名称】…") belongs to.

    Args:
        question: the question as searched.
        provision_text: the provision's text; a provision not cut from a policy list names no policy.
        threshold: the share of the name's character pairs the question must hold (``policy_name_match``).
    """
    name = policy_name(provision_text)
    return name is not None and name_share(name, match_key(question)) >= threshold


def policy_name(provision_text: str) -> str | None:
    """Return the policy a policy-list provision ("【政策名称】…") belongs to, under ``match_key`` and
    without a bracketed qualifier; None for a provision not cut from a list."""
    match = _POLICY_NAME.match(provision_text)
    return match_key(_QUALIFIER.sub("", match.group(1))) if match else None


def _policy_names(state: IndexState) -> dict[int, str]:
    """Each policy-list provision's policy name (without a bracketed qualifier), cached on the state."""
    cached = state.policy_names
    if cached is None:
        cached = {}
        for index, provision in enumerate(state.corpus.provisions):
            if provision.policy_field and (name := policy_name(provision.text)) is not None:
                cached[index] = name
        state.policy_names = cached
    return cached
