"""The chat gateway through the Flask test client: input rules, sessions, cross-site, limits, Rasa down."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from knowledge.settings import load_settings
from retrieval.service import RetrievalService
from webchat.app import create_app
from webchat.chat import UNAVAILABLE
from webchat.crosssite import REFUSED
from webchat.sessions import COOKIE

ROOT = Path(__file__).resolve().parent.parent
DEAD = "http://127.0.0.1:9"  # nothing listens on the discard port: Rasa is "down"
SELF = {"Origin": "http://localhost"}


def make_app(tmp: Path, web: dict[str, Any] | None = None, **chat: Any) -> Flask:
    settings = load_settings(
        ROOT / "config.yml",
        paths={"index_root": str(tmp / "index"), "var": str(tmp / "var")},
        index={"dense": False},
        web={
            "rasa_url": DEAD,
            "actions_url": DEAD,
            "health_timeout_s": 0.2,
            "allowed_origins": ["https://rs.example.gov.cn"],
            **(web or {}),
        },
        chat={"timeout_s": 2, **chat},
    )
    if not (tmp / "index").exists():
        RetrievalService.from_settings(settings).build()
    return create_app(settings, {"TESTING": True})


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a built index, which apps with other settings share (each app has its own limiter)."""
    return tmp_path_factory.mktemp("chat")


@pytest.fixture(scope="module")
def app(kb: Path) -> Flask:
    return make_app(kb)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"message": ""}, "请输入"),
        ({"message": "   \n "}, "请输入"),
        ({}, "请输入"),
        ({"message": "问" * 501}, "500字以内"),
        ({"message": 12333}, "必须是文字"),
        ({"message": ["毕业生补贴"]}, "必须是文字"),
        ({"message": {"text": "hi"}}, "必须是文字"),
    ],
)
def test_bad_messages_get_a_clear_chinese_error(client: FlaskClient, body: dict[str, Any], fragment: str) -> None:
    reply = client.post("/api/chat", json=body, headers=SELF)
    assert reply.status_code == 400
    assert fragment in reply.get_json()["error"]


def test_a_body_that_is_not_json_is_refused(client: FlaskClient) -> None:
    reply = client.post(
        "/api/chat", data="message=你好", content_type="application/x-www-form-urlencoded", headers=SELF
    )
    assert reply.status_code == 400
    assert "JSON" in reply.get_json()["error"]


def test_rasa_down_gives_a_friendly_503_quickly_and_health_says_degraded(client: FlaskClient) -> None:
    started = time.monotonic()
    reply = client.post("/api/chat", json={"message": "灵活就业怎么交社保"}, headers=SELF)
    elapsed = time.monotonic() - started
    assert reply.status_code == 503
    assert reply.get_json()["error"] == UNAVAILABLE
    assert elapsed < 5
    health = client.get("/healthz").get_json()
    assert health["status"] == "degraded" and health["bot"] == "down"


def test_cross_site_posts_are_refused(client: FlaskClient) -> None:
    for headers in (
        {"Origin": "https://evil.example.com"},
        {"Origin": "null"},
        {"Referer": "https://evil.example.com/page.html"},
    ):
        reply = client.post("/api/chat", json={"message": "你好"}, headers=headers)
        assert reply.status_code == 403, headers
        assert reply.get_json()["error"] == REFUSED
    feedback = client.post(
        "/api/feedback", json={"message_id": "x", "rating": "up"}, headers={"Origin": "https://evil.example.com"}
    )
    assert feedback.status_code == 403


def test_same_site_and_allowed_sites_pass_with_cors(client: FlaskClient) -> None:
    own = client.post("/api/chat/new", json={}, headers=SELF)
    assert own.status_code == 200
    assert "Access-Control-Allow-Origin" not in own.headers
    allowed = {"Origin": "https://rs.example.gov.cn"}
    preflight = client.options("/api/chat", headers={**allowed, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://rs.example.gov.cn"
    reply = client.post("/api/chat/new", json={}, headers=allowed)
    assert reply.status_code == 200
    assert reply.headers["Access-Control-Allow-Credentials"] == "true"


def test_sessions_are_server_issued_and_kept_in_an_httponly_cookie(client: FlaskClient) -> None:
    reply = client.post("/api/chat/new", json={}, headers=SELF)
    token = reply.get_json()["session"]
    cookie = reply.headers["Set-Cookie"]
    assert f"{COOKIE}={token}" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/api/chat/history", headers={"X-Policybot-Session": token}).get_json()["session"] == token
    forged = token.split(".")[0] + ".forged-signature"
    assert client.get("/api/chat/history", headers={"X-Policybot-Session": forged}).get_json() == {
        "session": None,
        "messages": [],
    }
    made_up = client.post(
        "/api/feedback", json={"message_id": "m1", "rating": "up", "session": "made-up"}, headers=SELF
    )
    assert made_up.status_code == 400 and "会话" in made_up.get_json()["error"]


def test_a_forged_session_in_the_body_starts_a_new_conversation(client: FlaskClient) -> None:
    reply = client.post("/api/chat", json={"message": "你好", "session": "abc.def"}, headers=SELF)
    # Rasa is down here, but the reply still carries a genuine new session, not the forged one.
    assert reply.get_json()["session"] != "abc.def"
    assert reply.get_json()["session"].count(".") == 2  # id.timestamp.signature


def test_feedback_needs_a_valid_rating_and_a_message_of_this_conversation(client: FlaskClient) -> None:
    token = client.post("/api/chat/new", json={}, headers=SELF).get_json()["session"]
    bad = client.post("/api/feedback", json={"message_id": "m1", "rating": "great", "session": token}, headers=SELF)
    assert bad.status_code == 400 and "up" in bad.get_json()["error"]
    missing = client.post("/api/feedback", json={"message_id": "nope", "rating": "up", "session": token}, headers=SELF)
    assert missing.status_code == 404


def test_rate_limits_per_session_and_per_address(tmp_path: Path) -> None:
    limited = make_app(tmp_path, session_limit="3 per minute", ip_limit="5 per minute")
    with limited.test_client() as client:
        token = client.post("/api/chat/new", json={}, headers=SELF).get_json()["session"]
        codes = [
            client.post("/api/chat", json={"message": "", "session": token}, headers=SELF).status_code for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        over = client.post("/api/chat", json={"message": "", "session": token}, headers=SELF)
        assert over.status_code == 429
        assert re.fullmatch(r"您发送得太频繁了，请(\d+)秒后再试。", over.get_json()["error"]), over.get_json()
        wait = int(re.findall(r"\d+", over.get_json()["error"])[0])
        assert 1 <= wait <= 61  # the oldest of the three messages leaves the minute's window then
        # Fresh sessions from the same address still run into the per-address limit (5 per minute and
        # endpoint: the first /api/chat/new above counted too).
        client.delete_cookie(COOKIE)
        statuses = [client.post("/api/chat/new", json={}, headers=SELF).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


def test_many_citizens_behind_one_address_each_get_their_own_budget(kb: Path) -> None:
    """A school or a 人社 service hall: 40 citizens behind one NAT start a conversation and ask 3 questions
    each within a minute (the default limits; was refused after 20 new conversations)."""
    app = make_app(kb)
    statuses = []
    for _ in range(40):
        with app.test_client() as citizen:  # same address (127.0.0.1), own browser
            token = citizen.post("/api/chat/new", json={}, headers=SELF)
            statuses.append(token.status_code)
            for _ in range(3):
                body = {"message": "", "session": token.get_json().get("session")}
                statuses.append(citizen.post("/api/chat", json=body, headers=SELF).status_code)
    assert set(statuses) == {200, 400}, sorted(set(statuses))  # 400: an empty message, never a 429
    with app.test_client() as one:  # one conversation still has its own limit (20 per minute)
        token = one.post("/api/chat/new", json={}, headers=SELF).get_json()["session"]
        codes = [
            one.post("/api/chat", json={"message": "", "session": token}, headers=SELF).status_code for _ in range(21)
        ]
        assert codes[:20] == [400] * 20 and codes[20] == 429


def test_session_tokens_expire_and_never_travel_in_urls(kb: Path) -> None:
    app = make_app(kb, session_hours=0.001)  # 3.6 seconds
    client = app.test_client()
    reply = client.post("/api/chat/new", json={}, headers=SELF)
    token = reply.get_json()["session"]
    assert "Max-Age=3;" in reply.headers["Set-Cookie"]  # was 30 days
    client.delete_cookie(COOKIE)
    header = {"X-Policybot-Session": token}
    assert client.get("/api/chat/history", headers=header).get_json()["session"] == token
    in_url = client.get("/api/chat/history", query_string={"session": token}).get_json()
    assert in_url == {"session": None, "messages": []}  # was accepted: the token sat in URLs and logs
    time.sleep(4)
    assert client.get("/api/chat/history", headers=header).get_json()["session"] is None  # was accepted forever
    feedback = client.post("/api/feedback", json={"message_id": "m1", "rating": "up", "session": token}, headers=SELF)
    assert feedback.status_code == 400 and "会话已失效" in feedback.get_json()["error"]
    assert make_app(kb).extensions["policybot.chat"].signer.max_age_s == 24 * 3600  # the default


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/search", {"query_string": {"q": "创业担保贷款"}}),
        ("post", "/api/eligibility", {"json": {"facts": {}}}),
        ("post", "/api/answer", {"json": {"question": "创业担保贷款"}}),
        ("get", "/api/policies", {}),
        ("get", "/api/policies/job-search-subsidy", {}),
        ("get", "/api/contact", {}),
        ("get", "/healthz", {}),
    ],
)
def test_public_endpoints_are_rate_limited_per_address(
    kb: Path, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    app = make_app(kb, web={"api_limit": "3 per minute", "health_limit": "3 per minute"})
    citizen = app.test_client()
    citizen.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    codes = [getattr(citizen, method)(path, **kwargs).status_code for _ in range(4)]
    assert codes[:3] != [429] * 3 and codes[3] == 429, codes  # was never limited
    assert "秒后再试" in getattr(citizen, method)(path, **kwargs).get_json()["error"]
    action_server = app.test_client()  # loopback: web.ratelimit_exempt
    assert 429 not in [getattr(action_server, method)(path, **kwargs).status_code for _ in range(5)]


def test_wait_text() -> None:
    from webchat.limits import wait_text

    assert [wait_text(s) for s in (0.2, 59.1, 119, 120, 3599, 7200, 86_000)] == [
        "1秒",
        "60秒",
        "119秒",
        "2分钟",
        "60分钟",
        "2小时",
        "24小时",
    ]
