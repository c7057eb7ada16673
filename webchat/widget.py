"""The citizen-facing pages: ``/`` is a demo page that embeds the chat widget (``/static/widget.js``)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("widget", __name__)


@bp.get("/")
def demo() -> str:
    """Return the demo page: a mock 人社 site with the widget embedded by its one script line."""
    return render_template("index.html")
