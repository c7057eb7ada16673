"""The web app's HTTP API as the actions use it, with short timeouts."""

from __future__ import annotations

from typing import Any

import requests

from actions.settings import API_TIMEOUT_S, api_url

UNAVAILABLE = "查询服务暂时不可用，请稍后再试或拨打12333咨询。"


class ApiUnavailable(Exception):
    """The API is down, slow or answered with an error."""


def search(question: str, region: str | None, k: int = 3) -> dict[str, Any]:
    """Return ``GET /api/search`` for the question.

    Raises:
        ApiUnavailable: on any connection problem, timeout or 5xx answer.
    """
    params: dict[str, Any] = {"q": question, "k": k}
    if region:
        params["region"] = region
    return _call("GET", "/api/search", params=params, accept_400=True)


def answer(question: str, context: dict[str, Any]) -> dict[str, Any]:
    """Return ``POST /api/answer``: the composed reply (kind, lead, text, provisions, topic …).

    Raises:
        ApiUnavailable: on any connection problem, timeout or 5xx answer.
    """
    return _call("POST", "/api/answer", json={"question": question, "context": context}, accept_400=True)


def office_hours() -> str | None:
    """Return when 12333 has agents (``GET /api/contact``), or None when the API cannot say."""
    try:
        return _call("GET", "/api/contact").get("office_hours")
    except ApiUnavailable:
        return None


def eligibility(facts: dict[str, Any], skip: list[str] | None = None) -> dict[str, Any]:
    """Return ``POST /api/eligibility`` for the facts (facts the citizen skipped are not asked again)."""
    return _call("POST", "/api/eligibility", json={"facts": facts, "skip": skip or []}, accept_400=True)


def _call(method: str, path: str, accept_400: bool = False, **kwargs: Any) -> dict[str, Any]:
    try:
        reply = requests.request(method, api_url() + path, timeout=(1.0, API_TIMEOUT_S), **kwargs)
    except requests.RequestException as exc:
        raise ApiUnavailable(str(exc)) from exc
    if reply.status_code >= 500 or (reply.status_code >= 400 and not accept_400):
        raise ApiUnavailable(f"HTTP {reply.status_code}")
    try:
        body = reply.json()
    except ValueError as exc:
        raise ApiUnavailable("not JSON") from exc
    if reply.status_code >= 400:
        body.setdefault("error", "请求有误")
    return dict(body)
