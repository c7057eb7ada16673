"""Refuse cross-site writes to the JSON API, and answer CORS for the sites allowed to embed the widget."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, jsonify, request

from webchat.sessions import HEADER

REFUSED = "拒绝跨站请求：该网站未被授权调用本服务的接口。"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def origin_of(url: str | None) -> str | None:
    """Return ``scheme://host[:port]`` of a URL, ``"null"`` for an opaque origin, None when absent."""
    if not url:
        return None
    if url == "null":
        return "null"
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return "null"
    return f"{parts.scheme}://{parts.netloc}".lower()


def init_app(app: Flask, allowed_origins: list[str]) -> None:
    """Install the check on ``/api/*`` writes and the CORS answers for ``allowed_origins``.

    A browser names the page's origin in ``Origin`` (or at least ``Referer``) on every cross-site
    POST; a request from this site or from an allowed one passes, any other site is refused with
    403. Requests without either header do not come from a web page (curl, the action server) and
    pass; they cannot ride on a citizen's cookie.
    """
    allowed = {o.rstrip("/").lower() for o in allowed_origins}

    def own_origin() -> str:
        return origin_of(request.host_url) or ""

    @app.before_request
    def _check_origin() -> Any:
        if not request.path.startswith("/api/"):
            return None
        origin = origin_of(request.headers.get("Origin")) or origin_of(request.headers.get("Referer"))
        if request.method == "OPTIONS" and origin in allowed:
            return Response(status=204)
        if request.method not in _WRITES or origin is None:
            return None
        if origin == own_origin() or origin in allowed:
            return None
        return jsonify(error=REFUSED), 403

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = origin_of(request.headers.get("Origin"))
        if request.path.startswith("/api/") and origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin or ""
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = f"Content-Type, {HEADER}"
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response
