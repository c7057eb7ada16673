"""The JSON shape of search results shared by the CLI and the HTTP API (SPEC §3)."""

from __future__ import annotations

import re
from datetime import date

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


class AsOfError(ValueError):
    """A malformed as-of date; the message is Chinese."""


def parse_as_of(value: object) -> date | None:
    """Read an optional ``as_of`` date (ISO ``YYYY-MM-DD``) given to the API or the CLI.

    Args:
        value: the raw value; None or "" means "today, from the clock".

    Returns:
        The date, or None.

    Raises:
        AsOfError: not an ISO date (the message says the expected form, in Chinese).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AsOfError(f"as_of 日期“{value}”格式不对，应为 YYYY-MM-DD，例如 2026-01-01")


def response_json(response: SearchResponse) -> dict[str, object]:
    """Return the SPEC §3 JSON shape of a search response."""
    return {
        "query": response.query,
        "region": response.region,
        "reliable": response.reliable,
        "confidence": response.confidence,
        "message": response.message,
        "index_version": response.version,
        "as_of": response.as_of.isoformat() if response.as_of else None,
        "results": [result_json(r, response.as_of) for r in response.results],
    }


def result_json(result: SearchResult, as_of: date | None = None) -> dict[str, object]:
    """Return one result in the SPEC §3 shape, with its document's status on ``as_of``."""
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
        "status": result.status.as_json() if result.status else None,
        "validity": {
            "effective": m.effective,
            "expiry": m.expiry,
            "repealed": m.repealed,
            "superseded_by": m.superseded_by,
        },
        "legs": result.legs,
        "citation": source_line(m, result.provision, as_of),
        "also_in": result.also_in,
        "applies": result.applies,
        "field": result.provision.policy_field,  # a policy list's field label (补贴标准 …), else null
        "cites": result.provision.cites,  # 文号 the policy list's 文件依据 names for this provision
    }
