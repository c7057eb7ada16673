"""Rate limits of the public endpoints (Flask-Limiter).

- Chat (``/api/chat``, feedback, new conversation, history): per conversation first
  (``chat.session_limit``, keyed on the conversation id of a genuine, unexpired token), and a much
  higher per-address ceiling (``chat.ip_limit``), so that citizens behind one NAT (a school, an
  office, a 人社 service hall) each get their own budget.
- Search, eligibility, the policy catalogue, answers and the contact card: per address
  (``web.api_limit``); ``/healthz``, which probes Rasa, the action server and the database on every
  call, per address (``web.health_limit``). Addresses in ``web.ratelimit_exempt`` (the action server
  calling the API over loopback) are not counted.

A refused request gets a 429 whose Chinese message says how long to wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

from flask import Flask, current_app, jsonify
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from knowledge.settings import Settings
from webchat.chat import gateway_of
from webchat.sessions import presented_token

TOO_MANY = "您发送得太频繁了，请稍后再试。"
LIMITER = "policybot.limiter"
CHAT_ENDPOINTS = ("chat.chat", "chat.feedback", "chat.new_conversation", "chat.history")
API_ENDPOINTS = (
    "api.search",
    "policies.eligibility",
    "policies.list_policies",
    "policies.get_policy",
    "answers.answer",
    "answers.contact",
)
HEALTH_ENDPOINTS = ("health.healthz",)


def conversation_of_request() -> str | None:
    """Return the conversation id of the genuine, unexpired session token the request presents, or None."""
    return gateway_of(current_app).signer.verify(presented_token())


def session_key() -> str:
    """The per-conversation rate-limit key: the conversation id (the same however often its token is renewed).

    Only called for requests with a genuine token (the limit is skipped for the others); a request
    without one still gets an ASCII key of bounded size.
    """
    conversation_id = conversation_of_request()
    return f"conversation:{conversation_id}" if conversation_id else f"ip:{get_remote_address()}"


def wait_text(seconds: float) -> str:
    """Return how long to wait, in Chinese, rounded up: ``61秒``, ``5分钟``, ``2小时``."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 120:
        return f"{seconds}秒"
    if seconds < 7200:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{math.ceil(seconds / 3600)}小时"


def too_many_message(limiter: Limiter) -> str:
    """Return the 429 message of the current request: how long until the limit it hit lets it through."""
    limit = limiter.current_limit
    if limit is None or not limit.breached:
        return TOO_MANY
    return f"您发送得太频繁了，请{wait_text(limit.reset_at - time.time())}后再试。"


def _limit(limiter: Limiter, app: Flask, endpoints: Iterable[str], limit: str, **options: Any) -> None:
    for endpoint in endpoints:
        view: Any = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(limit, **options)(view)


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Give the app its own limiter and put the limits on the public endpoints.

    Args:
        app: the app, with the endpoints already registered.
        settings: ``web.ratelimit_storage`` (``memory://`` on one machine, ``redis://…`` so that
            replicas share the counts), ``chat.session_limit``, ``chat.ip_limit``, ``web.api_limit``,
            ``web.health_limit`` and ``web.ratelimit_exempt``.

    Returns:
        The limiter (also kept in ``app.extensions``).
    """
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.web.ratelimit_storage,
        strategy="moving-window",
        headers_enabled=True,
    )
    exempt = frozenset(settings.web.ratelimit_exempt)

    def exempt_address() -> bool:
        return get_remote_address() in exempt

    def no_conversation() -> bool:
        return conversation_of_request() is None

    chat = settings.chat
    _limit(limiter, app, CHAT_ENDPOINTS, chat.session_limit, key_func=session_key, exempt_when=no_conversation)
    _limit(limiter, app, CHAT_ENDPOINTS, chat.ip_limit)
    _limit(limiter, app, API_ENDPOINTS, settings.web.api_limit, exempt_when=exempt_address)
    _limit(limiter, app, HEALTH_ENDPOINTS, settings.web.health_limit, exempt_when=exempt_address)
    app.extensions[LIMITER] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> Any:
        return jsonify(error=too_many_message(limiter)), 429

    return limiter
