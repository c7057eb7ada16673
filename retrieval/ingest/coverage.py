"""The "no text lost" guard: every character of a file's body is in a provision or in a removed span.

Ingestion deliberately leaves out a document's furniture (title, 文号, dates, signature, addressee,
red head, "（此件公开发布）"), a page's navigation, layout noise and repeated paragraphs; each such
piece is recorded with its reason (``retrieval.ingest.removed``). This guard checks the record:
a clause that is neither in a provision nor in a recorded removal is text a citizen can never be
shown, and so is a removal that matched no kind of furniture (reason ``lost``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.ingest.headings import parse_heading
from retrieval.ingest.models import Document, RemovedSpan
from retrieval.ingest.removed import LOST, visible_chars

# Clauses are compared, not sentences: a long sentence may be cut at a clause boundary.
_CLAUSE = re.compile(r"[。！？!?；;，,、：:\t]+")


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
    return text.translate(_DROP)


def _body(clause: str) -> str:
    """The clause without the headings it starts with (structure, kept as section paths, not text:
    a heading whose whole content repeats an earlier passage has no provision of its own)."""
    while (heading := parse_heading(clause)) is not None and heading.body != clause:
        clause = heading.body
    return clause


@dataclass(frozen=True)
class Ledger:
    """Where every body character of a file went (whitespace not counted).

    Attributes:
        body_chars: characters of the body (the clean paragraphs plus what the loader and the
            layout clean-up removed before paragraphs were formed).
        removed_chars: characters left out with a reason, by reason code (``lost`` excluded).
        lost: real text that reached no provision and no recognised removal, in reading order.
        lost_chars: its characters.
    """

    body_chars: int
    removed_chars: dict[str, int]
    lost: list[str]
    lost_chars: int

    @property
    def kept_chars(self) -> int:
        """Characters of the body that are in some provision."""
        return self.body_chars - sum(self.removed_chars.values()) - self.lost_chars


def ledger(paragraphs: Iterable[str], documents: Iterable[Document], file_spans: Iterable[RemovedSpan]) -> Ledger:
    """Account for every clause of a file's body: in a provision, in a removed span, or lost.

    Unlike ``lost_clauses`` this trusts no furniture pattern of its own: a clause counts as removed
    only when a span ingestion recorded (``Document.removed``) holds it, so a piece the pipeline cut
    without saying so shows up here as lost.

    Args:
        paragraphs: the file's clean paragraphs.
        documents: the documents ingestion made of them, with their removed spans.
        file_spans: what was removed before paragraphs were formed (page navigation, layout noise).

    Returns:
        The figures, and the lost text (removed spans explained as ``lost`` first, then clauses
        no provision and no span holds).
    """
    docs = list(documents)
    paragraphs = list(paragraphs)
    spans = [*file_spans, *(s for doc in docs for s in doc.removed)]
    kept = "\n".join(match_key("".join(p.section) + p.text) for doc in docs for p in doc.provisions)
    explained = [s for s in spans if s.reason != LOST]
    removed_keys = sorted({k for s in explained if (k := match_key(s.text))}, key=len, reverse=True)
    removed_text = "\n".join([*removed_keys, "".join(match_key(s.text) for s in explained)])
    lost_spans = [s.text for s in spans if s.reason == LOST]
    lost_keys = [match_key(t) for t in lost_spans]
    lost = list(lost_spans)
    lost_chars = sum(visible_chars(t) for t in lost_spans)
    for paragraph in paragraphs:
        for clause in _CLAUSE.split(paragraph):
            key = match_key(clause)
            if not key or key in kept or match_key(_body(clause)) in kept or key in removed_text:
                continue
            rest = _strip_prefixes(key, removed_keys)
            if not rest or rest in kept or match_key(_body(rest)) in kept:
                continue
            if any(k in key or key in k for k in lost_keys if k):
                continue
            lost.append(clause.strip())
            lost_chars += visible_chars(clause)
    removed: dict[str, int] = {}
    for s in explained:
        removed[s.reason] = removed.get(s.reason, 0) + visible_chars(s.text)
    body = sum(visible_chars(p) for p in paragraphs) + sum(visible_chars(s.text) for s in file_spans)
    return Ledger(body, removed, lost, lost_chars)


def _strip_prefixes(key: str, prefixes: list[str]) -> str:
    """Remove recorded removals run into the start of a clause (a PDF head: title, 文号, addressee)."""
    previous = None
    while key and key != previous:
        previous = key
        for piece in prefixes:
            key = key.removeprefix(piece)
    return key
