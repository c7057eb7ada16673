"""``GET /healthz``: is the index loaded, are Rasa and the action server answering?"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from flask import Blueprint, current_app, jsonify

from retrieval.search import NoIndexError
from webchat.app import retrieval_of, settings_of
from webchat.chat import gateway_of
from webchat.kbsync import follower_of

bp = Blueprint("health", __name__)


def _up(url: str, timeout: float) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return bool(200 <= reply.status < 500)
    except (urllib.error.URLError, OSError, ValueError):
        return False


@bp.get("/healthz")
def healthz() -> Any:
    """Return ``{"status": "ok"|"degraded", "index_version", "knowledge_generation", "bot", "actions", "database"}``
    (200 either way)."""
    settings = settings_of(current_app).web
    service = retrieval_of(current_app)
    version: str | None
    try:
        version = service.searcher.current().version
    except NoIndexError:
        version = None
    bot = "up" if _up(settings.rasa_url.rstrip("/") + "/", settings.health_timeout_s) else "down"
    actions = "up" if _up(settings.actions_url.rstrip("/") + "/health", settings.health_timeout_s) else "down"
    database = "up" if gateway_of(current_app).store.ping() else "down"
    ok = version is not None and service.searcher.last_error is None
    ok = ok and bot == "up" and actions == "up" and database == "up"
    body: dict[str, Any] = {
        "status": "ok" if ok else "degraded",
        "index_version": version,
        "bot": bot,
        "actions": actions,
        "database": database,
    }
    if service.searcher.last_error:
        body["index_error"] = service.searcher.last_error
    follower = follower_of(current_app)
    body["knowledge_generation"] = follower.generation  # the published lexicon/catalogue served (0 = files)
    if follower.last_error:
        body["status"], body["knowledge_error"] = "degraded", follower.last_error
    return jsonify(body)
