"""Chat session tokens: a random conversation id signed by the server with the time of signing, so only
issued tokens are accepted and only for ``chat.session_hours`` after the citizen's last message.

Tokens travel in the HttpOnly cookie, a POST body's ``session`` or the ``X-Policybot-Session`` header,
never in a URL (where proxies, logs and browser history would keep them)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "pb_session"
HEADER = "X-Policybot-Session"
_SALT = "policybot.chat-session"


def load_secret(configured: str | None, var_dir: Path) -> str:
    """Return the signing secret: the configured one, else one generated once and kept in ``var/secret_key``.

    Args:
        configured: ``web.secret_key`` (from the environment in production; every replica must share it).
        var_dir: the app data folder of the embedded default.

    Returns:
        The secret.
    """
    if configured:
        return configured
    path = var_dir / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    return secret


def presented_token() -> object:
    """Return the session token the current request presents: the JSON body's ``session``, else the
    ``X-Policybot-Session`` header, else the cookie; None when there is none (anything else is returned
    as is, so that a non-text token is refused by ``SessionSigner.verify``). A ``?session=`` in the URL
    is ignored."""
    body = request.get_json(silent=True)
    token = body.get("session") if isinstance(body, dict) else None
    return token if token is not None else request.headers.get(HEADER) or request.cookies.get(COOKIE)


class SessionSigner:
    """Issues session tokens and reads back the conversation id of genuine ones."""

    def __init__(self, secret: str, max_age_s: float) -> None:
        """Check the secret.

        Args:
            secret: the signing secret (``web.secret_key``).
            max_age_s: how long a token is accepted after it was signed (``chat.session_hours``).

        Raises:
            ValueError: the secret is shorter than 16 characters, or the age is not positive.
        """
        if len(secret) < 16:
            raise ValueError("the session secret must be at least 16 characters")
        if max_age_s <= 0:
            raise ValueError("max_age_s must be positive")
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        self.max_age_s = max_age_s

    def issue(self) -> tuple[str, str]:
        """Return a new (conversation id, token) pair."""
        conversation_id = secrets.token_urlsafe(16)
        return conversation_id, str(self._serializer.dumps(conversation_id))

    def token_of(self, conversation_id: str) -> str:
        """Return a fresh token (valid for ``max_age_s`` from now) of an existing conversation id."""
        return str(self._serializer.dumps(conversation_id))

    def verify(self, token: object) -> str | None:
        """Return the conversation id of a token this server issued less than ``max_age_s`` ago, or
        None for anything else (forged, expired, malformed)."""
        if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
            return None  # issued tokens are short URL-safe ASCII; a lone surrogate would not even encode
        try:
            value = self._serializer.loads(token, max_age=int(self.max_age_s))
        except BadSignature:  # SignatureExpired is one too
            return None
        return value if isinstance(value, str) else None
