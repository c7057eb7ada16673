"""Policy catalogue and eligibility API: ``GET /api/policies[/<id>]``, ``POST /api/eligibility``."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from knowledge.facts import FactError
from knowledge.service import EligibilityService
from retrieval.search import NoIndexError
from webchat.app import retrieval_of
from webchat.chat import storable
from webchat.serialize import AsOfError, parse_as_of

bp = Blueprint("policies", __name__, url_prefix="/api")
ELIGIBILITY = "policybot.eligibility"


def eligibility_of() -> EligibilityService:
    """Return the app's eligibility service."""
    service: EligibilityService = current_app.extensions[ELIGIBILITY]
    return service


@bp.get("/policies")
def list_policies() -> Any:
    """All policies, short form; ``?category=graduate`` and ``?region=深圳`` filter."""
    service = eligibility_of()
    category = request.args.get("category")
    region = request.args.get("region")
    allowed = None
    if region:
        resolved = service.engine.regions.finest(region)  # its ancestors include every region it lies in
        if resolved is None:
            return jsonify(error=f"无法识别地区“{region}”"), 400
        allowed = set(service.engine.regions.ancestors(resolved))
    rows = [
        service.policy_json(p, full=False)
        for p in service.catalogue
        if (category is None or p.category == category) and (allowed is None or allowed & set(p.regions))
    ]
    return jsonify(policies=rows, count=len(rows))


@bp.get("/policies/<policy_id>")
def get_policy(policy_id: str) -> Any:
    """One policy with conditions, how to apply and citations."""
    service = eligibility_of()
    policy = service.catalogue.policies.get(policy_id)
    if policy is None:
        return jsonify(error=f"没有编号为“{policy_id}”的政策"), 404
    return jsonify(service.policy_json(policy))


def with_validity(verdict: dict[str, Any], day: date | None = None) -> dict[str, Any]:
    """Add to each verdict the status on ``day`` of the documents it cites: ``citations[].status`` and one
    reason per document ("依据《…》：已到期（规划期2016–2020年已结束）").

    Args:
        verdict: ``EligibilityService.verdict_json`` output (changed in place).
        day: the as-of date; None means today, from the clock.

    Returns:
        The same verdict.
    """
    searcher = retrieval_of(current_app).searcher
    try:
        documents = searcher.current().corpus.documents
    except NoIndexError:
        return verdict
    day = day or searcher.clock()
    for row in verdict.get("results", []):
        notes = []
        for citation in row.get("citations", []):
            meta = documents.get(citation.get("doc") or "")
            if meta is None:
                continue
            status = meta.status_on(day)
            citation["status"] = status.as_json()
            notes.append(f"依据《{meta.title.strip('《》')}》：{status.text}")
        row["reasons"] = [*row.get("reasons", []), *dict.fromkeys(notes)]
    return verdict


@bp.post("/eligibility")
def eligibility() -> Any:
    """``{"facts": {...}, "skip": [facts declined], "as_of"}`` → verdicts for every policy (SPEC §3) and the next
    question; each verdict's reasons end with the status on ``as_of`` (default today) of the documents it cites."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "facts" not in body:
        return jsonify(error='请求体必须是 JSON，例如 {"facts": {"region": "深圳"}}'), 400
    service = eligibility_of()
    skip = body.get("skip") or []
    if not isinstance(skip, list) or not all(isinstance(name, str) for name in skip):
        return jsonify(error="skip：必须是条件名称的列表", field="skip"), 400
    try:
        as_of = parse_as_of(body.get("as_of"))
    except AsOfError as exc:
        return jsonify(error=str(exc), field="as_of"), 400
    try:
        verdict = service.check(body["facts"], skip)
    except FactError as exc:
        # the message may quote the input: a lone surrogate in it could not be written as UTF-8
        return jsonify(error=storable(f"{exc.field}：{exc.message}"), field=storable(exc.field)), 400
    return jsonify(with_validity(service.verdict_json(verdict), as_of))
