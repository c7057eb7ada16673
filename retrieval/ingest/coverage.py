"""The "no text lost" guard: every clause of a file's body text ends up in some provision.

Ingestion deliberately leaves out a document's furniture (title, 文号, dates, signature, addressee,
red head, "（此件公开发布）") — it lives in the metadata — and layout noise (whitespace, decorative
rules, page numbers, flattened task-table residue, removed before paragraphs are formed). Everything
else must be citable: a clause that is in no provision is text a citizen can never be shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from retrieval.ingest.headings import parse_heading
from retrieval.ingest.models import Document
from retrieval.ingest.patterns import (
    ADDRESSEE,
    DATE_LINE,
    NUMBER_LINE,
    PUBLIC_NOTE,
    PUBLISHED,
    RED_HEAD,
    SIGNATURE,
    TITLE_LINE,
)
from retrieval.ingest.policylabels import is_label

# Clauses are compared, not sentences: a long sentence may be cut at a clause boundary.
_CLAUSE = re.compile(r"[。！？!?；;，,、：:\t]+")
# the print line of a red-head document: "聊城市人民政府办公室2017年12月29日印发"
_PRINT_LINE = re.compile(r"^[\u4e00-\u9fff]{2,30}\d{4}年\d{1,2}月\d{1,2}日印发$")
_FURNITURE_LINES = (_PRINT_LINE, ADDRESSEE, DATE_LINE, NUMBER_LINE, PUBLIC_NOTE, PUBLISHED, RED_HEAD, SIGNATURE)
_ADDRESSEE_RUN_IN = re.compile(r"(?:(?<=号)|^)各[^。：:]{2,80}[：:]")
_DATE_KEY = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日|\d{8})")  # a date under match_key (ISO loses its dashes)
ORIGINAL_TEXT = "文件原文"  # the marker between a news report and the document it reports (segment.py)
MIN_CLAUSE_CHARS = 4


class _DropTable(dict[int, int | None]):
    """A ``str.translate`` table deleting whitespace, punctuation (P*) and symbols (S*), built as used."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        kept = not ch.isspace() and unicodedata.category(ch)[0] not in "PS"
        self[code] = code if kept else None
        return self[code]


_DROP = _DropTable()


def match_key(text: str) -> str:
    """The comparison form of SPEC §4 (``knowledge.textmatch.match_key``) for text that ingestion has
    already NFKC-normalised: whitespace, punctuation and symbols removed, at ``str.translate`` speed."""
    return text.translate(_DROP)  # shorter pieces ("一、", "2017年") are headings' labels or furniture


def lost_clauses(paragraphs: Iterable[str], documents: Iterable[Document]) -> list[str]:
    """Return the clauses of ``paragraphs`` that no provision (or metadata field) of ``documents`` holds.

    Args:
        paragraphs: the file's clean paragraphs, as ingestion cut them.
        documents: the documents ingestion made of them.

    Returns:
        The lost clauses in reading order (empty when no text was lost); compared under
        ``match_key`` (whitespace, punctuation and symbols ignored). A heading counts as kept
        when it is in a provision's section path.
    """
    docs = list(documents)
    kept = "\n".join(match_key("".join(p.section) + p.text) for doc in docs for p in doc.provisions)
    furniture = sorted(_furniture_keys(docs), key=len, reverse=True)
    lost: list[str] = []
    for paragraph in paragraphs:
        if _is_furniture_line(paragraph):
            continue
        for clause in _CLAUSE.split(_ADDRESSEE_RUN_IN.sub("", paragraph)):
            key = match_key(clause)
            if len(key) < MIN_CLAUSE_CHARS or key in kept or is_label(clause):
                continue
            rest = _strip_head(match_key(_body(clause)), furniture)
            if len(rest) >= MIN_CLAUSE_CHARS and rest not in kept:
                lost.append(clause.strip())
    return lost


def _body(clause: str) -> str:
    """The clause without the headings it starts with (structure, kept as section paths, not text:
    a heading whose whole content repeats an earlier passage has no provision of its own)."""
    while (heading := parse_heading(clause)) is not None and heading.body != clause:
        clause = heading.body
    return clause


def _strip_head(key: str, furniture: list[str]) -> str:
    """Remove a document head run into the start of a clause: title, 文号, issuer, dates, notes."""
    previous = None
    while key and key != previous:
        previous = key
        key = _DATE_KEY.sub("", key, count=1)
        for piece in furniture:
            key = key.removeprefix(piece)
    return key


def _furniture_keys(docs: list[Document]) -> set[str]:
    """The metadata a document head is made of: title (and the names it quotes), 文号, issuer."""
    keys = {"此件公开发布", "发布日期", "印发日期", "成文日期"}
    for doc in docs:
        title = doc.meta.title
        quoted = re.findall(r"《([^》]+)》", title) + re.findall(r"(?:印发|转发)(.+?)的通知$", title)
        keys.update(match_key(v) for v in (title, doc.meta.number or "", doc.meta.issuer or "", *quoted))
    return {k for k in keys if k}


def _is_furniture_line(paragraph: str) -> bool:
    line = paragraph.strip()
    if line == ORIGINAL_TEXT or any(pattern.match(line) for pattern in _FURNITURE_LINES):
        return True
    return len(line) <= 80 and bool(TITLE_LINE.search(line))
