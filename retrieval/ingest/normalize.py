"""Character-level clean-up: NFKC, OCR slips, traditional → simplified, stray markup, table residue."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import Any

# Full-width punctuation is how Chinese is typeset: NFKC would turn "，" into ",", so keep these.
_KEEP = {chr(c) for c in range(0xFF01, 0xFF10)} | {chr(c) for c in range(0xFF1A, 0xFF21)}
_KEEP |= {chr(c) for c in range(0xFF3B, 0xFF41)} | {chr(c) for c in range(0xFF5B, 0xFF66)}
_KEEP |= {"\u3000", "\u2026", "\u2014", "\u00b7"}  # ideographic space, ellipsis, em dash, middle dot

# OCR slips seen in PDF extractions: 口 read as 又. "人又要…" is real Chinese, so only replace 人又
# where it cannot start a clause.
OCR_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"人又(?![要是能可会在把将被])"), "人口"),
    (re.compile(r"(?<=统计)又径"), "口径"),
)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
# Residue of a task table flattened into text by PDF extraction: "…。教育部牵头负责41深化…".
_TASK_OWNER = re.compile(r"(?:(?<=[。；;])|^)[\u4e00-\u9fff、，,]{2,80}?(?:牵头负责|按职责分工负责)\d{1,3}(?=\D)", re.M)
_CJK = r"[\u3400-\u9fff]"
_ASCII_PUNCT_BETWEEN_CJK = re.compile(rf"(?<={_CJK})([,;:?!])(?={_CJK}|[“《（])")
_FULLWIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def normalize_chars(text: str) -> str:
    """Return ``text`` with its characters cleaned (see ``normalize_with_residue``)."""
    return normalize_with_residue(text)[0]


def normalize_with_residue(text: str) -> tuple[str, list[str]]:
    """Return ``text`` with its characters cleaned for display and search.

    NFKC (Kangxi radicals → ordinary characters, full-width digits → ASCII) except full-width
    punctuation; HTML entities and stray tags removed; OCR slips fixed; traditional characters
    converted to simplified; ASCII punctuation inside Chinese made full-width; flattened
    task-table residue removed.

    Args:
        text: raw extracted text.

    Returns:
        The cleaned text (line breaks are preserved) and the task-table residue removed from it.
    """
    text = "".join(_nfkc_char(ch) for ch in text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    text = _TAG.sub("", text)
    for pattern, replacement in OCR_FIXES:
        text = pattern.sub(replacement, text)
    text = _t2s().convert(text)
    text = _ASCII_PUNCT_BETWEEN_CJK.sub(lambda m: _FULLWIDTH[m.group(1)], text)
    return _TASK_OWNER.sub("", text), _TASK_OWNER.findall(text)


@lru_cache(maxsize=65536)
def _nfkc_char(ch: str) -> str:
    if ch in _KEEP or ch.isascii():
        return ch
    return unicodedata.normalize("NFKC", ch)


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # loads dictionaries; only when ingesting

    return opencc.OpenCC("t2s")
