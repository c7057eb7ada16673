"""The policy catalogue (``knowledge/policies.yml``): policies, their structured conditions, citations."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.facts import EMPLOYER_TYPES, EMPLOYMENT_STATUS, FACTS, GROUPS
from knowledge.yamlfile import read_list

CATEGORIES = ("graduate", "startup_loan", "flexible_insurance", "startup", "training", "assistance", "other")
CATEGORY_LABELS = {
    "graduate": "高校毕业生",
    "startup_loan": "创业担保贷款",
    "flexible_insurance": "灵活就业社保",
    "startup": "创业扶持",
    "training": "职业培训",
    "assistance": "就业援助",
    "other": "其他",
}
OPERATORS = ("eq", "ne", "in", "has_any", "has_all", "lt", "lte", "gt", "gte", "is")


class CatalogueError(Exception):
    """The catalogue is malformed; the message names the file, the entry and the problem."""


@dataclass(frozen=True)
class Leaf:
    """One test of one fact, e.g. years_since_graduation lte 2."""

    fact: str
    op: str
    value: Any


@dataclass(frozen=True)
class Group:
    """All (``mode == "all"``) or any of the children must hold."""

    mode: Literal["all", "any"]
    children: tuple[Condition, ...]


Condition = Leaf | Group


def parse_condition(raw: Any, where: str) -> Condition:
    """Parse a condition node from YAML.

    Args:
        raw: ``{all: [...]}``, ``{any: [...]}`` or ``{fact: NAME, OP: VALUE}``.
        where: location for error messages.

    Returns:
        The parsed condition.

    Raises:
        ValueError: with the location and the problem.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: 条件必须是映射")
    if set(raw) in ({"all"}, {"any"}):
        mode = next(iter(raw))
        items = raw[mode]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}.{mode}: 必须是非空列表")
        children = tuple(parse_condition(item, f"{where}.{mode}[{i}]") for i, item in enumerate(items))
        return Group(mode, children)
    fact = raw.get("fact")
    ops = [key for key in raw if key != "fact"]
    if fact not in FACTS or fact == "region":
        raise ValueError(f"{where}: 未知的条件事实 “{fact}”（地区请写在 regions 中）")
    if len(ops) != 1 or ops[0] not in OPERATORS:
        raise ValueError(f"{where}: 必须恰好有一个运算符（{'、'.join(OPERATORS)}），现在是 {ops}")
    leaf = Leaf(fact, ops[0], raw[ops[0]])
    _check_leaf(leaf, where)
    return leaf


def _check_leaf(leaf: Leaf, where: str) -> None:
    kind = FACTS[leaf.fact].kind
    allowed = {"groups": GROUPS, "employment_status": EMPLOYMENT_STATUS, "employer_type": EMPLOYER_TYPES}.get(leaf.fact)
    if kind == "groups":
        if leaf.op not in {"has_any", "has_all"} or not isinstance(leaf.value, list) or not leaf.value:
            raise ValueError(f"{where}: groups 只能用 has_any / has_all 加非空列表")
    elif kind == "number":
        if (
            leaf.op not in {"eq", "ne", "lt", "lte", "gt", "gte"}
            or isinstance(leaf.value, bool)
            or not isinstance(leaf.value, int | float)
        ):
            raise ValueError(f"{where}: {leaf.fact} 是数值，只能用 eq/ne/lt/lte/gt/gte 加数字")
    elif kind == "bool":
        if leaf.op != "is" or not isinstance(leaf.value, bool):
            raise ValueError(f"{where}: {leaf.fact} 是是非题，只能写 is: true 或 is: false")
    elif leaf.op not in {"eq", "ne", "in"}:
        raise ValueError(f"{where}: {leaf.fact} 只能用 eq / ne / in")
    if allowed is not None:
        values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"{where}: {leaf.fact} 的取值 “{bad[0]}” 无效")


def condition_leaves(condition: Condition | None) -> list[Leaf]:
    """Return the leaves of a condition (each test on one fact), in order."""
    if condition is None:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    return [leaf for child in condition.children for leaf in condition_leaves(child)]


def required_groups(condition: Condition | None, narrow: int) -> frozenset[str]:
    """Return the groups a condition requires the asker to be among, when it names at most ``narrow`` of
    them ("退役军人" for a veterans' loan): a groups test that is the condition itself or one of the tests
    all of which must hold. Empty when there is no such narrow test (open to anyone, or to many groups)."""
    if condition is None:
        return frozenset()
    tests = [condition] if isinstance(condition, Leaf) else list(condition.children) if condition.mode == "all" else []
    required: set[str] = set()
    for test in tests:
        if isinstance(test, Leaf) and test.fact == "groups" and test.op == "has_any" and len(test.value) <= narrow:
            required.update(test.value)
    return frozenset(required)


def condition_facts(condition: Condition | None) -> list[str]:
    """Return the fact names a condition uses, in order of first use."""
    return list(dict.fromkeys(leaf.fact for leaf in condition_leaves(condition)))


class Citation(BaseModel):
    """Where a policy stands: the document (文号 or id) and a verbatim quote."""

    model_config = ConfigDict(extra="forbid")

    doc: str
    quote: str = Field(min_length=4)


class Policy(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    name: str
    category: Literal["graduate", "startup_loan", "flexible_insurance", "startup", "training", "assistance", "other"]
    regions: list[str] = Field(min_length=1)
    period: tuple[int, int] | None = None
    conditions: Condition | None = None
    benefit: str
    how_to_apply: str
    citations: list[Citation] = Field(min_length=1)
    note: str | None = None

    @field_validator("conditions", mode="before")
    @classmethod
    def _parse_conditions(cls, raw: Any) -> Condition | None:
        if raw is None or raw == {}:
            return None
        if isinstance(raw, Leaf | Group):
            return raw
        return parse_condition(raw, "conditions")


@dataclass(frozen=True)
class Catalogue:
    """All policies, by id, in file order."""

    policies: dict[str, Policy]

    def __iter__(self) -> Any:
        return iter(self.policies.values())

    def __len__(self) -> int:
        return len(self.policies)


def load_catalogue(path: Path, known_regions: Container[str]) -> Catalogue:
    """Load and validate the catalogue.

    Args:
        path: ``knowledge/policies.yml``.
        known_regions: the regions a policy may name (全国, the lexicon's, any province or city region
            of the dataset: ``RegionNames``).

    Returns:
        The catalogue.

    Raises:
        CatalogueError: naming the file, the entry (number and id) and what is wrong.
    """
    raw = read_list(path, "政策目录文件", CatalogueError)
    policies: dict[str, Policy] = {}
    for number, entry in enumerate(raw, start=1):
        label = entry.get("id", "?") if isinstance(entry, dict) else "?"
        try:
            policy = Policy.model_validate(entry)
        except (ValidationError, ValueError) as exc:
            raise CatalogueError(f"{path} 第 {number} 条（{label}）有误: {exc}") from exc
        if policy.id in policies:
            raise CatalogueError(f"{path} 第 {number} 条：政策 id “{policy.id}” 重复")
        unknown = [r for r in policy.regions if r not in known_regions]
        if unknown:
            raise CatalogueError(f"{path} 第 {number} 条（{policy.id}）：未知地区 “{unknown[0]}”")
        policies[policy.id] = policy
    return Catalogue(policies)
