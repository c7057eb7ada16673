"""Read the short reply to one eligibility question: a skip, yes or no, a number of years, when one
graduated, whether a business is the first ("毕业两年了", "签了", "不知道")."""

from __future__ import annotations

import re
from datetime import date

SKIP_WORDS = ("不知道", "不清楚", "跳过", "不想说", "忘了", "不确定", "不好说", "说不清", "算了")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十]+)")
_YES = (
    "是的",
    "是啊",
    "对",
    "嗯",
    "有",
    "签了",
    "签的",
    "签过",
    "拿了",
    "取得了",
    "考了",
    "第一次",
    "首次",
    "要去",
    "会去",
    "打算",
    "准备",
    "好的",
    "可以",
    "没错",
    "当然",
    "是",
)
_NO = ("不是", "没有", "没签", "没拿", "没考", "不是第一次", "不会", "不去", "不打算", "否", "没", "不")


def is_skip(text: str) -> bool:
    """Return True when the citizen declines or does not know ("不知道", "跳过")."""
    return any(word in text for word in SKIP_WORDS)


def chinese_number(token: str) -> float | None:
    """Parse 3, 3.5, 三, 十二, 二十 → a number; None when it is not one."""
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if not token or any(ch not in _DIGITS and ch != "十" for ch in token):
        return None
    if "十" in token:
        tens, _, ones = token.partition("十")
        if len(tens) > 1 or len(ones) > 1 or "十" in ones:  # "十三五" is a plan's name, not a number
            return None
        value = (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
        return float(value)
    value = 0
    for ch in token:
        value = value * 10 + _DIGITS[ch]
    return float(value)


def parse_years(text: str, today: date | None = None) -> float | None:
    """Read a duration in years: "三年半" 3.5, "两年多" 2.5, "半年" 0.5, "1年" 1, "5" 5.

    Returns:
        The number of years, or None when the text gives none.
    """
    if "半年" in text and not re.search(r"[\d一二两三四五六七八九十]年半", text):
        return 0.5
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = chinese_number(match.group(1))
    if value is None:
        return None
    rest = text[match.end() :]
    if rest.startswith(("年半", "年零六个月", ".5")) or rest.startswith("年多"):
        value += 0.5
    elif rest.startswith(("个月", "月")):
        value = round(value / 12, 2)
    return value


def parse_graduation(text: str, today: date | None = None) -> float | None:
    """Years since graduation from "我2024年毕业的", "毕业两年了", "去年刚毕业", "今年毕业", "应届".

    Args:
        text: the answer.
        today: the current date (the clock by default, never a constant).

    Returns:
        Years since graduation (0 for this year's graduates), or None.
    """
    year = (today or date.today()).year
    if any(word in text for word in ("今年", "应届", "刚毕业还没", "马上毕业", "快毕业", "本届")):
        return 0.0
    if "大前年" in text:
        return 3.0
    if "前年" in text:
        return 2.0
    if "去年" in text:
        return 1.0
    match = re.search(r"((?:19|20)\d{2})\s*年?", text)
    if match and int(match.group(1)) <= year:
        return float(year - int(match.group(1)))
    match = re.search(r"(\d{2})\s*年", text)
    if match and 0 <= year % 100 - int(match.group(1)) <= 30 and "年了" not in text:
        return float(year % 100 - int(match.group(1)))
    return parse_years(text, today)


def parse_bool(text: str) -> bool | None:
    """Read yes or no from an answer ("签了" yes, "没签" no); None when unclear."""
    cleaned = text.strip("。！!？?，, ")
    for word in sorted(_NO, key=len, reverse=True):
        if word in cleaned and not any(y in cleaned for y in ("是第一次",) if word == "不"):
            if word in ("不", "没") and any(y in cleaned for y in ("不错", "没错")):
                continue
            return False
    for word in sorted(_YES, key=len, reverse=True):
        if word in cleaned:
            return True
    return None


_NO_PLAN = re.compile(r"(不|没|冇)(想|打算|准备|考虑)")
_BEEN_IN_BUSINESS = re.compile(
    r"(以前|之前|原来|曾经|早先)?(开|做|干|搞)过(店|生意|买卖|个体|公司|厂)?|不是第一次|第[二三]次"
)
_FIRST_BUSINESS = re.compile(
    r"第一次|头一回|头回|还没(开始|开|做|干|弄)|未开始|没开始|没(开|做|干|搞)过|准备|打算|"
    r"想(返乡|回乡|回去|回老家|回村)?(开|做|干|弄|整|搞)|刚(开|注册|起步|办)"
)


def parse_first_business(text: str) -> bool | None:
    """Read the answer to "是第一次创业吗": "还没开始 想回乡做酒" is a first business, "以前开过店" is not;
    "不想做生意" answers nothing (None), as does anything unclear."""
    if _NO_PLAN.search(text) or is_skip(text):
        return None
    if _BEEN_IN_BUSINESS.search(text) and not re.search(r"没(开|做|干|搞)过", text):
        return False
    if _FIRST_BUSINESS.search(text):
        return True
    return parse_bool(text)
