"""Shared set-up of the staff tests: a throw-away knowledge base (tmp copies of the sources, sources.yml,
lexicon and catalogue), a BM25-only index, the app, and accounts to log in with."""

from __future__ import annotations

import io
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from knowledge.settings import Settings, load_settings
from retrieval.service import RetrievalService
from webchat.app import create_app
from webchat.staff import staff_store_of

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "正确的密码-Secret1"
AGENT, MAINTAINER = "agent1", "维护员"


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings whose every writable path is a tmp copy: the real repository is never modified."""
    knowledge = tmp / "knowledge"
    shutil.copytree(ROOT / "knowledge" / "sources", knowledge / "sources")
    for name in ("sources.yml", "lexicon.yml", "policies.yml"):
        shutil.copy2(ROOT / "knowledge" / name, knowledge / name)
    return settings_at(tmp, **overrides)


def settings_at(tmp: Path, **overrides: Any) -> Settings:
    """The settings of a throw-away knowledge base ``make_settings`` already copied to ``tmp``."""
    knowledge = tmp / "knowledge"
    sections: dict[str, Any] = {
        "paths": {
            "sources": str(knowledge / "sources"),
            "sources_meta": str(knowledge / "sources.yml"),
            "lexicon": str(knowledge / "lexicon.yml"),
            "policies": str(knowledge / "policies.yml"),
            "var": str(tmp / "var"),
            "index_root": str(tmp / "index"),
        },
        "index": {"dense": False},
        "web": {"rasa_url": "http://127.0.0.1:9", "actions_url": "http://127.0.0.1:9", "health_timeout_s": 0.2},
    }
    for key, value in overrides.items():
        sections[key] = {**sections.get(key, {}), **value}
    return load_settings(ROOT / "config.yml", **sections)


def make_app(settings: Settings, build: bool = True, csrf: bool = False) -> Flask:
    """Build the index (BM25 only), create the app and the two accounts."""
    if build:
        RetrievalService.from_settings(settings).build()
    app = create_app(settings, {"TESTING": True, "WTF_CSRF_ENABLED": csrf})
    store = staff_store_of(app)
    existing = {a.name for a in store.users()}
    if AGENT not in existing:
        store.add_user(AGENT, "agent", PASSWORD)
    if MAINTAINER not in existing:
        store.add_user(MAINTAINER, "maintainer", PASSWORD)
    return app


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token of a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD, token: bool = False, **extra: str) -> Any:
    """Post the login form (with the page's CSRF token when ``token``)."""
    data = {"username": name, "password": password, **extra}
    if token:
        data["csrf_token"] = csrf_token(client)
    return client.post("/login", data=data)


def logged_in(app: Flask, name: str) -> FlaskClient:
    """A test client of ``app`` logged in as ``name``."""
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def upload_page(client: FlaskClient, name: str, content: bytes) -> str:
    """Upload one file through the admin page; return the page it leads to."""
    data = {"files": [(io.BytesIO(content), name)]}
    reply = client.post("/admin/upload", data=data, content_type="multipart/form-data", follow_redirects=True)
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve an app on a free loopback port in a thread; yields its base URL, stops it afterwards."""
    from werkzeug.serving import make_server

    from tests.stack import free_port

    port = free_port()
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        thread.join(10)
