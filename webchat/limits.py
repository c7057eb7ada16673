"""Rate limits of the chat gateway (Flask-Limiter): per conversation and per client address."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, jsonify
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from webchat.sessions import presented_token

TOO_MANY = "您发送得太频繁了，请稍后再试。"
LIMITER = "policybot.limiter"


def session_key() -> str:
    """The rate-limit key of a chat request: its session token (body, query or cookie), else the client address."""
    token = presented_token()
    if isinstance(token, str) and token and len(token) <= 200 and token.isascii():
        return f"session:{token}"
    return f"ip:{get_remote_address()}"  # no token, or one no server issued (Redis could not even store a surrogate)


def init_app(app: Flask, storage_uri: str, session_limit: str, ip_limit: str, endpoints: Iterable[str]) -> Limiter:
    """Give the app its own limiter and put both limits on the named endpoints.

    Args:
        app: the app, with the endpoints already registered.
        storage_uri: ``memory://`` on one machine; ``redis://…`` so that replicas share the counts.
        session_limit: limits per conversation, e.g. ``"20 per minute;300 per day"``.
        ip_limit: limits per client address.
        endpoints: the endpoint names to limit (``"chat.chat"`` …).

    Returns:
        The limiter (also kept in ``app.extensions``).
    """
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=storage_uri, strategy="moving-window", headers_enabled=True
    )
    for endpoint in endpoints:
        view: Any = app.view_functions[endpoint]
        view = limiter.limit(session_limit, key_func=session_key)(view)
        app.view_functions[endpoint] = limiter.limit(ip_limit)(view)
    app.extensions[LIMITER] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Any:
        return jsonify(error=TOO_MANY), 429

    return limiter
