"""Flask application factory: ``create_app(settings)`` wires retrieval into the blueprints."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from knowledge.service import EligibilityService
from knowledge.settings import Settings, load_settings
from retrieval.service import RetrievalService
from webchat import security

RETRIEVAL = "policybot.retrieval"
SETTINGS = "policybot.settings"
STORAGE_UNAVAILABLE = "服务暂时繁忙（数据存储不可用），请稍后再试或拨打12333咨询。"


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Create the web app.

    Args:
        settings: the settings; built from config.yml and the environment when None (entry point).
        test_config: Flask config values that win (tests use ``{"TESTING": True}``).

    Returns:
        The Flask app with the search, policies/eligibility and health blueprints registered.

    Raises:
        knowledge.catalogue.CatalogueError: the policy catalogue is malformed (file, entry, problem).
    """
    if settings is None:
        path = os.environ.get("POLICYBOT_CONFIG")
        from pathlib import Path

        settings = load_settings(Path(path) if path else None, env=os.environ)
    app = Flask(__name__)
    app.config.update(JSON_AS_ASCII=False, MAX_CONTENT_LENGTH=1_000_000)
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.web.trusted_proxies:
        # Behind nginx: rate limits key on the citizen's address, and https is seen as https.
        hops = settings.web.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.extensions[SETTINGS] = settings
    retrieval = RetrievalService.from_settings(settings)
    app.extensions[RETRIEVAL] = retrieval

    from webchat.api import bp as api_bp
    from webchat.health import bp as health_bp
    from webchat.policies import ELIGIBILITY
    from webchat.policies import bp as policies_bp
    from webchat.widget import bp as widget_bp

    documents, _ = retrieval.ingest_sources()
    app.extensions[ELIGIBILITY] = EligibilityService.from_settings(
        settings, retrieval.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
    )
    from webchat import answers

    answers.init_app(app, settings, retrieval, app.extensions[ELIGIBILITY])
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(policies_bp)
    app.register_blueprint(widget_bp)
    _init_chat(app, settings)
    from webchat import limits

    limits.init_app(app, settings)  # after every public blueprint is registered
    _init_staff(app, settings)
    security.init_app(app, settings)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        messages = {404: "没有这个地址", 405: "不支持这种请求方式", 413: "请求内容太大"}
        return jsonify(error=messages.get(exc.code or 500, exc.description)), exc.code

    @app.errorhandler(SQLAlchemyError)
    def _database_down(exc: SQLAlchemyError) -> Any:
        # PostgreSQL restarting or unreachable: a friendly 503; the pool re-connects on the next request.
        app.logger.error("database unavailable: %s", exc)
        return jsonify(error=STORAGE_UNAVAILABLE), 503

    return app


def _init_chat(app: Flask, settings: Settings) -> None:
    """Wire the chat gateway: Rasa client, database, session signer, cross-site check."""
    from webchat import crosssite
    from webchat.botclient import BotClient
    from webchat.chat import CHAT, ChatGateway
    from webchat.chat import bp as chat_bp
    from webchat.sessions import SessionSigner, load_secret
    from webchat.store import ChatStore, database_url

    secret_key = settings.web.secret_key.get_secret_value() if settings.web.secret_key else None
    secret = load_secret(secret_key, settings.paths.var)
    app.config.setdefault("SECRET_KEY", secret)
    app.extensions[CHAT] = ChatGateway(
        bot=BotClient(settings.web.rasa_url, settings.chat.timeout_s),
        store=ChatStore(database_url(settings.database.url, settings.paths.var)),
        signer=SessionSigner(secret, settings.chat.session_hours * 3600),
        max_chars=settings.chat.max_message_chars,
        cookie_secure=settings.web.cookie_secure,
    )
    app.register_blueprint(chat_bp)
    crosssite.init_app(app, settings.web.allowed_origins)


def _init_staff(app: Flask, settings: Settings) -> None:
    """Wire the staff side: logins, the hotline console and the maintainer admin (see webchat/staff.py)."""
    from webchat.staff import init_staff

    init_staff(app, settings)


def retrieval_of(app: Flask) -> RetrievalService:
    """Return the retrieval service of an app made by ``create_app``."""
    service: RetrievalService = app.extensions[RETRIEVAL]
    return service


def settings_of(app: Flask) -> Settings:
    """Return the settings of an app made by ``create_app``."""
    settings: Settings = app.extensions[SETTINGS]
    return settings
