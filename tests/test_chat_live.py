"""The chat gateway against the real stack (web app, Rasa server, action server) on loopback."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from tests.stack import Stack
from webchat.pii import ID_MASK, MOBILE_MASK
from webchat.staffqueries import recent_unanswered
from webchat.store import connect

pytestmark = pytest.mark.integration
SELF_ORIGIN = "http://127.0.0.1"


def chat(stack: Stack, message: str, session: str | None = None, **extra: str) -> dict[str, object]:
    body: dict[str, object] = {"message": message, **extra}
    if session:
        body["session"] = session
    reply = requests.post(stack.url + "/api/chat", json=body, timeout=30)
    assert reply.status_code == 200, reply.text
    data: dict[str, object] = reply.json()
    return data


def test_a_conversation_is_answered_stored_and_rated(live_stack: Stack) -> None:
    first = chat(live_stack, "毕业一年了还没找到工作，在广东有什么补贴")
    session = str(first["session"])
    messages = first["messages"]
    assert isinstance(messages, list) and messages
    assert all(m["id"] and isinstance(m["text"], str) for m in messages)
    assert any(m["buttons"] for m in messages), "the reply offers next steps as buttons"

    second = chat(live_stack, "灵活就业人员可以交养老保险吗", session)
    answer = second["messages"][0]  # type: ignore[index]
    assert answer["citations"], "a policy answer carries its sources"
    assert "12333" in answer["text"]

    history = requests.get(
        live_stack.url + "/api/chat/history", headers={"X-Policybot-Session": session}, timeout=10
    ).json()
    roles = [m["role"] for m in history["messages"]]
    assert roles[0] == "user" and roles.count("user") == 2 and "bot" in roles
    rated = requests.post(
        live_stack.url + "/api/feedback",
        json={"message_id": answer["id"], "rating": "down", "session": session},
        timeout=10,
    )
    assert rated.json() == {"ok": True}
    history = requests.get(
        live_stack.url + "/api/chat/history", headers={"X-Policybot-Session": session}, timeout=10
    ).json()
    assert next(m for m in history["messages"] if m["id"] == answer["id"])["feedback"] == "down"


def test_questions_without_a_reliable_answer_are_recorded(live_stack: Stack) -> None:
    reply = chat(live_stack, "北京的公积金贷款利率是多少")
    messages = reply["messages"]
    assert isinstance(messages, list)
    offered = " ".join(m["text"] + " ".join(b["title"] for b in m["buttons"]) for m in messages)
    assert "12333" in offered or "人工" in offered, "no wrong answer: a human is offered instead"
    engine = connect(f"sqlite:///{live_stack.workdir / 'var' / 'policybot.db'}")
    assert "北京的公积金贷款利率是多少" in [item.text for item in recent_unanswered(engine)]


def test_personal_numbers_never_reach_rasa_or_the_database(live_stack: Stack) -> None:
    raw_id, raw_mobile = "11010519491231002X", "13812345678"
    reply = chat(live_stack, f"我身份证{raw_id}，电话{raw_mobile}，想问创业担保贷款怎么申请")
    history = requests.get(
        live_stack.url + "/api/chat/history", headers={"X-Policybot-Session": str(reply["session"])}, timeout=10
    ).json()
    user_text = history["messages"][0]["text"]
    assert ID_MASK in user_text and MOBILE_MASK in user_text and raw_id not in user_text
    with sqlite3.connect(live_stack.tracker_db) as db:
        rows = [json.loads(row[0]) for row in db.execute("select data from events") if row[0]]
    events = " ".join(str(event.get("text") or "") for event in rows)
    assert ID_MASK in events
    assert raw_id not in events and raw_mobile not in events
    with sqlite3.connect(live_stack.workdir / "var" / "policybot.db") as db:
        stored = " ".join(row[0] for row in db.execute("select text from messages"))
    assert raw_id not in stored and raw_mobile not in stored


def test_the_personal_data_corpus_never_reaches_rasas_tracker_store(live_stack: Stack) -> None:
    """The 48 messages of tests/pii_corpus.py through the real gateway and the real Rasa: no variant is in
    any event Rasa stored (its JSON escapes Chinese, so each event is decoded first) nor in the app database."""
    from tests.pii_corpus import PERSONAL
    from tests.test_pii_storage import _leaks

    for message, _ in PERSONAL:
        chat(live_stack, message)
    with sqlite3.connect(live_stack.tracker_db) as db:
        events = [json.dumps(json.loads(row[0]), ensure_ascii=False) for row in db.execute("select data from events")]
    with sqlite3.connect(live_stack.workdir / "var" / "policybot.db") as db:
        stored = [row[0] for row in db.execute("select text from messages")]
    assert any("[姓名已隐藏]" in event for event in events), "the masked messages did reach Rasa"
    leaks = {
        secret for _, secrets in PERSONAL for secret in secrets if _leaks(secret, events) or _leaks(secret, stored)
    }
    assert leaks == set()
