"""Split one file's paragraphs into the documents it holds (a notice that forwards another document)."""

from __future__ import annotations

import itertools

from retrieval.ingest.patterns import DATE_LINE, NUMBER_LINE, PUBLIC_NOTE, TITLE_LINE


def split_documents(paragraphs: list[str]) -> list[list[str]]:
    """Cut ``paragraphs`` where a new document begins.

    A new document begins at a title line that is directly followed by its own 文号 line and
    directly preceded by the end of the previous document (its signature date or "（此件公开发布）").

    Args:
        paragraphs: the file's clean paragraphs.

    Returns:
        One paragraph list per document, in file order (a single list when nothing splits).
    """
    starts = [0]
    for i in range(2, len(paragraphs) - 1):
        previous, title, number = paragraphs[i - 1], paragraphs[i], paragraphs[i + 1]
        ends_document = bool(DATE_LINE.search(previous)) or bool(PUBLIC_NOTE.match(previous))
        if ends_document and TITLE_LINE.search(title) and len(title) <= 80 and NUMBER_LINE.match(number):
            starts.append(i)
    bounds = [*starts, len(paragraphs)]
    return [paragraphs[a:b] for a, b in itertools.pairwise(bounds) if b > a]
