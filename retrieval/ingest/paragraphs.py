"""Line-level clean-up: page-layout whitespace removed and sentences broken across lines rejoined."""

from __future__ import annotations

import re

from retrieval.ingest.headings import parse_heading
from retrieval.ingest.patterns import BREADCRUMB, DATE_LINE, NUMBER_LINE, PAGE_INFO, PUBLISHED, TITLE_LINE
from retrieval.ingest.policylabels import starts_with_field

_CJK = r"\u3400-\u9fff"
_PARAGRAPH_BREAK = re.compile(r"[\u3000]{2,}|\u3000[ \t]+|[ \t]+\u3000")
_DECORATION = re.compile(r"^[\s━─—=*_~·•\-]+$")
_SPACES_IN_CJK = re.compile(
    rf"(?<=[{_CJK}\u3000-\u303f\uff00-\uffef])[ \u3000\u00a0]+(?=[{_CJK}\u3000-\u303f\uff00-\uffef0-9])"
)
_SPACES_BEFORE_CJK = re.compile(rf"(?<=[0-9%A-Za-z])[ \u3000\u00a0]+(?=[{_CJK}\u3000-\u303f\uff00-\uffef])")
_MULTI_SPACE = re.compile(r"[ \u3000\u00a0]{2,}")
_ENDS_SENTENCE = re.compile(r"[。！？；：!?;:…]['\"”’）)」』]*$")
_TITLE_LINE = re.compile(r"(?:通知|规划|意见|决定|办法|方案|细则|条例|公告|通告|函|报告|文件)$")
_PAREN_LINE = re.compile(r"^[（(][^）)]{1,20}[)）]$")
_NOTE_LINE = re.compile(r"^(?:附|注|备注|说明)[:：]")  # a note after a list's last field is its own paragraph


def to_paragraphs(text: str, rejoin: bool = True, dropped: list[str] | None = None) -> list[str]:
    """Split normalised text into clean paragraphs.

    Runs of ideographic spaces inside a line are treated as paragraph breaks (they are indents
    that survived line joining), spaces between Chinese characters are removed, decorative
    rules dropped, and a line that stops mid-sentence is joined with the next one unless one
    of them is a heading, a title, a date, a 文号, a signature or a table row.

    Args:
        text: text from ``normalize_chars``.
        rejoin: join lines that stop mid-sentence (plain text and PDF); False where the format
            itself marks paragraphs (HTML, Word).

    Returns:
        Non-empty paragraphs in reading order.
    """
    lines: list[str] = []
    for raw in text.split("\n"):
        for piece in _PARAGRAPH_BREAK.split(raw):
            line = _clean_spaces(piece)
            if line and not _DECORATION.match(line):
                lines.append(line)
            elif line and dropped is not None:
                dropped.append(line)

    paragraphs: list[str] = []
    for line in lines:
        if rejoin and paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return paragraphs


def _clean_spaces(piece: str) -> str:
    if "\t" in piece:  # a table row: keep the cell separators, tidy the cells
        cells = [_clean_spaces(cell) for cell in piece.split("\t")]
        return "\t".join(cells).strip("\t") if any(cells) else ""
    piece = piece.strip(" \u3000\u00a0\t\f\v")
    piece = _SPACES_IN_CJK.sub("", piece)
    piece = _SPACES_BEFORE_CJK.sub("", piece)
    return _MULTI_SPACE.sub(" ", piece)


def _continues(previous: str, line: str) -> bool:
    """Return True when ``line`` is the rest of a sentence that ``previous`` left unfinished."""
    if _ENDS_SENTENCE.search(previous) or "\t" in previous or "\t" in line:
        return False
    for candidate in (previous, line):
        if (
            DATE_LINE.match(candidate)
            or PUBLISHED.match(candidate)
            or NUMBER_LINE.match(candidate)
            or _PAREN_LINE.match(candidate)
        ):
            return False
    if parse_heading(line) is not None or starts_with_field(line) or _NOTE_LINE.match(line):
        return False
    if (_TITLE_LINE.search(previous) or TITLE_LINE.search(previous)) and len(previous) <= 80:
        return False
    if BREADCRUMB.match(previous) or BREADCRUMB.match(line) or PAGE_INFO.match(previous):
        # "首页 > 政务公开 > …", "浏览次数：1894": a web page's lines of their own
        return False
    heading = parse_heading(previous)
    if heading is not None and not heading.body:
        return False
    # A short line that is not a title's first half (a signature such as "聊城市人民政府").
    return not (len(previous) <= 16 and re.search(r"(?:政府|办公厅|委员会|国务院|部|局|厅)$", previous))
