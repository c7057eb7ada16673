"""Whether a provision states what a question asks for: a figure, where and how to apply, who qualifies."""

from __future__ import annotations

import re

from knowledge.questionkind import QuestionKind
from retrieval.ingest.policylabels import field_kind

# A figure that answers "多少": money, a percentage, a multiple.
AMOUNT_STATED = re.compile(r"\d[\d,.]*\s*(万?元|%|倍)|百分之|[一二三四五六七八九十]+倍")
# Who qualifies, stated by the provision itself: a threshold, a duration, "符合条件的…".
CONDITIONS_STATED = re.compile(
    r"\d+年以[上内]|[一二三四五六七八九十两]+年以[上内]|以内|以上|符合.{0,6}条件|距.{0,8}退休|首次"
)
# Where or how to apply, named by the provision itself.
PROCEDURE_STATED = re.compile(
    r"(常住地|户籍地|所在地|窗口|经办机构|服务中心|网上|线上|一站式).{0,12}(办理|申请|登记|受理)"
)
# A benefit named by the provision itself: money, a waiver, a fund (what a "有补贴不" question needs).
BENEFIT_STATED = re.compile(r"补贴|补助|津贴|资助|生活费|奖励|报销|免费|减免|贴息|资金|经费|优惠|基金")
# Policy-list fields (retrieval/ingest/policylist.py) that state a procedure or who qualifies.
PROCEDURE_FIELDS = frozenset({"channel", "materials", "deadline", "contact"})
CONDITION_FIELDS = frozenset({"target", "condition"})


# A question about money ("补多少", "利息多少", "缴费基数") needs a sum, a rate or a multiple; one about a
# count or a target ("培养多少高技能人才", "签订率目标是多少") is answered by any number.
_ASKS_MONEY = re.compile(r"钱|元|块|补|贴|贷|利息|利率|工资|薪|费|金|基数|报销|扣|返|奖")
# A sum the plan reports or targets for everyone together ("稳岗返还累计发放8亿多元", "年均发放…10亿元以上"),
# not what one person gets: no answer to "能返多少".
_AGGREGATE = re.compile(r"亿|累计|年均|共计|总计|合计|全年|总额|规模")
_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两]+(万|亿)?(人|所|个|家|项|名|次|岁|年|月|天|倍|成)")


def states_amount(question: str, text: str, field_label: str | None) -> bool:
    """Return True when the provision gives the figure ``question`` asks for: a sum, a rate or a multiple
    for money, any number for a count or target (a policy list's 补贴标准 field always counts)."""
    if field_kind(field_label) == "amount":
        return True
    if not _ASKS_MONEY.search(question):
        return bool(_NUMBER.search(text))
    return any(not _AGGREGATE.search(text[max(0, m.start() - 8) : m.end()]) for m in AMOUNT_STATED.finditer(text))


def states_what_is_asked(kind: QuestionKind, question: str, text: str, field_label: str | None) -> bool:
    """Return whether a provision gives what ``kind`` asks for.

    Args:
        kind: what the question asks (an amount, a procedure, the conditions, or nothing specific).
        question: the question as typed (a money question needs a sum, a count question any number).
        text: the provision's text.
        field_label: its policy-list field label ("补贴标准", "申请渠道"), None for plan text.

    Returns:
        False when the question asks for a figure, a procedure, the conditions or whether a benefit
        exists and the provision states none; True otherwise (a question asking nothing specific is
        answered by relevance alone).
    """
    field = field_kind(field_label)
    if "amount" in kind.kinds:
        return states_amount(question, text, field_label)
    if "procedure" in kind.kinds:
        return bool(PROCEDURE_STATED.search(text)) or field in PROCEDURE_FIELDS
    if kind.asks_conditions:
        return bool(CONDITIONS_STATED.search(text)) or field in CONDITION_FIELDS
    if "benefit" in kind.kinds:
        return bool(BENEFIT_STATED.search(text)) or field == "amount"
    return True
