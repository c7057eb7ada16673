"""Where the web app's API is: ``POLICYBOT_API_URL`` or config.yml's web.host/port (read once, here)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parents[2] / "config.yml"


def api_url() -> str:
    """Return the base URL of the web app API (no trailing slash)."""
    explicit = os.environ.get("POLICYBOT_API_URL")
    if explicit:
        return explicit.rstrip("/")
    try:
        web = (yaml.safe_load(CONFIG.read_text(encoding="utf-8")) or {}).get("web", {})
    except OSError:
        web = {}
    host = os.environ.get("POLICYBOT_WEB__HOST", web.get("host", "127.0.0.1"))
    port = os.environ.get("POLICYBOT_WEB__PORT", web.get("port", 8000))
    return f"http://{host}:{port}"


API_TIMEOUT_S = float(os.environ.get("POLICYBOT_API_TIMEOUT_S", "3"))
