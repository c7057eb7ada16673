"""Recognise Chinese policy-document headings (第一章, 第一节, 一、, （一）, 1., 专栏N) and their levels."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = "一二三四五六七八九十百零〇"
# (level, pattern); a pattern's group "label" is the marker, "rest" what follows it.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?P<label>第[{_NUM}\d]+章)\s*(?P<rest>.*)$")),
    (2, re.compile(rf"^(?P<label>第[{_NUM}\d]+节)\s*(?P<rest>.*)$")),
    (1, re.compile(rf"^(?P<label>[{_NUM}]+、)\s*(?P<rest>.*)$")),
    (2, re.compile(rf"^(?P<label>[（(][{_NUM}]+[)）])\s*(?P<rest>.*)$")),
    (3, re.compile(r"^(?P<label>专栏\s*\d+)\s*(?P<rest>.*)$")),
    (4, re.compile(r"^(?P<label>\d{1,2}[.．、])(?!\d)\s*(?P<rest>.*)$")),
)
# Words that begin the body when a heading runs into its text without punctuation
# ("三、提升创业带动就业能力坚持深化…").
_BODY_START = re.compile(
    r"(坚持|加快|大力|深入|进一步|着力|紧紧|围绕|按照|以|把|将|充分|全面|落实|健全|完善|建立|实施|推进|支持|鼓励|"
    r"统筹|发挥|强化|加强|构建|优化|持续|引导|结合|适应|面对|针对|对)"
)
_TITLE_END = re.compile(rf"[。；;：:]|(?=\d{{1,2}}[.．](?!\d))|(?=[（(][{_NUM}]+[)）])")
MAX_TITLE_CHARS = 30


@dataclass(frozen=True)
class Heading:
    """A heading found at the start of a line or sentence.

    Attributes:
        level: 1 chapter (第一章 / 一、), 2 section (第一节 / （一）), 3 box (专栏), 4 numbered item.
        title: the heading as it should appear in a section path, e.g. "（一）指导思想".
        body: text after the heading on the same line ("" for a heading line).
    """

    level: int
    title: str
    body: str


def parse_heading(line: str) -> Heading | None:
    """Recognise a heading at the start of ``line``.

    Args:
        line: one normalised paragraph or sentence.

    Returns:
        The heading, or None when the line does not start with one (or the marker is followed
        by a long run of text with no recognisable title, e.g. a numbered list sentence).
    """
    for level, pattern in _MARKERS:
        match = pattern.match(line)
        if not match:
            continue
        label = match.group("label").replace(" ", "").replace("(", "（").replace(")", "）")
        rest = match.group("rest").strip()
        if not rest:
            return Heading(level, label, "")
        if "\t" in rest:
            return None
        end = _TITLE_END.search(rest, 1)
        if end and end.start() <= MAX_TITLE_CHARS:
            title, body = rest[: end.start()], rest[end.end() :].strip()
        elif end is None and len(rest) <= MAX_TITLE_CHARS:
            title, body = rest, ""
        else:
            split = _split_run_on(rest)
            if split is None:
                return None if level == 4 else Heading(level, label, rest)
            title, body = rest[:split], rest[split:]
        if not title:
            return None
        spaced = label.endswith(("章", "节")) or level == 3
        return Heading(level, f"{label} {title}" if spaced else f"{label}{title}", body)
    return None


def _split_run_on(rest: str) -> int | None:
    """Find where a heading title runs into its body, or None."""
    for match in _BODY_START.finditer(rest, 4, MAX_TITLE_CHARS + 1):
        return match.start()
    return None
