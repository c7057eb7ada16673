"""The eligibility engine: facts → eligible / ineligible / unknown per policy, with reasons, the facts
still missing, and which question to ask next. It never guesses: a condition on an absent fact is
unknown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from knowledge.catalogue import Catalogue, Condition, Group, Leaf, Policy, condition_leaves
from knowledge.docnames import document_name
from knowledge.facts import FACTS, GROUPS, describe_value
from knowledge.regions import NATIONAL, RegionTable

Status = Literal["eligible", "ineligible", "unknown"]
# When two facts would settle equally many policies, ask the more basic one first.
FACT_PRIORITY = (
    "region",
    "groups",
    "employment_status",
    "years_since_graduation",
    "business_first_time",
    "business_operating_years",
    "unemployment_insurance_years",
    "certificate_this_year",
    "labor_contract",
    "grassroots_job",
    "enlisting",
    "years_to_retirement",
    "overcapacity_industry",
    "employer_type",
)
_OP_WORDS = {"lt": "少于", "lte": "不超过", "gt": "超过", "gte": "至少", "eq": "为", "ne": "不为"}


# A group condition naming this many groups or fewer targets the people in them (退役军人, 妇女), not any job seeker.
NARROW_GROUPS = 2
STARTUP_CATEGORIES = frozenset({"startup", "startup_loan"})


@dataclass(frozen=True)
class PolicyResult:
    """The verdict on one policy."""

    policy: Policy
    status: Status
    reasons: list[str]
    missing: list[str]
    period_ended: bool = False
    satisfied: int = 0  # conditions already met: how likely the policy is to fit, for question planning
    # Missing facts off the situation the citizen described, which question planning asks last: those
    # that keep the policy open only as the alternative to a condition the citizen's facts already fail
    # (an unemployed graduate and "首次创业" for a policy "for the self-employed or first-time founders"),
    # and those that concern another employment status (FactSpec.concerns: "单位类型" for the unemployed).
    off_path: frozenset[str] = frozenset()
    # the policy is for a group of the asker's (a group condition naming at most NARROW_GROUPS groups, met):
    # it is listed before those open to any job seeker
    targeted: bool = False


@dataclass(frozen=True)
class Verdict:
    """All policies' verdicts for one set of facts, and the next question worth asking."""

    results: list[PolicyResult]
    next_fact: str | None
    conditions_evaluated: int
    facts: dict[str, Any] = field(default_factory=dict)


class EligibilityEngine:
    """Evaluates the catalogue against a citizen's facts."""

    def __init__(
        self,
        catalogue: Catalogue,
        regions: RegionTable,
        today: date | None = None,
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Create an engine.

        Args:
            catalogue: the policies.
            regions: to decide whether a policy's regions cover the asker's region.
            today: the date used to tell whether a plan period has ended (default: today).
            names: a citation's document reference (文号 or id) → the name reasons cite it by
                (《title》文号, see ``knowledge.docnames``); a reference not in it is cited by its 文号.
        """
        self.catalogue = catalogue
        self.regions = regions
        self.today = today
        self.names = dict(names or {})

    def evaluate(self, facts: dict[str, Any], skip: tuple[str, ...] = ()) -> Verdict:
        """Judge every policy.

        Args:
            facts: validated facts (see ``knowledge.facts.validate_facts``).
            skip: facts the citizen declined to give; they are not proposed as the next question.

        Returns:
            Results ordered eligible, unknown, ineligible; within each, the policies that match more
            of the citizen's facts first (a graduate's internship subsidy before a loan open to any
            job seeker), then catalogue order; and the missing fact that would settle the most
            still-open policies.
        """
        counter = [0]
        results = [self._judge(policy, facts, counter) for policy in self.catalogue]
        order = {"eligible": 0, "unknown": 1, "ineligible": 2}
        # at a tie, help for starting a business comes after other help unless the asker is founding one
        founding = facts.get("business_first_time") is True or facts.get("employment_status") == "self_employed"
        results.sort(
            key=lambda r: (
                order[r.status],
                not r.targeted,
                -r.satisfied,
                r.policy.category in STARTUP_CATEGORIES and not founding,
            )
        )
        return Verdict(results, next_question(results, facts, skip), counter[0], facts)

    def _judge(self, policy: Policy, facts: dict[str, Any], counter: list[int]) -> PolicyResult:
        source = _source(policy, self.names)
        year = (self.today or date.today()).year
        ended = policy.period is not None and policy.period[1] < year
        reasons: list[str] = []
        region_ok = self._region(policy, facts, reasons)
        condition_ok: bool | None = True
        missing: list[str] = []
        met = [0]
        off_path: set[str] = set()
        if policy.conditions is not None:
            condition_ok = _evaluate(policy.conditions, facts, reasons, missing, counter, met, off_path)
        if region_ok is None:
            missing.insert(0, "region")
        status: Status
        if region_ok is False or condition_ok is False:
            status, missing = "ineligible", []
        elif region_ok and condition_ok:
            status, missing = "eligible", []
        else:
            status = "unknown"
        reasons = [f"{reason}（依据：{source}）" for reason in reasons]
        if ended and policy.period is not None:
            start, end = policy.period
            reasons.append(f"该政策出自{start}–{end}年规划，规划期已结束，请向当地人社部门确认现行政策")
        missing = list(dict.fromkeys(missing))
        status_now = facts.get("employment_status")
        off_path.update(f for f in missing if FACTS[f].concerns and status_now not in (None, *FACTS[f].concerns))
        off = frozenset(off_path & set(missing))
        targeted = _targets_groups(policy.conditions, facts.get("groups") or [])
        return PolicyResult(policy, status, reasons, missing, ended, met[0] + bool(region_ok), off, targeted)

    def _region(self, policy: Policy, facts: dict[str, Any], reasons: list[str]) -> bool | None:
        if NATIONAL in policy.regions:
            reasons.append("全国范围适用")
            return True
        where = "、".join(policy.regions)
        region = facts.get("region")
        if region is None:
            reasons.append(f"仅适用于{where}，需要知道您所在地区")
            return None
        # the place as precisely as the dataset knows it (惠东 → 广东省惠州市), so that a policy of its
        # city applies as well as one of its province (region holds the province when the city has none)
        finest = self.regions.finest(str(facts.get("region_name", region))) or region
        if set(self.regions.ancestors(finest)) & set(policy.regions) or region in policy.regions:
            reasons.append(f"符合：适用于{where}（您在{facts.get('region_name', region)}）")
            return True
        reasons.append(f"不符合：仅适用于{_place(where)}（您在{facts.get('region_name', region)}）")
        return False


def _place(where: str) -> str:
    return {"广东": "广东省", "宁夏": "宁夏回族自治区", "山东省聊城市": "山东省聊城市"}.get(where, where)


def _source(policy: Policy, names: Mapping[str, str]) -> str:
    citation = policy.citations[0]
    name = names.get(citation.doc) or document_name(None, None, citation.doc)
    return f"{name}：“{citation.quote}”"


def _evaluate(
    condition: Condition,
    facts: dict[str, Any],
    reasons: list[str],
    missing: list[str],
    counter: list[int],
    met: list[int],
    off_path: set[str],
) -> bool | None:
    """Three-valued evaluation (True / False / None = unknown), recording reasons, missing facts, how
    many conditions are evaluated (``counter``) and met (``met``), and the missing facts that are only
    alternatives to a condition the facts already fail (``off_path``: an "any" with a False child)."""
    if isinstance(condition, Leaf):
        counter[0] += 1
        value = _leaf(condition, facts, reasons, missing)
        met[0] += value is True
        return value
    assert isinstance(condition, Group)
    child_reasons: list[list[str]] = []
    child_missing: list[list[str]] = []
    values: list[bool | None] = []
    for child in condition.children:
        r: list[str] = []
        m: list[str] = []
        values.append(_evaluate(child, facts, r, m, counter, met, off_path))
        child_reasons.append(r)
        child_missing.append(m)
    # "all" is decided by a False child, "any" by a True one; otherwise unknown children leave it open.
    decisive = condition.mode != "all"
    if decisive in values:
        chosen = [r for value, r in zip(values, child_reasons, strict=True) if value is decisive]
        reasons.extend(chosen[0] if decisive else [line for r in chosen for line in r])
        return decisive
    for r in child_reasons:
        reasons.extend(r)
    if None in values:
        for value, m in zip(values, child_missing, strict=True):
            if value is None:
                missing.extend(m)
                if condition.mode == "any" and False in values:
                    off_path.update(m)
        return None
    return not decisive


def _targets_groups(condition: Condition | None, groups: list[str]) -> bool:
    """Whether a condition names, among at most NARROW_GROUPS groups, one the asker belongs to."""
    return any(
        leaf.fact == "groups" and len(leaf.value) <= NARROW_GROUPS and bool(set(leaf.value) & set(groups))
        for leaf in condition_leaves(condition)
    )


def _leaf(leaf: Leaf, facts: dict[str, Any], reasons: list[str], missing: list[str]) -> bool | None:
    spec = FACTS[leaf.fact]
    wanted = _describe_requirement(leaf)
    if leaf.fact not in facts:
        reasons.append(f"尚不确定：需要{wanted}，请告诉我们您的{spec.label}")
        missing.append(leaf.fact)
        return None
    actual = facts[leaf.fact]
    ok = _test(leaf, actual)
    mark = "符合" if ok else "不符合"
    reasons.append(f"{mark}：需要{wanted}（您：{describe_value(leaf.fact, actual)}）")
    return ok


def _test(leaf: Leaf, actual: Any) -> bool:
    value = leaf.value
    match leaf.op:
        case "has_any":
            return bool(set(actual) & set(value))
        case "has_all":
            return set(value) <= set(actual)
        case "is":
            return bool(actual is value)
        case "eq":
            return bool(actual == value)
        case "ne":
            return bool(actual != value)
        case "in":
            return actual in value
        case "lt":
            return bool(actual < value)
        case "lte":
            return bool(actual <= value)
        case "gt":
            return bool(actual > value)
        case "gte":
            return bool(actual >= value)
    raise ValueError(f"unknown operator {leaf.op}")


def _describe_requirement(leaf: Leaf) -> str:
    spec = FACTS[leaf.fact]
    if spec.kind == "groups":
        names = [GROUPS[g] for g in leaf.value]
        joiner = "或" if leaf.op == "has_any" else "且"
        return f"身份为{joiner.join(names)}"
    if spec.kind == "bool":
        return spec.label if leaf.value else f"不属于“{spec.label}”"
    if spec.kind == "number":
        number = int(leaf.value) if float(leaf.value).is_integer() else leaf.value
        return f"{spec.label}{_OP_WORDS[leaf.op]}{number}{spec.unit}"
    values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
    shown = "或".join(describe_value(leaf.fact, v) for v in values)
    return f"{spec.label}{'不为' if leaf.op == 'ne' else '为'}{shown}"


def next_question(results: list[PolicyResult], facts: dict[str, Any], skip: tuple[str, ...] = ()) -> str | None:
    """Return the missing fact that would settle the most still-open policies (ties: more basic first).

    Each open policy counts 1 plus the number of its conditions already met, so a policy that
    already fits the person in part (a graduate asking about graduate subsidies) weighs more than
    one nothing points to yet. That weight is shared among the facts the policy still needs: a fact
    that settles a policy on its own decides more than one of the two facts it needs.

    A fact missing only off the citizen's path (the "首次创业" alternative of a policy whose other
    branch, "自主创业", the citizen's facts already fail) counts only when no fact on their path is
    left: it does not concern the situation they described, so it is asked last.

    A policy that can no longer be found eligible, because it needs a fact the citizen could not give
    (``skip``), asks nothing: "不清楚" to 身份 leaves a policy for 企业职工 of 去产能 enterprises open, but no
    answer about 去产能 can make it fit (``facts``, the facts given, tell). Returns None when no question is
    worth asking.
    """
    on_path: dict[str, float] = {}
    off_path: dict[str, float] = {}
    declined = frozenset(skip)
    for result in results:
        if result.status == "unknown":
            if declined and not _could_fit(result, facts, declined):
                continue  # no answer can make it fit any more: nothing to ask for it
            share = (1 + result.satisfied) / len(result.missing)
            for fact in result.missing:
                if fact not in skip:
                    tally = off_path if fact in result.off_path else on_path
                    tally[fact] = tally.get(fact, 0.0) + share
    counts = on_path or off_path
    if not counts:
        return None
    return max(counts, key=lambda f: (counts[f], -FACT_PRIORITY.index(f) if f in FACT_PRIORITY else -99))


def _could_fit(result: PolicyResult, facts: dict[str, Any], declined: frozenset[str]) -> bool:
    """Whether an open policy can still be found eligible: some answers to the facts still missing, but
    none to the ones the citizen declined (``declined``), would meet its conditions."""
    if "region" in declined and "region" in result.missing:
        return False
    conditions = result.policy.conditions
    return conditions is None or _could_hold(conditions, facts, declined)


def _could_hold(condition: Condition, facts: dict[str, Any], declined: frozenset[str]) -> bool:
    """A condition is possible when its known facts meet it and each unknown fact is one still to ask."""
    if isinstance(condition, Leaf):
        value = _leaf(condition, facts, [], [])
        return value if value is not None else condition.fact not in declined
    assert isinstance(condition, Group)
    verdicts = (_could_hold(child, facts, declined) for child in condition.children)
    return all(verdicts) if condition.mode == "all" else any(verdicts)
