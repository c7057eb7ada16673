"""What ingestion left out of a document's provisions, piece by piece, and why.

Ingestion leaves out, on purpose, a document's furniture (title, 文号, dates, signature, addressee,
red head, "（此件公开发布）"), a page's navigation and layout noise, and paragraphs repeated within a
document. The stages that leave text out hand the pieces over as they are (``segment(removed=…)``,
``to_paragraphs(dropped=…)``, the loaders' ``chrome``); this module explains each piece on its own:
a piece that is not wholly recognisable furniture is reported as ``lost`` — real text that a citizen
could never be shown (e.g. "本通知自2026年1月1日" cut from "…起施行" as if it were a signature date).
"""

from __future__ import annotations

import re

from knowledge.textmatch import match_key
from retrieval.ingest.models import DocumentMeta, RemovedSpan
from retrieval.ingest.patterns import (
    ADDRESSEE_HEAD,
    BREADCRUMB,
    DATE_CN,
    NUMBER,
    PAGE_INFO,
    PUBLIC_NOTE,
    PUBLISHED,
    RED_HEAD,
    SIGNATURE,
    TITLE_LINE,
)

REASONS: dict[str, str] = {
    "page_nav": "页面导航",
    "duplicate": "重复段落",
    "title": "标题",
    "number": "文号",
    "signature": "落款",
    "date": "日期",
    "addressee": "主送机关",
    "public_note": "公开属性",
    "red_head": "版头",
    "print_line": "印发说明",
    "layout": "版式",
    "list_label": "清单栏目名与序号",
    "lost": "正文（将被丢弃）",
}
LOST = "lost"

_ORIGINAL_TEXT = "文件原文"  # the marker between a news report and the document it reports (segment.py)
_DECORATION = re.compile(r"^[\s━─—=*_~·•\-]+$")
_PRINT_LINE = re.compile(r"^[\u4e00-\u9fff]{2,30}\d{4}年\d{1,2}月\d{1,2}日印发$")
_ISSUER_END = r"(?:人民政府|办公厅|办公室|委员会|人民代表大会|政府|部|厅|局|(?:中华人民共和国)?国务院)"
_ISSUER_DATE = re.compile(rf"^[\u4e00-\u9fff]{{0,20}}{_ISSUER_END}(?=\d{{4}}年)")
_DATE_AT_START = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_PUBLISHED_AT_START = re.compile(r"^(?:发布|印发|成文)日期\s*[:：]\s*\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?")
_NUMBER_AT_START = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号")
_NOTE_AT_START = re.compile(r"^[（(]此件[^）)]{0,10}[)）]")
# a notice's title: "某市人民政府关于…的通知", "…印发/转发…", or a quoted name alone "《…》"
_TITLE_WORDS = re.compile(r"关于|印发|转发|^《[^《》]+》$")


def explain(pieces: list[str], meta: DocumentMeta, titles: tuple[str, ...] = ()) -> list[RemovedSpan]:
    """Explain the pieces a document's segmentation left out.

    A piece made of several furniture items (a PDF head "标题文号各…：") becomes one span per item.

    Args:
        pieces: removed text in reading order, as ``segment(removed=…)`` collected it.
        meta: the document's metadata (its title, 文号 and issuer are furniture).
        titles: further names of the document (the detected title, the titles it quotes).

    Returns:
        One span per recognised item; what is left unrecognised is a ``lost`` span.
    """
    names = sorted({t for t in (meta.title, *titles) if t}, key=len, reverse=True)
    issuers = [i for i in (meta.issuer,) if i]
    spans: list[RemovedSpan] = []
    for piece in pieces:
        spans.extend(_explain_piece(piece.strip(), names, issuers))
    return spans


def span(text: str, reason: str) -> RemovedSpan:
    """Return a removed span of ``text`` with the Chinese label of ``reason`` (a key of ``REASONS``)."""
    return RemovedSpan(text=text, reason=reason, label=REASONS[reason])


def file_spans(chrome: tuple[str, ...], decorations: list[str], residue: list[str]) -> list[RemovedSpan]:
    """Spans for what a file lost before it was cut into documents.

    Args:
        chrome: a page's navigation and other furniture blocks (``LoadedText.chrome``).
        decorations: decorative rules ``to_paragraphs`` dropped.
        residue: task-table residue ``normalize_with_residue`` removed.

    Returns:
        页面导航 spans, then 版式 spans.
    """
    return [span(t, "page_nav") for t in chrome if t.strip()] + [
        span(t.strip(), "layout") for t in (*decorations, *residue) if t.strip()
    ]


def visible_chars(text: str) -> int:
    """Return how many characters of ``text`` are not whitespace (what the coverage figures count)."""
    return sum(1 for ch in text if not ch.isspace())


def _explain_piece(piece: str, names: list[str], issuers: list[str]) -> list[RemovedSpan]:
    if not piece:
        return []
    items = _items(piece, names, issuers)
    if items[-1].reason == LOST and (whole := _whole_line(piece, names, issuers)) is not None:
        return [span(piece, whole)]
    return items


def _items(piece: str, names: list[str], issuers: list[str]) -> list[RemovedSpan]:
    """Cut a piece into the furniture items it starts with; what no item explains ends as ``lost``."""
    out: list[RemovedSpan] = []
    rest = piece
    while rest:
        found = _head_item(rest, names, issuers)
        if found is None:
            out.append(span(rest, LOST))
            break
        length, reason = found
        out.append(span(rest[:length], reason))
        rest = rest[length:].lstrip(" \u3000，,、")
    return out


def _whole_line(line: str, names: list[str], issuers: list[str]) -> str | None:
    """The reason a whole paragraph is furniture, or None."""
    if line == _ORIGINAL_TEXT or _DECORATION.match(line) or ("\t" in line and not line.replace("\t", "").strip()):
        return "layout"
    if PUBLIC_NOTE.match(line):
        return "public_note"
    if _PRINT_LINE.match(line):
        return "print_line"
    if RED_HEAD.match(line):
        return "red_head"
    if BREADCRUMB.search(line) or (PUBLISHED.match(line) and PAGE_INFO.search(line)) or PAGE_INFO.match(line):
        return "page_nav"  # a page's breadcrumb, or its info line (发布时间 … 来源 … 浏览次数)
    if _is_title(line, names):
        return "title"
    if _NUMBER_AT_START.fullmatch(line):
        return "number"
    if SIGNATURE.match(line) or line in issuers:
        return "signature"
    if ADDRESSEE_HEAD.fullmatch(line):
        return "addressee"
    if _date_line(line, issuers):
        return "date"
    return None


def _date_line(line: str, issuers: list[str]) -> bool:
    """A date alone, "发布日期：…", or a signature with its date ("聊城市人民政府2017年12月29日")."""
    if _PUBLISHED_AT_START.fullmatch(line) or (PUBLISHED.match(line) and len(line) <= 40):
        return True
    match = DATE_CN.search(line)
    if match is None or match.end() != len(line):
        return False
    head = line[: match.start()].strip()
    return not head or head in issuers or bool(_ISSUER_DATE.match(line)) or bool(SIGNATURE.match(head))


def _is_title(line: str, names: list[str]) -> bool:
    """The document's own title (or a title it quotes), or a title-shaped line of a notice's head."""
    key = match_key(line)
    if any(key == match_key(name) for name in names):
        return True
    return len(line) <= 80 and bool(TITLE_LINE.search(line)) and bool(_TITLE_WORDS.search(line))


def _head_item(text: str, names: list[str], issuers: list[str]) -> tuple[int, str] | None:
    """The first furniture item a head run into a sentence starts with: (its length, its reason)."""
    for name in names:
        if text.startswith(name):
            return len(name), "title"
    for pattern, reason in (
        (_PUBLISHED_AT_START, "date"),
        (_NUMBER_AT_START, "number"),
        (ADDRESSEE_HEAD, "addressee"),
        (_NOTE_AT_START, "public_note"),
    ):
        if match := pattern.match(text):
            return match.end(), reason
    if match := NUMBER.match(text):
        return match.end(), "number"
    if (signed := _ISSUER_DATE.match(text)) and (date := _DATE_AT_START.match(text, signed.end())):
        return date.end(), "signature"
    for issuer in issuers:
        if text.startswith(issuer) and (date := _DATE_AT_START.match(text, len(issuer))):
            return date.end(), "signature"
    if match := _DATE_AT_START.match(text):
        return match.end(), "date"
    return None
