"""``POST /api/answer``: the composed reply to a question (the bot's actions and the console use it)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

from answering.composer import AnswerComposer
from answering.models import AnswerContext
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from retrieval.search import NoIndexError
from retrieval.service import RetrievalService
from webchat.app import settings_of
from webchat.serialize import AsOfError, parse_as_of

bp = Blueprint("answers", __name__, url_prefix="/api")
COMPOSER = "policybot.composer"
BAD_BODY = '请求体必须是 JSON，例如 {"question": "毕业生有什么补贴", "context": {"region": "深圳"}}'


def init_app(app: Flask, settings: Settings, retrieval: RetrievalService, eligibility: EligibilityService) -> None:
    """Build the app's answer composer and register ``POST /api/answer``."""
    app.extensions[COMPOSER] = AnswerComposer(retrieval.searcher, eligibility, settings.answer)
    app.register_blueprint(bp)


def composer_of(app: Flask) -> AnswerComposer:
    """Return the answer composer of an app made by ``create_app``."""
    composer: AnswerComposer = app.extensions[COMPOSER]
    return composer


@bp.post("/answer")
def answer() -> Any:
    """``{"question", "context": {region, groups, facts, topic, previous_question, previous_provision},
    "as_of"}`` → the composed answer (``as_of``: optional ISO date validity is judged on; default today)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("question"), str):
        return jsonify(error=BAD_BODY), 400
    try:
        context = AnswerContext.from_json(body.get("context"))
        as_of = parse_as_of(body.get("as_of"))
    except (ValueError, AsOfError) as exc:
        return jsonify(error=str(exc)), 400
    try:
        composed = composer_of(current_app).compose(body["question"], context, as_of=as_of)
    except NoIndexError as exc:
        return jsonify(error=exc.message), 503
    return jsonify(composed.as_json())


@bp.get("/contact")
def contact() -> Any:
    """How a citizen reaches a person: the hotline and when it has agents (``answer.office_hours``)."""
    return jsonify(hotline="12333", office_hours=settings_of(current_app).answer.office_hours)
