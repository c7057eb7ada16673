"""Metadata as real pages write it: dates in every form, labelled issuer lines, a document's own 文号.

``metadata.py`` decides which source wins; this module only reads each form:

- dates: ``发布时间：2022-03-14 08:25:55``, ``2022年3月14日``, ``二〇二二年三月十四日`` (a 落款);
- issuers: ``发文机关：``/``发布单位：``/``来源：``/``落款：`` lines, and a 落款 line naming one or more bodies;
- 文号: every number the document gives itself at its head (a joint document has one per issuer),
  not the numbers of documents it cites ("（粤人社规〔2021〕9号）", "根据…〔2019〕45号文件").
"""

from __future__ import annotations

import re
from datetime import date

from retrieval.ingest.patterns import (
    DATE_CN,
    DATE_HANZI,
    ISSUER_LABEL,
    ISSUER_VALUE_END,
    NUMBER,
    ORGANISATION,
    PUBLISHED,
)

HEAD_PARAGRAPHS = 8  # a page's info line, a document's 文号 lines stand within its first paragraphs
_HANZI_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "O": 0, "Ｏ": 0, "零": 0}
# a line that opens with its date: "2022-03-14 08:25  来源：…", "2022年03月14日 来源：…"
_LEADING_DATE = re.compile(
    r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?(?=\s|来源|$|[\u4e00-\u9fff])"
)
_NUMBER_SEPARATORS = re.compile(r"[\s、，,；;　]+")
_NUMBER_LABEL = re.compile(r"^(?:发文字号|文号|发文编号)\s*[:：]\s*")
_NUMBER_PREFIX_CUT = re.compile(r".*(?:通知|意见|规划|决定|办法|方案|文件|的|号|》|、|：|:)")


def iso(year: int | str, month: int | str, day: int | str) -> str | None:
    """Return ``YYYY-MM-DD``, or None when the parts are no real date."""
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def hanzi_number(text: str) -> int:
    """Return the value of a month or day in Chinese numerals (三 → 3, 十二 → 12, 二十一 → 21)."""
    if "十" not in text:
        return _HANZI_DIGIT.get(text, 0)
    tens, _, units = text.partition("十")
    return (_HANZI_DIGIT.get(tens, 0) if tens else 1) * 10 + (_HANZI_DIGIT.get(units, 0) if units else 0)


def find_date(text: str) -> str | None:
    """Return the first date written in ``text`` in any of its forms (ISO-like, 年月日, Chinese numerals).

    Args:
        text: a line such as "发布时间：2022-03-14 08:25:55", "2022年3月14日" or "二〇二二年三月十四日".

    Returns:
        ``YYYY-MM-DD``, or None when the line holds no valid date.
    """
    found: list[tuple[int, str | None]] = []
    if match := PUBLISHED.search(text):
        found.append((match.start(), iso(*match.groups())))
    if match := DATE_CN.search(text):
        found.append((match.start(), iso(*match.groups())))
    if match := _LEADING_DATE.match(text):
        found.append((0, iso(*match.groups())))
    if match := DATE_HANZI.search(text):
        year = "".join(str(_HANZI_DIGIT.get(c, 0)) for c in match.group(1))
        found.append((match.start(), iso(year, hanzi_number(match.group(2)), hanzi_number(match.group(3)))))
    dates = [value for _, value in sorted(found, key=lambda item: item[0]) if value]
    return dates[0] if dates else None


def page_date(paragraphs: list[str]) -> str | None:
    """Return the date a page's head gives itself ("发布时间：…", a line opening with its date), or None."""
    for paragraph in paragraphs[:HEAD_PARAGRAPHS]:
        if PUBLISHED.search(paragraph) or _LEADING_DATE.match(paragraph):
            return find_date(paragraph)
    return None


def organisation(text: str) -> str | None:
    """Return the first government body a name or 落款 line starts with.

    "惠州市人力资源和社会保障局惠州市财政局" → "惠州市人力资源和社会保障局"; "国务院办公厅" → itself.
    """
    text = text.strip()
    match = ORGANISATION.match(text)
    return match.group(1) if match else None


def labelled_issuers(paragraphs: list[str]) -> tuple[str | None, str | None]:
    """Return the issuer a head line names as 发文机关/发布单位 (first) and as 来源 (second).

    Only a government body counts: "来源：中国政府网" or "来源：本网" is no issuer.
    """
    explicit = source = None
    for paragraph in paragraphs[:HEAD_PARAGRAPHS] + paragraphs[-4:]:
        for match in ISSUER_LABEL.finditer(paragraph):
            rest = paragraph[match.end() :]
            end = ISSUER_VALUE_END.search(rest)
            value = rest[: end.start()] if end else rest
            body = organisation(value) if value else None
            if body is None or body.endswith(("网", "报")):
                continue
            if match.group(1) in {"来源", "信息来源", "文章来源"}:
                source = source or body
            else:
                explicit = explicit or body
    return explicit, source


def signature_bodies(paragraphs: list[str]) -> list[str]:
    """Return the first body of each 落款 line: a short line that is only body names, near the end."""
    found = []
    for paragraph in paragraphs[-6:]:
        line = re.sub(r"\s+", "", paragraph)
        if len(line) > 60 or not (body := organisation(line)):
            continue
        rest = line
        while rest and (name := organisation(rest)):
            rest = rest[len(name) :]
        if not rest:
            found.append(body)
    return found


def own_numbers(paragraphs: list[str], first: str | None) -> list[str]:
    """Return the 文号 a document gives itself: ``first`` (found in its head), then any other number on
    a head line made only of numbers ("粤人社规〔2022〕5号 粤财社〔2022〕10号") or labelled 发文字号.

    Args:
        paragraphs: the document's paragraphs.
        first: the document's own number as the head reader found it, or None.

    Returns:
        Distinct numbers, ``first`` first; numbers quoted in the body are references, never included.
    """
    numbers = [first] if first else []
    for paragraph in paragraphs[:HEAD_PARAGRAPHS]:
        line = _NUMBER_LABEL.sub("", paragraph.strip())
        matches = list(NUMBER.finditer(line))
        if not matches or _NUMBER_SEPARATORS.sub("", NUMBER.sub("", line)):
            continue  # not a line of numbers only: a sentence that cites documents
        for match in matches:
            prefix = _NUMBER_PREFIX_CUT.sub("", match.group(1))
            if prefix:
                numbers.append(f"{prefix}〔{match.group(2)}〕{match.group(3)}号")
    return list(dict.fromkeys(numbers))
