"""Security headers on every response: CSP, framing, MIME sniffing, referrer, permissions, caching, HSTS.

Four kinds of response get different headers (``kind_of``):

- ``staff``: the login page, the hotline console and the maintainer admin (``/login``, ``/logout``,
  ``/console…``, ``/admin…``). Never framed by anyone (``frame-ancestors 'none'``, ``X-Frame-Options:
  DENY``: a framed console could be click-jacked into publishing or removing documents), never cached
  (callers' questions, conversations, CSRF tokens), no referrer to other sites.
- ``citizen``: the other HTML pages (the demo page ``/``). The widget is embedded with a ``<script>``
  tag, not an ``<iframe>``, so it needs no framing at all; the page may still be framed by this site and
  by the sites in ``web.allowed_origins`` — the ones already trusted to call the API for the widget — so
  that a 人社 site whose CMS refuses third-party scripts can show the assistant in an iframe instead.
  Any other site is refused: nothing to click-jack.
- ``api``: ``/api/…`` JSON. ``default-src 'none'`` (a JSON body opened as a page runs nothing),
  never cached (conversations, eligibility facts), ``Cross-Origin-Resource-Policy: same-origin``
  (CORS reads by the allowed sites are not affected by it).
- ``other``: ``/healthz``, ``/static/…`` (``widget.js`` and ``widget.css`` are loaded by other sites,
  hence ``Cross-Origin-Resource-Policy: cross-origin``), JSON errors of unknown paths.

The pages' policy allows scripts, styles, images, fonts and fetches from this origin only: no inline
``<script>``, ``<style>``, ``style=""`` or ``on…=""`` anywhere (the templates and static files follow it;
``tests/test_security.py`` checks the rendered pages). Scripts may still set ``element.style``.

``init_app`` also makes the JSON parser of requests treat a document nested too deeply to parse (a few
kilobytes of ``[[[[…``) as invalid JSON — the API's Chinese 400 — instead of a RecursionError (a 500).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider

from knowledge.settings import Settings

STAFF_PREFIXES = ("/login", "/logout", "/console", "/admin")
PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
)
HSTS = "max-age=31536000; includeSubDomains"


_HOST = re.compile(r"[a-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9a-f:.]+\](:[0-9]{1,5})?")


def frame_sources(allowed_origins: list[str]) -> list[str]:
    """Return the configured origins that are well-formed ``http(s)://host[:port]`` (lower case, sorted).

    Anything else (a path, a wildcard, a ``;``) is left out, so that configuration can never change
    the policy's other directives.
    """
    out: set[str] = set()
    for raw in allowed_origins:
        parts = urlsplit(raw.strip().rstrip("/").lower())
        if (
            parts.scheme in ("http", "https")
            and _HOST.fullmatch(parts.netloc)
            and not (parts.path or parts.query or parts.fragment)
        ):
            out.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(out)


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def kind_of(path: str, mimetype: str | None) -> str:
    """Return ``staff``, ``citizen``, ``api`` or ``other`` for a response (see the module docstring)."""
    if any(_is_under(path, p) for p in STAFF_PREFIXES):
        return "staff"
    if _is_under(path, "/api"):
        return "api"
    if mimetype == "text/html":
        return "citizen"
    return "other"


def content_security_policy(kind: str, mimetype: str | None, frame_origins: list[str]) -> str:
    """Return the CSP of a response.

    Args:
        kind: from ``kind_of``.
        mimetype: the response's mimetype (HTML pages get the page policy).
        frame_origins: origins allowed to frame citizen pages (``web.allowed_origins``).
    """
    if mimetype != "text/html":
        return NON_PAGE_POLICY
    ancestors = "'none'" if kind == "staff" else " ".join(["'self'", *frame_origins])
    return "; ".join([*PAGE_POLICY, f"frame-ancestors {ancestors}"])


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a document nested beyond the parser's recursion limit is invalid JSON."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; raise ValueError (what ``request.get_json`` handles) for a too deeply nested one."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc


def init_app(app: Flask, settings: Settings) -> None:
    """Add the security headers to every response of ``app``; make its JSON parser refuse too deep nesting.

    Args:
        app: the app (any time after it is created; the headers apply to every blueprint).
        settings: ``web.allowed_origins`` (may frame citizen pages) and ``web.cookie_secure`` (HTTPS:
            send HSTS).
    """
    bounded = BoundedJSONProvider(app)
    vars(bounded).update(vars(app.json))  # keep the app's options (ensure_ascii=False …)
    app.json = bounded
    frame_origins = frame_sources(settings.web.allowed_origins)
    ignored = [o for o in settings.web.allowed_origins if o.strip() and not frame_sources([o])]
    if ignored:
        app.logger.warning("web.allowed_origins: not an http(s) origin, not allowed to frame pages: %s", ignored)
    hsts = settings.web.cookie_secure

    @app.after_request
    def _security_headers(response: Response) -> Response:
        kind = kind_of(request.path, response.mimetype)
        headers = response.headers
        headers["Content-Security-Policy"] = content_security_policy(kind, response.mimetype, frame_origins)
        if kind == "citizen" and response.mimetype == "text/html":
            # X-Frame-Options cannot name several origins: SAMEORIGIN only while no other site may frame.
            if frame_origins:
                headers.pop("X-Frame-Options", None)
            else:
                headers["X-Frame-Options"] = "SAMEORIGIN"
        else:
            headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin" if kind == "staff" else "strict-origin-when-cross-origin"
        headers["Permissions-Policy"] = PERMISSIONS
        if response.mimetype == "text/html":
            headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if kind in ("staff", "api"):
            headers["Cache-Control"] = "no-store"
            headers["Cross-Origin-Resource-Policy"] = "same-origin"
        elif request.path == "/healthz":
            headers["Cache-Control"] = "no-store"
        elif _is_under(request.path, "/static"):
            headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        if hsts:
            headers["Strict-Transport-Security"] = HSTS
        return response
