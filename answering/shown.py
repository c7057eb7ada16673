"""How a provision is shown to a citizen: its text, where it comes from and where it stands today."""

from __future__ import annotations

from datetime import date

from answering.period import period_status
from knowledge.docnames import document_name
from retrieval.citation import source_line
from retrieval.ingest.models import DocumentMeta
from retrieval.search import SearchResult


def short_source(meta: DocumentMeta) -> str:
    """Return 《title》文号 (the name a citizen can look the document up by)."""
    return document_name(meta.title, meta.number)


def shown_provision(result: SearchResult, today: date, related: bool) -> dict[str, object]:
    """Return one shown provision: text, source line, short source, document, whether it applies to the
    asker, its period status and its document's status on ``today``, and whether it is only related."""
    meta = result.document
    return {
        "id": result.provision.id,
        "text": result.provision.text,
        "source": source_line(meta, result.provision, today),
        "short_source": short_source(meta),
        "doc": {"id": meta.id, "title": meta.title, "number": meta.number, "region": meta.region},
        "applies": result.applies,
        "period_status": period_status(meta, result.provision, today).as_json(),
        "status": meta.status_on(today).as_json(),
        "related": related,
    }
