"""The eligibility facts of SPEC §3: names, types, allowed values, Chinese labels, and validation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from knowledge.regions import RegionTable

GROUPS: dict[str, str] = {
    "graduate": "高校毕业生",
    "vocational_graduate": "中职毕业生",
    "student": "在校大学生",
    "migrant_worker": "农民工（农村转移劳动者）",
    "veteran": "退役军人",
    "hard_to_employ": "就业困难人员",
    "disabled": "残疾人",
    "poor_household": "建档立卡贫困家庭成员",
    "poor_disabled_family": "贫困残疾人家庭成员",
    "extreme_poverty": "特困人员",
    "low_income": "低保家庭成员",
    "flexible_worker": "灵活就业人员",
    "platform_worker": "新就业形态劳动者（外卖、网约车等平台从业者）",
    "enterprise_employee": "企业职工",
    "woman": "妇女",
    "returnee": "留学回国人员",
    "rural_resident": "农村常住居民",
    "relocated": "易地扶贫搬迁群众",
    "school_leaver": "未升学的初高中毕业生",
}
EMPLOYMENT_STATUS: dict[str, str] = {"unemployed": "未就业", "employed": "在职", "self_employed": "自主创业/个体经营"}
EMPLOYER_TYPES: dict[str, str] = {"small_micro": "小微企业"}


@dataclass(frozen=True)
class FactSpec:
    """One fact: its type, label, unit and the question that asks for it."""

    name: str
    kind: str  # region | groups | number | bool | choice
    label: str
    question: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    # The employment statuses the fact concerns (empty: everyone). Question planning asks it last of a
    # citizen who said they are in another one: "单位类型" or "经营年限" do not concern someone unemployed.
    concerns: tuple[str, ...] = ()


FACTS: dict[str, FactSpec] = {
    spec.name: spec
    for spec in (
        FactSpec("region", "region", "所在地区", "您在哪个省、市（例如 深圳、临清、银川）？"),
        FactSpec("groups", "groups", "身份", "您属于下面哪类人员（可多选）？"),
        FactSpec(
            "employment_status",
            "choice",
            "就业状态",
            "您现在是未就业、在职，还是在自己创业/做个体？",
            choices=tuple(EMPLOYMENT_STATUS),
        ),
        FactSpec("years_since_graduation", "number", "毕业年限", "您毕业几年了（今年毕业填 0）？", "年"),
        FactSpec("business_first_time", "bool", "是否首次创业", "这是您第一次创办企业或做个体经营吗？"),
        FactSpec(
            "business_operating_years",
            "number",
            "经营年限",
            "您的企业或个体经营已经正常经营几年了？",
            "年",
            concerns=("self_employed",),
        ),
        FactSpec(
            "unemployment_insurance_years", "number", "失业保险缴费年限", "您参加失业保险（交失业保险费）几年了？", "年"
        ),
        FactSpec(
            "certificate_this_year",
            "bool",
            "当年取得职业资格或技能等级证书",
            "您今年有没有取得职业资格证书或职业技能等级证书？",
        ),
        FactSpec("years_to_retirement", "number", "距法定退休年龄", "您离法定退休年龄还有几年？", "年"),
        FactSpec(
            "overcapacity_industry",
            "bool",
            "是否钢铁、煤炭、煤电去产能企业职工",
            "您所在企业是钢铁、煤炭或煤电行业的去产能企业吗？",
        ),
        FactSpec("labor_contract", "bool", "是否签订劳动合同", "您和平台或用人单位签了劳动合同吗？"),
        FactSpec(
            "grassroots_job", "bool", "是否在基层就业", "您是否在（或将去）城乡基层、中西部地区或中小微企业工作？"
        ),
        FactSpec("enlisting", "bool", "是否应征入伍", "您是否报名参军（应征入伍）？"),
        FactSpec(
            "employer_type",
            "choice",
            "单位类型",
            "您是作为小微企业（用人单位）来咨询的吗？",
            choices=tuple(EMPLOYER_TYPES),
            concerns=("self_employed",),
        ),
    )
}


class FactError(ValueError):
    """A fact is malformed; ``field`` names it and the message (Chinese) says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def validate_facts(raw: Any, regions: RegionTable) -> dict[str, Any]:
    """Check and normalise a facts object.

    Args:
        raw: the facts as received (a JSON object).
        regions: to resolve ``region`` (深圳 → 广东).

    Returns:
        Facts with canonical types; ``region`` is replaced by the document region and the place
        as given is kept under ``region_name``. Absent or null facts are left out (unknown).

    Raises:
        FactError: naming the first bad field.
    """
    if not isinstance(raw, dict):
        raise FactError("facts", '必须是一个对象，例如 {"region": "深圳", "groups": ["graduate"]}')
    facts: dict[str, Any] = {}
    for name, value in raw.items():
        spec = FACTS.get(name)
        if spec is None:
            raise FactError(name, f"不是可识别的条件名称；可用的有：{'、'.join(FACTS)}")
        if value is None:
            continue
        facts.update(_check(spec, value, regions))
    return facts


def _check(spec: FactSpec, value: Any, regions: RegionTable) -> dict[str, Any]:
    name = spec.name
    if spec.kind == "region":
        if not isinstance(value, str) or not value.strip():
            raise FactError(name, "必须是地区名称，例如“深圳”")
        resolved = regions.resolve(value)
        if resolved is None:
            raise FactError(name, f"无法识别地区“{value}”，请填写省、市或县的名称")
        return {name: resolved, "region_name": value.strip()}
    if spec.kind == "groups":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FactError(name, '必须是人群代码的列表，例如 ["graduate"]')
        unknown = [v for v in value if v not in GROUPS]
        if unknown:
            raise FactError(name, f"“{unknown[0]}”不是有效的人群代码；可用的有：{'、'.join(GROUPS)}")
        return {name: sorted(set(value))}
    if spec.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FactError(name, "必须是数字")
        # a huge integer (400 digits) cannot become a float: compare it as an int first
        if isinstance(value, float) and not math.isfinite(value):
            raise FactError(name, "必须是数字")
        if value < 0:
            raise FactError(name, "不能是负数")
        if value > 100:
            raise FactError(name, "数值不合理（超过100）")
        return {name: float(value)}
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise FactError(name, "必须是 true 或 false")
        return {name: value}
    if not isinstance(value, str) or value not in spec.choices:
        raise FactError(name, f"必须是以下之一：{'、'.join(spec.choices)}")
    return {name: value}


def describe_value(name: str, value: Any) -> str:
    """Return a fact value the way a citizen reads it (graduate → 高校毕业生, 1.0 → 1年)."""
    spec = FACTS[name]
    if spec.kind == "groups":
        return "、".join(GROUPS.get(v, v) for v in value)
    if spec.kind == "bool":
        return "是" if value else "否"
    if spec.kind == "number":
        number = int(value) if float(value).is_integer() else value
        return f"{number}{spec.unit}"
    if name == "employment_status":
        return EMPLOYMENT_STATUS.get(str(value), str(value))
    if name == "employer_type":
        return EMPLOYER_TYPES.get(str(value), str(value))
    return str(value)
