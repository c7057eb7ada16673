"""The web app's HTTP API as the actions use it, with short timeouts.

The calls are coroutines: the blocking HTTP request runs in a worker thread, so one slow answer does
not hold up the action server's event loop, and with it every other conversation's turn.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import requests

from actions.settings import API_TIMEOUT_S, api_url

UNAVAILABLE = "查询服务暂时不可用，请稍后再试或拨打12333咨询。"


class ApiUnavailable(Exception):
    """The API is down, slow or answered with an error."""


async def search(question: str, region: Optional[str], k: int = 3) -> Dict[str, Any]:
    """Return ``GET /api/search`` for the question.

    Raises:
        ApiUnavailable: on any connection problem, timeout or 5xx answer.
    """
    params: Dict[str, Any] = {"q": question, "k": k}
    if region:
        params["region"] = region
    return await asyncio.to_thread(_call, "GET", "/api/search", params=params, accept_400=True)


async def eligibility(facts: Dict[str, Any], skip: Optional[List[str]] = None) -> Dict[str, Any]:
    """Return ``POST /api/eligibility`` for the facts (facts the citizen skipped are not asked again)."""
    body = {"facts": facts, "skip": skip or []}
    return await asyncio.to_thread(_call, "POST", "/api/eligibility", json=body, accept_400=True)


def _call(method: str, path: str, accept_400: bool = False, **kwargs: Any) -> Dict[str, Any]:
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
    return body
