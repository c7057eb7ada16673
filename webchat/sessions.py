"""Chat session tokens: a random conversation id signed by the server, so only issued ones are accepted."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "pb_session"
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
    ``session`` query parameter, else the cookie; None when there is none (anything else is returned
    as is, so that a non-text token is refused by ``SessionSigner.verify``)."""
    body = request.get_json(silent=True)
    token = body.get("session") if isinstance(body, dict) else None
    return token if token is not None else request.args.get("session") or request.cookies.get(COOKIE)


class SessionSigner:
    """Issues session tokens and reads back the conversation id of genuine ones."""

    def __init__(self, secret: str) -> None:
        """Check the secret.

        Raises:
            ValueError: the secret is shorter than 16 characters.
        """
        if len(secret) < 16:
            raise ValueError("the session secret must be at least 16 characters")
        self._serializer = URLSafeSerializer(secret, salt=_SALT)

    def issue(self) -> tuple[str, str]:
        """Return a new (conversation id, token) pair."""
        conversation_id = secrets.token_urlsafe(16)
        return conversation_id, str(self._serializer.dumps(conversation_id))

    def token_of(self, conversation_id: str) -> str:
        """Return the token of an existing conversation id."""
        return str(self._serializer.dumps(conversation_id))

    def verify(self, token: object) -> str | None:
        """Return the conversation id of a token this server issued, or None for anything else."""
        if not isinstance(token, str) or not token or len(token) > 200 or not token.isascii():
            return None  # issued tokens are short URL-safe ASCII; a lone surrogate would not even encode
        try:
            value = self._serializer.loads(token)
        except BadSignature:
            return None
        return value if isinstance(value, str) else None
