"""Find the facts a message states about the asker: the place, the groups ("我是退伍的"), the employment
status, farming, and a described situation (a 去产能 enterprise, years to retirement)."""

from __future__ import annotations

import re
from typing import Any

from actions.attribution import negated_before, someone_else, stated
from actions.lexicon import lexicon
from actions.short_replies import chinese_number

_GROUP_NEGATION_WINDOW = (
    2  # "唔系退伍军人", "不是贫困户", "没有残疾证": a group right after a denial is not the asker's
)
_SITUATION_NEGATION_WINDOW = 2  # "我没出去打工": a situation right after a negation is not stated


def parse_region(text: str) -> str | None:
    """Return the first known place named in the text (as the citizen says it, e.g. "深圳")."""
    places = lexicon()["places"]
    best: tuple[int, str] | None = None
    for name in places:
        at = text.find(name)
        if at >= 0 and (best is None or (at, -len(name)) < (best[0], -len(best[1]))):
            best = (at, name)
    return best[1] if best else None


def parse_groups(text: str) -> list[str]:
    """Return the group codes whose phrases occur in the text (longest phrases win)."""
    found: list[str] = []
    taken = [False] * len(text)
    phrases = [(p, code) for code, ps in lexicon()["groups"].items() for p in ps]
    for phrase, code in sorted(phrases, key=lambda item: -len(item[0])):
        start = text.find(phrase)
        while start >= 0:
            if not any(taken[start : start + len(phrase)]):
                for i in range(start, start + len(phrase)):
                    taken[i] = True
                theirs = someone_else(text, start)  # "老公打散工": the husband's
                if code not in found and not theirs and not negated_before(text, start, _GROUP_NEGATION_WINDOW):
                    found.append(code)
            start = text.find(phrase, start + 1)
    for code in parse_situation_groups(text):
        if code not in found:
            found.append(code)
    return found


# "都不是", "普通后生仔 冇乜身份", "没啥身份": none of the groups offered, an answer and not a reply not understood
_NO_GROUP = re.compile(
    r"(都|全|一个也|哪个也|哪个都|一个都)(不是|没有|不算|不沾|冇|唔系)|没(啥|什么|乜)(特殊)?(身份|情况)|"
    r"冇(乜|咩|啲)?(特别)?(身份|情况)|普通(人|老百姓|群众|后生|工薪|打工)|啥也不是|什么都不是|"
    r"^(没有|没|无|不是|冇|唔系|不属于|没这些|都没)[。！!，, ]*$"
)


_NO_MORE = re.compile(r"^(没有了?|没了|冇了?|无|就这些|就这个|就这样|只有这个|其他没有|别的没有|没别的了?)[。！!\s]*$")


# "屋企好穷", "家里困难", "没钱", "揭不开锅": a family's hardship said in passing, not a group named
_HARDSHIP = re.compile(r"穷|贫困|困难户|家里困难|家庭困难|屋企困难|生活困难|揭不开锅|吃低保|低保|没钱|冇钱|紧巴")


def hints_hardship(text: str) -> bool:
    """Whether ``text`` mentions the family's hardship ("屋企喺乡下好穷"), which makes it worth asking
    whether it is a 建档立卡 or 低保 family (the groups several policies are for)."""
    return _HARDSHIP.search(text) is not None


def says_no_more(text: str) -> bool:
    """Whether an answer to "还属于哪类人员" says there is nothing more ("没有了", "就这些", or "都不是")."""
    return _NO_MORE.search(text.strip()) is not None or says_no_group(text)


def says_no_group(text: str) -> bool:
    """Whether an answer to "您属于下面哪类人员" says none of them applies ("都不是", "没啥身份")."""
    return _NO_GROUP.search(text.strip()) is not None


def parse_situation_groups(text: str) -> list[str]:
    """Return the groups a described situation states ("外地来这边打工的" → migrant_worker), by the
    lexicon's situation patterns: every slot in order, each within the window after the previous one."""
    table = lexicon()
    window = int(table.get("situation_window", 0))
    found: list[str] = []
    for code, patterns in table.get("situations", {}).items():
        if any(_situation_at(text, pattern, window) for pattern in patterns):
            found.append(code)
    return found


def _situation_at(text: str, pattern: list[list[str]], window: int) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (not right after a negation)."""
    first, *rest = pattern
    for word in first:
        start = text.find(word)
        while start >= 0:
            if (
                not negated_before(text, start, _SITUATION_NEGATION_WINDOW)
                and not someone_else(text, start)
                and _slots_follow(text, start + len(word), rest, window)
            ):
                return True
            start = text.find(word, start + 1)
    return False


def _slots_follow(text: str, at: int, slots: list[list[str]], window: int) -> bool:
    """Whether each slot's word follows within ``window`` characters of the previous match."""
    if not slots:
        return True
    span = text[at : at + window + max(len(w) for w in slots[0])]
    for word in slots[0]:
        found = span.find(word)
        if 0 <= found <= window and _slots_follow(text, at + found + len(word), slots[1:], window):
            return True
    return False


# A workplace and a job in it: "在纺织厂当挡车工", "在超市做收银", "在物流公司开车" — the asker is employed.
_AT_WORKPLACE = re.compile(
    r"在[^\s，,。！!？?]{0,8}(厂|公司|单位|工地|车间|矿|店|超市|饭店|酒楼|餐馆|医院|学校|银行|商场|仓库|酒店)"
    r"[^\s，,。！!？?]{0,3}(当|做|干|上班|打工|工作|上岗|开车|送货)"
)


def parse_employment(text: str) -> str | None:
    """Return unemployed / employed / self_employed from phrases like "没上班", "在厂里上班", "自己开店", or a
    workplace and a job in it ("在纺织厂当挡车工")."""
    best: tuple[str, str] | None = None
    for code, phrases in lexicon()["employment"].items():
        for phrase in phrases:
            if stated(text, phrase) and (best is None or len(phrase) > len(best[0])):
                best = (phrase, code)
    if best is None and (at := _AT_WORKPLACE.search(text)) and stated(text, at.group(0), wishes_count=False):
        best = (at.group(0), "employed")
    if best is not None and best[1] == "employed" and work_negated(text):
        return None  # "家里没人在上班" names 上班 but says nobody works
    return best[1] if best else None


def employment_denied(text: str, code: str) -> bool:
    """Whether ``text`` names ``code``'s employment phrases only right after a denial ("不想做生意" names
    做生意 but says the asker is not in business), the reading an entity extractor cannot make."""
    phrases = [p for p in lexicon()["employment"].get(code, []) if p in text]
    return bool(phrases) and not any(stated(text, p) for p in phrases)


def says_farming(text: str) -> bool:
    """Whether the asker says they work their own land or herd ("在家种地", "我喺屋企耕田"), not a wish
    ("想搞大棚种菜"), a denial ("不种地了") or a family member's ("老公种地")."""
    return any(stated(text, phrase, wishes_count=False) for phrase in lexicon().get("farming", []))


_NEGATED_WORK = re.compile(r"(没|不|未|冇|无)(有|人|一个|一个人|谁|个)?(在)?(上班|工作|打工|干活|上岗)")


def work_negated(text: str) -> bool:
    """Whether the text says someone does NOT work ("家里没一个上班的", "不上班了"), which the
    entity extractor reads as the word 上班 alone."""
    return _NEGATED_WORK.search(text) is not None


# Situations that state facts without naming them: a 去产能 enterprise's worker, a laid-off one.
_OVERCAPACITY = re.compile(
    r"去产能|压产能|化解过剩产能|过剩产能|(钢厂|钢铁|煤矿|煤炭|煤电|电厂|矿上|井下).{0,20}(分流|下岗|关停|要关|关了|裁)"
)
# A workplace named that is none of the 去产能 industries (钢铁, 煤炭, 煤电): the question is not asked.
_OTHER_INDUSTRY = re.compile(
    r"电子厂|制衣厂|服装厂|鞋厂|玩具厂|纺织厂|棉纺厂|纱厂|化工厂|化肥厂|造纸厂|药厂|酒厂|汽车厂|机械厂|砖厂|食品厂|"
    r"家具厂|印刷厂|塑料厂|五金厂|饭馆|饭店|餐馆|超市|商场|工地|"
    r"物流|快递|外卖|网约车|滴滴|美甲|理发|家政"
)


# Years to retirement said in passing: "再有三年就退休了", "还有两年多退休", "离退休还差五年".
_TO_RETIREMENT = re.compile(
    r"(还有|再有|还差|差|只有)\s*([\d一二两三四五六七八九十]+)\s*年(多|半)?[^，,。\s]{0,3}退休|"
    r"(离|距)退休(还有|还差|只有|就)?\s*([\d一二两三四五六七八九十]+)\s*年"
)


def parse_situation(text: str) -> dict[str, Any]:
    """Facts a described situation states: "钢厂去产能分流下来的" → 企业职工 in a 去产能 enterprise;
    "电子厂干了十年" → not in one; "再有三年就退休了" → 3 years to retirement."""
    found: dict[str, Any] = {}
    retiring = _TO_RETIREMENT.search(text)
    if retiring and (years := chinese_number(retiring.group(2) or retiring.group(6))) is not None:
        found["years_to_retirement"] = years + (0.5 if retiring.group(3) else 0)
    if _OVERCAPACITY.search(text):
        found["overcapacity_industry"] = True
        found["groups"] = ["enterprise_employee"]
    elif _OTHER_INDUSTRY.search(text):
        found["overcapacity_industry"] = False  # "在东莞电子厂干了十二年": not a steel, coal or power firm
    return found
