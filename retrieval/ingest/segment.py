"""Structure-aware segmentation: paragraphs → section paths and provisions of at most N characters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.ingest.headings import parse_heading
from retrieval.ingest.patterns import (
    ADDRESSEE_HEAD,
    BREADCRUMB,
    DATE_LINE,
    NUMBER_LINE,
    PAGE_INFO,
    PUBLIC_NOTE,
    PUBLISHED,
    RED_HEAD,
    SIGNATURE,
    TITLE_LINE,
)

_TERMINALS = "。！？!?"
_OPENERS = "（(《"
_CLOSERS = "）)》"
_TRAILING = "”’」』"
_HEAD_FURNITURE = (
    re.compile(r"^(?:发布|印发|成文)日期\s*[:：]\s*\d{4}[-./]\d{1,2}[-./]\d{1,2}"),
    re.compile(r"^[\u4e00-\u9fff]{1,6}〔\d{4}〕\d{1,4}号"),
    ADDRESSEE_HEAD,
    # a signature and its date run into the next sentence ("国务院2017年1月26日（此件公开发布）…"): the
    # name must be an issuer's and the date not start a clause, or "本通知自2026年1月1日起施行" loses its head
    re.compile(
        r"^(?:[\u4e00-\u9fff]{0,20}(?:人民政府|办公厅|办公室|委员会|人民代表大会|政府|部|厅|局)|(?:中华人民共和国)?国务院)"
        r"\d{4}年\d{1,2}月\d{1,2}日(?![起至到前后以止内])"
    ),
    re.compile(r"^[（(]此件[^）)]{0,10}[)）]"),
)
_CLAUSE_BREAKS = ("；", ";", "，", ",", "、")
REPORT_SECTION = "报道摘要"
_ORIGINAL_TEXT = "文件原文"


@dataclass(frozen=True)
class Segment:
    """A provision before it gets its id: its text and section path (and, in a policy list, its field
    label and the 文号 its policy cites)."""

    text: str
    section: tuple[str, ...]
    policy_field: str | None = None
    cites: tuple[str, ...] = ()


def segment(
    paragraphs: list[str],
    max_chars: int,
    min_chars: int,
    titles: tuple[str, ...] = (),
    removed: list[str] | None = None,
) -> list[Segment]:
    """Cut a document's paragraphs into provisions, tracking the heading path.

    Document furniture (title, 文号, dates, signature, addressee) is left out: it lives in the
    metadata. Headings set the section path; table rows become one readable provision each
    ("项目（表头：值；…）"); sentences longer than ``max_chars`` are split at clause boundaries;
    fragments shorter than ``min_chars`` are joined to their neighbour.

    Args:
        paragraphs: the document's clean paragraphs.
        max_chars: upper bound on a provision's length.
        min_chars: fragments shorter than this are merged.
        titles: the document's own titles; where PDF extraction ran the head of the document
            into its first sentence, they are stripped from it along with dates and 文号.
        removed: when given, every piece of text left out (a furniture line, a head stripped from
            a sentence, a table header no row repeats) is appended to it, in reading order, for
            ``retrieval.ingest.removed`` to explain.

    Returns:
        Segments in reading order (duplicates not yet removed).
    """
    dropped: list[str] = [] if removed is None else removed
    path: list[tuple[int, str]] = []
    segments: list[Segment] = []
    has_report = _ORIGINAL_TEXT in paragraphs
    in_report = has_report
    table_header: list[str] | None = None
    header_used = False

    for paragraph in paragraphs:
        if paragraph == _ORIGINAL_TEXT:
            dropped.append(paragraph)
            in_report = False
            path = []
            continue
        if "\t" in paragraph:
            cells = paragraph.split("\t")
            if table_header is None:
                table_header = cells
                header_used = False
                continue
            header_used = True
            segments.extend(pieces(_table_row(cells, table_header), _section(path), max_chars))
            continue
        if table_header is not None and not header_used:
            dropped.append("\t".join(table_header))  # a header with no row: its cells reach no provision
        table_header = None
        if _is_furniture(paragraph):
            dropped.append(paragraph)
            continue
        for raw in _sentences(paragraph):
            sentence = strip_furniture(raw, titles)
            if len(sentence) < len(raw):
                dropped.append(raw[: len(raw) - len(sentence)] if raw.endswith(sentence) else raw)
            while sentence and (heading := parse_heading(sentence)) is not None:
                path = [(lvl, t) for lvl, t in path if lvl < heading.level] + [(heading.level, heading.title)]
                sentence = heading.body
            if not sentence:
                continue
            section = (REPORT_SECTION,) if in_report else _section(path)
            segments.extend(pieces(sentence, section, max_chars))
    if table_header is not None and not header_used:
        dropped.append("\t".join(table_header))
    return _merge_short(segments, min_chars, max_chars)


def strip_furniture(sentence: str, titles: tuple[str, ...]) -> str:
    """Remove a document head (title, 发布日期, 文号, addressee, signature) run into a sentence.

    Args:
        sentence: one sentence.
        titles: the document's titles to recognise at the start.

    Returns:
        The sentence without its leading furniture (possibly empty).
    """
    previous = None
    while sentence and sentence != previous:
        previous = sentence
        for title in titles:
            if title and sentence.startswith(title):
                sentence = sentence[len(title) :]
        for pattern in _HEAD_FURNITURE:
            sentence = pattern.sub("", sentence, count=1)
    return sentence.strip()


def _section(path: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(title for _, title in path)


def _is_furniture(paragraph: str) -> bool:
    if len(paragraph) > 80:
        return False
    return bool(
        NUMBER_LINE.match(paragraph)
        or DATE_LINE.match(paragraph)
        or PUBLISHED.match(paragraph)
        or PUBLIC_NOTE.match(paragraph)
        or SIGNATURE.match(paragraph)
        or ADDRESSEE_HEAD.fullmatch(paragraph)
        or RED_HEAD.match(paragraph)
        or (TITLE_LINE.search(paragraph) and parse_heading(paragraph) is None)
        or BREADCRUMB.search(paragraph)  # a web page's "首页 > 政务公开 > …"
        or (PAGE_INFO.match(paragraph) and len(paragraph) <= 40)  # its "来源：…" / "浏览次数：…" on a line of its own
    )


def _sentences(paragraph: str) -> list[str]:
    """Split at 。！？ outside brackets, keeping closing quotes and brackets with their sentence."""
    sentences: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(paragraph):
        ch = paragraph[i]
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in _TERMINALS and depth == 0:
            while i + 1 < len(paragraph) and paragraph[i + 1] in _TERMINALS + _TRAILING:
                i += 1
            sentences.append(paragraph[start : i + 1])
            start = i + 1
        i += 1
    sentences.append(paragraph[start:])
    return [s.strip() for s in sentences if s.strip()]


def _table_row(cells: list[str], header: list[str]) -> str:
    label, values = cells[0], cells[1:]
    pairs = [f"{h}：{v}" for h, v in zip(header[1:], values, strict=False) if v]
    return f"{label}（{'；'.join(pairs)}）" if pairs else label


def pieces(sentence: str, section: tuple[str, ...], max_chars: int) -> list[Segment]:
    """Split an over-long sentence at the last clause boundary that fits.

    Returns:
        Segments of at most ``max_chars`` characters, in order, all with ``section``.
    """
    out: list[Segment] = []
    rest = sentence
    while len(rest) > max_chars:
        window = rest[:max_chars]
        cut = -1
        for mark in _CLAUSE_BREAKS:
            cut = window.rfind(mark)
            if cut >= max_chars // 3:
                break
        cut = cut + 1 if cut >= max_chars // 3 else max_chars
        out.append(Segment(rest[:cut], section))
        rest = rest[cut:]
    if rest:
        out.append(Segment(rest, section))
    return out


def _merge_short(segments: list[Segment], min_chars: int, max_chars: int) -> list[Segment]:
    merged: list[Segment] = []
    pending: Segment | None = None
    for seg in segments:
        if pending is not None:
            if pending.section == seg.section and len(pending.text) + len(seg.text) <= max_chars:
                seg = Segment(pending.text + seg.text, seg.section)
            else:
                merged.append(pending)
            pending = None
        if len(seg.text) < min_chars:
            pending = seg
        else:
            merged.append(seg)
    if pending is not None:
        if merged and merged[-1].section == pending.section and len(merged[-1].text) + len(pending.text) <= max_chars:
            merged[-1] = Segment(merged[-1].text + pending.text, pending.section)
        else:
            merged.append(pending)
    return merged
