"""Validity facts of a document and deadlines of a provision, read from their text.

A document says when it takes effect ("自2026年1月1日起施行", "本办法自印发之日起施行") and when it
ends ("有效期至2027年12月31日", "有效期5年", "政策执行至2025年12月31日"); a plan ends with its period
("2017-2020年", 十四五). ``resolve_validity`` merges these with the sources.yml override (override first,
then the text, then the plan period). Whether a document is in force on a given day is then
``DocumentMeta.status_on`` — a fact of the day asked about, never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_DATE = r"(20\d\d)\s*年\s*(?:(\d{1,2})\s*月\s*(\d{1,2})\s*日|(底|末))"
_TAKES_EFFECT = re.compile(r"自\s*" + _DATE + r"\s*起\s*(?:施行|实施|执行|生效)")
_ON_ISSUE = re.compile(r"自(?:印发|发布|公布|下发|颁布)之日起\s*(?:施行|实施|执行|生效)")
_VALID_UNTIL = re.compile(
    r"((?:有效期|执行期限?|实施期限?|(?:政策|本[\u4e00-\u9fff]{0,4}?(?:通知|办法|意见|规定|方案|细则|政策))(?:执行|实施))"
    r"(?:为|延长)?\s*(?:至|到|截至)\s*)" + _DATE
)
_VALID_YEARS = re.compile(r"有效期(?:为|暂定)?\s*([1-9一二三四五六七八九十两])\s*年")
_TITLE_SPAN = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)\s*年")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# a provision's deadline: "申请截止时间为2024年6月30日", "2024年6月30日前", and the latest year it names
_DEADLINE_DATE = re.compile(
    r"(?:截止|截至)(?:时间|日期)?(?:为|是|到|至)?\s*" + _DATE + r"|" + _DATE + r"\s*(?:前|以前|之前)"
)
_YEAR_SPAN = re.compile(r"(20\d\d)\s*[-—–~至到]\s*(20\d\d)年")
_ANY_YEAR = re.compile(r"(?:到|至|在)?(20\d\d)年(?:底|末)?(?:前|以前|之前|左右|)")


@dataclass(frozen=True)
class Validity:
    """The validity facts of one document (ISO dates; None where nothing says)."""

    effective: str | None = None
    expiry: str | None = None
    expiry_basis: str | None = None  # "有效期至…", "规划期2016–2020年", "sources.yml"


def _iso(year: str, month: str | None, day: str | None, end_of_year: str | None = None) -> str | None:
    try:
        if end_of_year or not month:
            return date(int(year), 12, 31).isoformat()
        return date(int(year), int(month), int(day or 1)).isoformat()
    except ValueError:
        return None


def _add_years(start: str, years: int) -> str:
    """Return the last day of a validity of ``years`` years from ``start`` (2021-03-01 + 5 → 2026-02-28)."""
    first = date.fromisoformat(start)
    try:
        end = first.replace(year=first.year + years)
    except ValueError:  # 29 February
        end = first.replace(year=first.year + years, day=28)
    return (end - timedelta(days=1)).isoformat()


def detect_validity(text: str, issued: str | None, title: str | None = None) -> Validity:
    """Read when a document takes effect and when it ends from its own statements.

    The last statement of each kind wins (a document's closing clause says when it takes effect).

    Args:
        text: the document's body.
        issued: its issue date (YYYY-MM-DD), for "自印发之日起施行" and "有效期5年".
        title: its title, for a plan span such as "2017-2020年".

    Returns:
        The effective date, the expiry and a short phrase saying where the expiry comes from.
    """
    effective = None
    if found := list(_TAKES_EFFECT.finditer(text)):
        effective = _iso(*found[-1].groups())
    elif _ON_ISSUE.search(text) and issued:
        effective = issued
    expiry = basis = None
    if until := list(_VALID_UNTIL.finditer(text)):
        match = until[-1]
        expiry = _iso(*match.groups()[1:])
        basis = match.group(0).strip()
    elif years := _VALID_YEARS.search(text):
        start = effective or issued
        digit = years.group(1)
        count = int(digit) if digit.isdigit() else _CN_DIGITS[digit]
        if start:
            expiry = _add_years(start, count)
            basis = f"有效期{count}年"
    if expiry is None and title and (span := _TITLE_SPAN.search(title)):
        start_year, end_year = int(span.group(1)), int(span.group(2))
        if start_year <= end_year:
            expiry, basis = date(end_year, 12, 31).isoformat(), f"规划期{start_year}–{end_year}年"
    return Validity(effective, expiry, basis)


def resolve_validity(
    detected: Validity,
    period: tuple[int, int] | None,
    effective: str | None = None,
    expiry: str | None = None,
) -> Validity:
    """Merge the override, the text and the plan period, in that order of precedence.

    Args:
        detected: what the text says (``detect_validity``).
        period: the document's plan period after overrides, or None.
        effective: the sources.yml / admin effective date, if set.
        expiry: the sources.yml / admin expiry date, if set.

    Returns:
        The validity to store in the document's metadata.
    """
    chosen_effective = effective or detected.effective
    if expiry:
        return Validity(chosen_effective, expiry, "sources.yml")
    if detected.expiry:
        return Validity(chosen_effective, detected.expiry, detected.expiry_basis)
    if period is not None:
        return Validity(chosen_effective, date(period[1], 12, 31).isoformat(), f"规划期{period[0]}–{period[1]}年")
    return Validity(chosen_effective, None, None)


def latest_year(text: str) -> int | None:
    """Return the latest year a provision names as a span end or deadline ("到2020年" → 2020), or None."""
    years = [int(b) for _, b in _YEAR_SPAN.findall(text)]
    years += [int(y) for y in _ANY_YEAR.findall(text)]
    return max(years) if years else None


def provision_deadline(text: str) -> str | None:
    """Return the latest deadline a provision's text names, as YYYY-MM-DD.

    A dated deadline ("申请截止时间为2024年6月30日", "2024年6月30日前") is kept to the day; a year
    ("2018年底前", "到2020年") ends on 31 December of that year.

    Args:
        text: the provision.

    Returns:
        The deadline, or None when the text names no year.
    """
    year = latest_year(text)
    if year is None:
        return None
    dated = []
    for match in _DEADLINE_DATE.finditer(text):
        groups = match.groups()
        value = _iso(*groups[:4]) if groups[0] else _iso(*groups[4:])
        if value:
            dated.append(value)
    if dated and int(max(dated)[:4]) >= year:
        return max(dated)
    return date(year, 12, 31).isoformat()
