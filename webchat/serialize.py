"""The JSON shape of search results shared by the CLI and the HTTP API (SPEC §3)."""

from __future__ import annotations

from retrieval.citation import source_line
from retrieval.ingest.models import DocumentMeta
from retrieval.search import SearchResponse, SearchResult


def meta_fields(meta: DocumentMeta) -> dict[str, object]:
    """Return a document's editable metadata: title, 文号, issuer, date, region, period."""
    return {
        "title": meta.title,
        "number": meta.number,
        "issuer": meta.issuer,
        "date": meta.date,
        "region": meta.region,
        "period": list(meta.period) if meta.period else None,
    }


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
        "applies": result.applies,
        "field": result.provision.policy_field,  # a policy list's field label (补贴标准 …), else null
        "cites": result.provision.cites,  # 文号 the policy list's 文件依据 names for this provision
    }
