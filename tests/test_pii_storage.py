"""Personal data never reaches the database, the console's unanswered queue, the logs or Rasa.

Messages go through the real app's ``POST /api/chat`` and the real ``BotClient``; only Rasa itself is
replaced, by a small HTTP server on loopback that speaks its REST webhook, records what it received and
echoes it back (the worst case: a bot that repeats the question) with the "no reliable answer" flag, so
every question also lands in the unanswered queue. Then the SQLite file is read table by table.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask

from tests.pii_corpus import ORDINARY, PERSONAL
from tests.staffkit import AGENT, login, make_app, make_settings
from webchat.pii import MASKS, mask_pii

SELF = {"Origin": "http://localhost"}


class _FakeRasa(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(body["message"])
        reply = [
            {"recipient_id": body["sender"], "text": f"您问的是：{body['message']}"},
            {"recipient_id": body["sender"], "custom": {"no_answer": True}},
        ]
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def rasa() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, rasa: str) -> Flask:
    tmp = tmp_path_factory.mktemp("pii")
    settings = make_settings(
        tmp, web={"rasa_url": rasa}, chat={"session_limit": "1000 per minute", "ip_limit": "1000 per minute"}
    )
    return make_app(settings)


def _database_text(app: Flask) -> list[str]:
    """Every text value of every table of the app database."""
    path = Path(app.extensions["policybot.settings"].paths.var) / "policybot.db"
    values = []
    with sqlite3.connect(path) as db:
        for (table,) in db.execute("select name from sqlite_master where type = 'table'"):
            for row in db.execute(f'select * from "{table}"'):
                values += [v for v in row if isinstance(v, str)]
    return values


def _digits(text: str) -> str:
    return re.sub(r"[\s\-.·]", "", text)


def _leaks(secret: str, texts: list[str]) -> list[str]:
    return [t for t in texts if secret in t or (len(_digits(secret)) >= 6 and _digits(secret) in _digits(t))]


def test_no_personal_variant_is_stored_queued_logged_or_sent_to_rasa(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(PERSONAL) >= 40
    _FakeRasa.received.clear()
    client = app.test_client()
    with caplog.at_level(logging.DEBUG):
        for message, _ in PERSONAL:
            reply = client.post("/api/chat", json={"message": message}, headers=SELF)
            assert reply.status_code == 200, reply.get_data(as_text=True)
    agent = app.test_client()
    login(agent, AGENT)
    queue = agent.get("/console/unanswered").get_data(as_text=True)
    stored = _database_text(app)
    logs = [record.getMessage() for record in caplog.records]
    leaks = {
        secret: where
        for message, secrets in PERSONAL
        for secret in secrets
        for where, texts in (("数据库", stored), ("Rasa", _FakeRasa.received), ("日志", logs), ("未答队列", [queue]))
        if _leaks(secret, texts)
    }
    assert leaks == {}
    # Every message was masked, and what was stored is what Rasa received.
    assert len(_FakeRasa.received) == len(PERSONAL)
    assert all(any(mask in text for mask in MASKS) for text in _FakeRasa.received)
    assert set(_FakeRasa.received) <= set(stored)


def test_ordinary_messages_are_stored_exactly_as_typed(app: Flask) -> None:
    _FakeRasa.received.clear()
    client = app.test_client()
    for message in ORDINARY:
        assert client.post("/api/chat", json={"message": message}, headers=SELF).status_code == 200
    assert _FakeRasa.received == ORDINARY
    stored = set(_database_text(app))
    assert [m for m in ORDINARY if m not in stored] == []


@pytest.mark.parametrize(("message", "secrets"), PERSONAL)
def test_each_variant_is_masked(message: str, secrets: list[str]) -> None:
    masked = mask_pii(message)
    assert not _leaks(message, [masked]) and all(not _leaks(s, [masked]) for s in secrets), masked


def test_what_a_question_needs_is_kept_around_the_masks() -> None:
    masked = mask_pii("我是张伟，35岁，宁夏银川市兴庆区解放西街12号，电话138 1234 5678，国发〔2017〕10号的补贴2000元")
    assert masked == (
        "我是[姓名已隐藏]，35岁，宁夏银川市兴庆区[地址已隐藏]，电话[手机号已隐藏]，国发〔2017〕10号的补贴2000元"
    )
    assert mask_pii(masked) == masked  # masking twice changes nothing


def _citizen_questions() -> set[str]:
    """The questions of the evaluation sets and the doc2query files: thousands of realistic messages."""
    root = Path(__file__).resolve().parent.parent / "knowledge"
    found: set[str] = set()
    for path in [*root.glob("eval/**/*.jsonl"), *root.glob("doc2query/**/*.jsonl")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            for key in ("question", "questions"):
                value = record.get(key)
                found.update([value] if isinstance(value, str) else [v for v in value or [] if isinstance(v, str)])
    return found


def test_thousands_of_real_questions_come_through_unchanged() -> None:
    questions = _citizen_questions()
    assert len(questions) > 4000
    assert {q: mask_pii(q) for q in questions if mask_pii(q) != q} == {}
