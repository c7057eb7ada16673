"""The chat gateway: ``POST /api/chat`` → Rasa, history, new conversation and feedback.

Citizens never reach Rasa directly. Every message is PII-masked before it goes to Rasa, the logs
or the database; the conversation id lives in a signed, expiring token (HttpOnly cookie, and echoed
in the body for widgets embedded on other sites; see ``webchat/sessions.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from webchat.botclient import BotClient, BotUnavailable
from webchat.pii import mask_pii
from webchat.sessions import COOKIE, SessionSigner, presented_token
from webchat.store import ChatStore

bp = Blueprint("chat", __name__, url_prefix="/api")

CHAT = "policybot.chat"
UNAVAILABLE = "查询服务暂时不可用，请稍后再试或拨打12333咨询。"
NOT_JSON = '请求格式不对：请用 JSON 发送，例如 {"message": "毕业生有什么补贴"}。'
EMPTY = "请输入您想咨询的问题。"
NOT_TEXT = "消息必须是文字。"
BAD_SESSION = "会话已失效，请点“新对话”重新开始。"
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass
class ChatGateway:
    """What the chat endpoints share: the Rasa client, the store, the session signer, the limits."""

    bot: BotClient
    store: ChatStore
    signer: SessionSigner
    max_chars: int
    cookie_secure: bool


def gateway_of(app: Flask) -> ChatGateway:
    """Return the chat gateway of an app made by ``create_app``."""
    gateway: ChatGateway = app.extensions[CHAT]
    return gateway


def storable(text: str) -> str:
    """Return ``text`` as it can be stored and passed on: a lone surrogate (valid in JSON, but no encoding
    can write it) becomes U+FFFD; control characters other than tab and line breaks are dropped (PostgreSQL
    refuses NUL in text)."""
    return _UNSTORABLE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", text)


def _json_body() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _conversation() -> str | None:
    """Return the conversation id of the session the request presents, if the server issued it."""
    return gateway_of(current_app).signer.verify(presented_token())


def _with_cookie(response: Response, token: str) -> Response:
    gateway = gateway_of(current_app)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(gateway.signer.max_age_s),  # the cookie goes when the token would be refused
        httponly=True,
        samesite="Lax",
        secure=gateway.cookie_secure,
        path="/",
    )
    return response


@bp.post("/chat")
def chat() -> Any:
    """Forward one message to Rasa.

    Body ``{"message": "…", "session": optional}``. For a pressed quick-reply button the message is
    its payload; that payload (what Rasa receives) is what gets stored, never a title the client
    supplies (an old widget's ``display`` is ignored).

    Returns:
        ``{"session", "messages": [{"id", "text", "buttons", "citations"}]}``; 400 for bad input,
        503 when Rasa does not answer in time (Chinese ``error`` in every case).
    """
    gateway = gateway_of(current_app)
    body = _json_body()
    if body is None:
        return jsonify(error=NOT_JSON), 400
    message = body.get("message")
    if not isinstance(message, str):
        return jsonify(error=NOT_TEXT if message is not None else EMPTY), 400
    message = storable(message).strip()
    if not message:
        return jsonify(error=EMPTY), 400
    if len(message) > gateway.max_chars:
        return jsonify(error=f"消息太长了（{len(message)}字），请控制在{gateway.max_chars}字以内。"), 400
    conversation_id = _conversation()
    if conversation_id is None:
        conversation_id, token = gateway.signer.issue()
    else:
        token = gateway.signer.token_of(conversation_id)
    masked = mask_pii(message)
    try:
        reply = gateway.bot.send(conversation_id, masked)
    except BotUnavailable as exc:
        current_app.logger.warning("Rasa unavailable: %s", exc)
        return _with_cookie(jsonify(error=UNAVAILABLE, session=token), token), 503
    if not reply.messages:
        # Rasa answered but said nothing: its action server failed mid-turn. Never leave the user in silence.
        current_app.logger.warning("Rasa gave no reply for conversation %s (action server down?)", conversation_id)
        return _with_cookie(jsonify(error=UNAVAILABLE, session=token), token), 503
    ids = gateway.store.add_turn(conversation_id, masked, reply.messages, reply.unanswered)
    messages = [{"id": mid, **m} for mid, m in zip(ids, reply.messages, strict=True)]
    return _with_cookie(jsonify(session=token, messages=messages), token)


@bp.get("/chat/history")
def history() -> Any:
    """Return ``{"session", "messages": [{"id", "role", "text", "buttons", "citations", "feedback"}]}``.

    The token comes in the ``X-Policybot-Session`` header or the cookie (never the URL); reading the
    history does not extend it (only a message does), so ``session`` is the token presented, or None
    when it is unknown or expired."""
    token = presented_token()
    conversation_id = _conversation()
    if conversation_id is None or not isinstance(token, str):
        return jsonify(session=None, messages=[])
    stored = gateway_of(current_app).store.history(conversation_id)
    return jsonify(session=token, messages=[m.as_json() for m in stored])


@bp.post("/chat/new")
def new_conversation() -> Any:
    """Start a new conversation: ``{"session": new token}`` (the cookie is replaced too)."""
    gateway = gateway_of(current_app)
    conversation_id, token = gateway.signer.issue()
    gateway.store.ensure_conversation(conversation_id)
    return _with_cookie(jsonify(session=token), token)


@bp.post("/feedback")
def feedback() -> Any:
    """Store 👍/👎 on one bot message: body ``{"message_id", "rating": "up"|"down", "session"}``."""
    body = _json_body()
    if body is None:
        return jsonify(error=NOT_JSON), 400
    rating = body.get("rating")
    message_id = body.get("message_id")
    if rating not in ("up", "down"):
        return jsonify(error="评价只能是 up（有用）或 down（没用）。"), 400
    if not isinstance(message_id, str) or not message_id:
        return jsonify(error="缺少要评价的消息编号 message_id。"), 400
    conversation_id = _conversation()
    if conversation_id is None:
        return jsonify(error=BAD_SESSION), 400
    issued = len(message_id) <= 40 and message_id.isascii()  # ids are short URL-safe tokens
    if not issued or not gateway_of(current_app).store.add_feedback(conversation_id, message_id, rating):
        return jsonify(error="找不到要评价的这条回答。"), 404
    return jsonify(ok=True)
