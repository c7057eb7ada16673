"""The JSON shape of search results shared by the CLI and the HTTP API (SPEC §3)."""

from __future__ import annotations

from retrieval.citation import source_line
from retrieval.search import SearchResponse, SearchResult


def response_json(response: SearchResponse) -> dict[str, object]:
    """Return the SPEC §3 JSON shape of a search response."""
    return {
        "query": response.query,
        "region": response.region,
        "reliable": response.reliable,
        "confidence": response.confidence,
        "message": response.message,
        "index_version": response.version,
        "results": [result_json(r) for r in response.results],
    }


def result_json(result: SearchResult) -> dict[str, object]:
    """Return one result in the SPEC §3 shape."""
    m = result.document
    return {
        "id": result.provision.id,
        "text": result.provision.text,
        "score": result.score,
        "section": " / ".join(result.provision.section),
        "doc": {
            "id": m.id,
            "title": m.title,
            "number": m.number,
            "region": m.region,
            "date": m.date,
            "period": list(m.period) if m.period else None,
        },
        "legs": result.legs,
        "citation": source_line(m, result.provision),
        "also_in": result.also_in,
    }
