"""Public JSON API: ``GET /api/search``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from retrieval.search import NoIndexError, SearchError
from webchat.app import retrieval_of
from webchat.serialize import AsOfError, parse_as_of, response_json

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Any:
    """Search the knowledge base: ``?q=问题&k=5&region=深圳&as_of=2026-01-01`` → the SPEC §3 JSON shape.

    ``as_of`` (optional, ISO date) is the day each result's status is judged on; default today.
    """
    query = request.args.get("q", "")
    region = request.args.get("region") or None
    try:
        k = int(request.args.get("k", "5"))
    except ValueError:
        return jsonify(error="k 必须是 1 到 50 之间的整数"), 400
    if not 1 <= k <= 50:
        return jsonify(error="k 必须是 1 到 50 之间的整数"), 400
    try:
        as_of = parse_as_of(request.args.get("as_of"))
    except AsOfError as exc:
        return jsonify(error=str(exc)), 400
    try:
        response = retrieval_of(current_app).searcher.search(query, k=k, region=region, as_of=as_of)
    except NoIndexError as exc:
        return jsonify(error=exc.message), 503
    except SearchError as exc:
        return jsonify(error=exc.message), 400
    return jsonify(response_json(response))
