"""Detect a document's title, 文号, issuer, date, region and plan period from its text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any

from knowledge.places import leading_place
from knowledge.regions import NATIONAL, RegionTable
from retrieval.ingest.pagemeta import (
    find_date,
    iso,
    labelled_issuers,
    organisation,
    own_numbers,
    page_date,
    signature_bodies,
)
from retrieval.ingest.patterns import (
    BREADCRUMB,
    DATE_LINE,
    FIVE_YEAR_PLAN,
    ISSUER_IN_TITLE,
    NUMBER,
    PUBLISHED,
    SIGNATURE,
    TITLE_LINE,
    TITLE_PREFIX,
)

HEADER_CHARS = 300  # a document's own 文号 and 发布日期 stand at its head
PLAN_PERIODS = {
    "十一五": (2006, 2010),
    "十二五": (2011, 2015),
    "十三五": (2016, 2020),
    "十四五": (2021, 2025),
    "十五五": (2026, 2030),
}
_NUMBER_PREFIX_CUT = re.compile(r".*(?:通知|意见|规划|决定|办法|方案|文件|的|号|》|、)")
_SLUG_QUOTES = re.compile(r"_([^_《》]{1,12})_")
_FULL_TEXT_NOTE = re.compile(r"\s*[（(]全文[)）]\s*$")
# a Party or League body names its place after this prefix: 中共惠州市委组织部, 共青团大连市委
_PARTY_PREFIX = re.compile(r"^(?:中共|中国共产党|共青团)")
# a ministry of the State Council, named without a place: 教育部, 财政部
_MINISTRY = re.compile(r"[\u4e00-\u9fff]{2,10}部")
_NATIONAL_BODIES = ("中华人民共和国", "国家", "人力资源社会保障部", "人力资源和社会保障部")


@dataclass(frozen=True)
class DetectedMeta:
    """Metadata found in a document's text; any field may be missing (None)."""

    title: str | None
    number: str | None
    issuer: str | None
    date: str | None
    region: str | None
    period: tuple[int, int] | None
    numbers: tuple[str, ...] = ()  # every 文号 the document gives itself, ``number`` first


def detect_metadata(paragraphs: list[str], front: dict[str, Any], regions: RegionTable) -> DetectedMeta:
    """Read the metadata of one document.

    Args:
        paragraphs: the document's clean paragraphs.
        front: front-matter metadata of the file (title, date) when it had any.
        regions: the lexicon's region table, to map the issuer to a region.

    Returns:
        What could be detected; fields are None when the text does not say.
    """
    text = "".join(paragraphs)
    head = text[:HEADER_CHARS]
    title = _title(paragraphs, front)
    issuer = _issuer(title, paragraphs)
    number = _number(head)
    period = None
    if title and (plan := FIVE_YEAR_PLAN.search(title)) and "规划" in title:
        period = PLAN_PERIODS.get(plan.group(1))
    return DetectedMeta(
        title=title,
        number=number,
        issuer=issuer,
        date=_date(head, paragraphs, front),
        region=_region([issuer, title, *labelled_issuers(paragraphs), *signature_bodies(paragraphs)], regions),
        period=period,
        numbers=tuple(own_numbers(paragraphs, number)),
    )


def _title(paragraphs: list[str], front: dict[str, Any]) -> str | None:
    if isinstance(front.get("title"), str) and front["title"].strip():
        title = _SLUG_QUOTES.sub(r"“\1”", front["title"].strip())
        return _FULL_TEXT_NOTE.sub("", title)
    for paragraph in paragraphs[:6]:
        if TITLE_LINE.search(paragraph) and len(paragraph) <= 80 and not BREADCRUMB.search(paragraph):
            return paragraph
    if paragraphs and (match := TITLE_PREFIX.match(paragraphs[0])):
        return match.group(1)
    return None


def _number(head: str) -> str | None:
    for match in NUMBER.finditer(head):
        prefix = _NUMBER_PREFIX_CUT.sub("", match.group(1))
        before = head[: match.start(1) + len(match.group(1)) - len(prefix)]
        if not prefix or before.rstrip().endswith(("（", "(", "《")):
            continue  # a reference to another document, e.g. "（国发〔2017〕28号）"
        return f"{prefix}〔{match.group(2)}〕{match.group(3)}号"
    return None


def _issuer(title: str | None, paragraphs: list[str]) -> str | None:
    """发文机关/发布单位 line, else the title's issuer, else the 落款, else a 来源 line naming a body."""
    explicit, source = labelled_issuers(paragraphs)
    if explicit:
        return explicit
    from_title = None
    if title and (match := ISSUER_IN_TITLE.match(title)):
        from_title = match.group(1).strip()
        # two bodies written together ("惠州市人力资源和社会保障局惠州市财政局关于…"): the first is the issuer
        first = organisation(from_title)
        if first and first != from_title and _second_body(from_title[len(first) :]):
            from_title = first
    signatures = [p.split(" ")[0] for p in paragraphs if SIGNATURE.match(p.split(" ")[0]) and len(p) <= 40]
    if from_title and not from_title.startswith(("自治区", "省", "市", "县")):
        return from_title
    if signatures:
        return signatures[0]
    bodies = signature_bodies(paragraphs)
    return from_title or (bodies[0] if bodies else None) or source


def _date(head: str, paragraphs: list[str], front: dict[str, Any]) -> str | None:
    value = front.get("date")
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, str) and value.strip():
        parsed = _parse_date(value.strip())
        if parsed:
            return parsed
    if match := PUBLISHED.search(head):
        return iso(*match.groups())
    if found := page_date(paragraphs):
        return found
    dated = [p for p in paragraphs if DATE_LINE.match(p)]  # the 落款 date, in figures or Chinese numerals
    return find_date(dated[0]) if dated else None


def _parse_date(value: str) -> str | None:
    if match := re.match(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})", value):
        return iso(*match.groups())
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def _region(names: list[str | None], regions: RegionTable) -> str | None:
    """The finest region of the first name that is a place: issuer, title, 发布单位/来源, 落款.

    A city's document gets its city region (惠州市人社局 → 广东省惠州市) whether or not the lexicon
    names the city; ancestors come from the administrative-division dataset.
    """
    for name in names:
        if not name:
            continue
        if "国务院" in name or name.startswith(_NATIONAL_BODIES):
            return NATIONAL
        name = _PARTY_PREFIX.sub("", name)
        if (region := regions.finest(name)) is not None:
            return region
        if _MINISTRY.fullmatch(name):
            return NATIONAL
    return None


def _second_body(rest: str) -> bool:
    """Whether what follows a first body is another body with its own place (惠州市财政局), not the rest of
    one name (中共惠州市委 + 组织部)."""
    return organisation(rest) is not None and leading_place(rest) is not None
