"""Fuzzing every public endpoint with hypothesis (issue #8): arbitrary unicode (lone surrogates too),
huge strings, wrong JSON types, odd query strings (invalid UTF-8), odd headers and cookies.

What must hold for every request: never a 500; the JSON API answers JSON, and bad input gets a
Chinese ``error``; an HTML page never contains an injected payload unescaped. The real app (BM25-only
index over tmp copies of the seed documents) runs in the Flask test client with a stand-in for Rasa
that echoes the message, so the whole gateway path (masking, store, history) sees the fuzzed text.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from knowledge.facts import FACTS
from knowledge.settings import Settings
from tests.staffkit import AGENT, MAINTAINER, PASSWORD, login, make_app, make_settings
from webchat.botclient import BotReply, merge_reply
from webchat.chat import gateway_of
from webchat.staff import staff_store_of

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FEW = settings(FUZZ, max_examples=15)

CJK = re.compile(r"[\u4e00-\u9fff]")
# What an attacker puts in a parameter to get markup or script into a page.
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "{{7*7}}<b>粗体</b>",
    "javascript:alert(1)",
)

SCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
# Text of every kind: any code point including lone surrogates, control characters and NUL.
ANY_CHAR = st.characters(codec=None, exclude_categories=())
TEXT = st.text(ANY_CHAR, max_size=40) | st.text(max_size=600) | st.sampled_from(["", " ", "\x00", "\ud800", "é" * 5000])
# Text that survives UTF-8 encoding (query strings, form fields and paths are sent as UTF-8).
UTF8 = st.text(st.characters(codec="utf-8"), max_size=60) | st.sampled_from(["", "深圳", "毕业生补贴", "a" * 3000])
INJECTED = st.tuples(UTF8, st.sampled_from(PAYLOADS), UTF8).map(lambda t: "".join(t))
NUMBERS = st.integers() | st.floats() | st.sampled_from([10**400, -(10**400), 1e308, -0.0])
JSON_LEAF = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
# A raw query string: arbitrary bytes percent-encoded (invalid UTF-8 included), or bare odd characters.
RAW_VALUE = st.binary(max_size=40).map(lambda b: quote_from_bytes(b, safe="")) | st.sampled_from(
    ["%", "%zz", "&&", "=", "%00", "+"]
)
HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=200)


class EchoBot:
    """Stands in for Rasa: answers with the (already masked) message, a button and a citation."""

    def send(self, sender: str, text: str) -> BotReply:
        button = {"title": text[:20], "payload": "/" + text[:20]}
        return merge_reply(
            [
                {"recipient_id": sender, "text": f"您说：{text}", "buttons": [button]},
                {"custom": {"citations": [{"source": text[:10], "text": text}]}},
            ]
        )


LOGIN_FUZZER = "坐席-fuzz"


@pytest.fixture(scope="module")
def fuzz_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(
        tmp_path_factory.mktemp("fuzz"),
        chat={"session_limit": "100000 per minute", "ip_limit": "100000 per minute"},
        staff={"login_limit": "100000 per minute", "login_ip_limit": "100000 per minute"},
    )


@pytest.fixture(scope="module")
def app(fuzz_settings: Settings) -> Flask:
    app = make_app(fuzz_settings)
    gateway_of(app).bot = EchoBot()  # type: ignore[assignment]
    # test_login logs out, which ends every session of its account: not the one the console tests use
    staff_store_of(app).add_user(LOGIN_FUZZER, "agent", PASSWORD)
    return app


@pytest.fixture(scope="module")
def csrf_app(fuzz_settings: Settings, app: Flask) -> Flask:
    """The same knowledge base with CSRF checks on (``app`` built the index)."""
    return make_app(fuzz_settings, build=False, csrf=True)


@pytest.fixture(scope="module")
def agent(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, AGENT).status_code == 302
    return client


@pytest.fixture(scope="module")
def maintainer(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, MAINTAINER).status_code == 302
    return client


def check_redirect(reply: TestResponse) -> None:
    """A redirect stays on this site: a path, or this host (werkzeug's merging of ``//`` in a path)."""
    for location in reply.headers.getlist("Location"):
        parts = urlsplit(location)
        assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost") and "\\" not in location, location


def check_api(reply: TestResponse) -> Any:
    """No 500; JSON (or a redirect on this site); a Chinese ``error`` on every failure. Returns the body."""
    assert reply.status_code < 500 or reply.status_code == 503, reply.get_data(as_text=True)[:500]
    if reply.status_code in (301, 308):
        check_redirect(reply)
        return None
    assert reply.is_json, (reply.status_code, reply.content_type)
    body = reply.get_json()
    if reply.status_code >= 400:
        assert isinstance(body, dict) and isinstance(body.get("error"), str), body
        assert CJK.search(body["error"]), body
    return body


def check_page(reply: TestResponse, *injected: str) -> str:
    """No 500; none of the injected payloads appears raw in an HTML answer. Returns the body."""
    assert reply.status_code < 500, reply.get_data(as_text=True)[:500]
    text = reply.get_data(as_text=True)
    if reply.mimetype == "text/html":
        for value in injected:
            for payload in PAYLOADS:
                if payload in value and not payload.startswith("javascript:"):
                    assert payload not in text, (payload, reply.request.path)
        assert not SCRIPT_URL.search(text), reply.request.path
    check_redirect(reply)
    return text


# ----- the JSON API ------------------------------------------------------------------------------------


@FUZZ
@given(q=TEXT.filter(lambda s: "\x00" not in s) | INJECTED, k=TEXT | st.integers().map(str), region=TEXT)
def test_search(app: Flask, q: str, k: str, region: str) -> None:
    query = "&".join(
        f"{n}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for n, v in (("q", q), ("k", k), ("region", region))
    )
    check_api(app.test_client().get("/api/search?" + query))


@FUZZ
@given(
    pairs=st.lists(st.tuples(st.sampled_from(["q", "k", "region", "session", "category", ""]), RAW_VALUE), max_size=6)
)
def test_odd_query_strings(app: Flask, pairs: list[tuple[str, str]]) -> None:
    query = "&".join(f"{n}={v}" for n, v in pairs)
    client = app.test_client()
    for path in ("/api/search", "/api/policies", "/api/chat/history", "/healthz"):
        check_api(client.get(f"{path}?{query}"))
    check_page(client.get(f"/?{query}"))
    check_page(client.get(f"/login?{query}"))


@FUZZ
@given(body=JSON, message=TEXT | JSON, session=TEXT | JSON, display=TEXT | JSON)
def test_chat(app: Flask, body: Any, message: Any, session: Any, display: Any) -> None:
    client = app.test_client()
    check_api(client.post("/api/chat", data=json.dumps(body), content_type="application/json"))
    shaped = {"message": message, "session": session, "display": display}
    reply = check_api(client.post("/api/chat", data=json.dumps(shaped), content_type="application/json"))
    if isinstance(reply, dict) and reply.get("messages"):
        token = reply["session"]
        history = check_api(client.get("/api/chat/history", headers={"X-Policybot-Session": token}))
        assert history["messages"], history
        message_id = reply["messages"][0]["id"]
        check_api(client.post("/api/feedback", json={"message_id": message_id, "rating": "down", "session": token}))


@FEW
@given(
    raw=st.binary(max_size=300),
    content_type=st.sampled_from(
        [
            "application/json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/json; charset=gbk",
            "",
        ]
    ),
)
def test_raw_bodies(app: Flask, raw: bytes, content_type: str) -> None:
    client = app.test_client()
    for path in ("/api/chat", "/api/chat/new", "/api/feedback", "/api/eligibility"):
        check_api(client.post(path, data=raw, content_type=content_type))


@FUZZ
@given(body=JSON, message_id=TEXT | JSON, rating=TEXT | JSON, session=TEXT | JSON)
def test_feedback_and_new(app: Flask, body: Any, message_id: Any, rating: Any, session: Any) -> None:
    client = app.test_client()
    check_api(client.post("/api/feedback", data=json.dumps(body), content_type="application/json"))
    shaped = {"message_id": message_id, "rating": rating, "session": session}
    check_api(client.post("/api/feedback", data=json.dumps(shaped), content_type="application/json"))
    check_api(client.post("/api/chat/new", data=json.dumps(body), content_type="application/json"))


FACT_NAMES = st.sampled_from(sorted(FACTS)) | TEXT


@FUZZ
@given(
    facts=st.dictionaries(FACT_NAMES, JSON, max_size=6) | JSON,
    skip=JSON | st.lists(FACT_NAMES, max_size=4),
    body=JSON,
)
def test_eligibility(app: Flask, facts: Any, skip: Any, body: Any) -> None:
    client = app.test_client()
    check_api(
        client.post(
            "/api/eligibility", data=json.dumps({"facts": facts, "skip": skip}), content_type="application/json"
        )
    )
    check_api(client.post("/api/eligibility", data=json.dumps(body), content_type="application/json"))


@FUZZ
@given(policy_id=UTF8 | INJECTED, category=UTF8, region=UTF8)
def test_policies(app: Flask, policy_id: str, category: str, region: str) -> None:
    client = app.test_client()
    check_api(client.get("/api/policies", query_string={"category": category, "region": region}))
    check_api(client.get("/api/policies/" + quote(policy_id, safe="")))


@FUZZ
@given(
    origin=HEADER_VALUE,
    referer=HEADER_VALUE,
    cookie=HEADER_VALUE,
    accept=HEADER_VALUE | st.sampled_from(["application/json", "text/html", "*/*;q=x"]),
    forwarded=HEADER_VALUE,
    language=HEADER_VALUE,
)
def test_odd_headers(
    app: Flask, origin: str, referer: str, cookie: str, accept: str, forwarded: str, language: str
) -> None:
    headers = {
        "Origin": origin,
        "Referer": referer,
        "Cookie": f"pb_session={cookie}; policybot_staff={cookie}",
        "Accept": accept,
        "X-Forwarded-For": forwarded,
        "Accept-Language": language,
    }
    client = app.test_client()
    check_api(client.get("/api/search", query_string={"q": "创业担保贷款"}, headers=headers))
    check_api(client.post("/api/chat", json={"message": "你好"}, headers=headers))
    assert client.options("/api/chat", headers=headers).status_code in (200, 204)  # preflight: empty answer
    check_api(client.get("/api/chat/history", headers=headers))
    check_api(client.get("/healthz", headers=headers))
    check_page(client.get("/", headers=headers))
    assert client.get("/console/", headers=headers).status_code in (302, 401)  # to the login page, or JSON 401


@FUZZ
@given(
    path=UTF8
    | INJECTED
    | st.sampled_from(["../../config.yml", "..%2f..%2fconfig.yml", "%00", "widget.js%00.html", "//evil.example"])
)
def test_any_path(app: Flask, path: str) -> None:
    client = app.test_client()
    encoded = quote(path.lstrip("/"), safe="/%")  # "//x" would be a host to the test client
    for prefix in ("/", "/api/", "/static/", "/console/", "/admin/uploads/"):
        reply = client.get(prefix + encoded)
        if reply.is_json and prefix != "/console/":
            check_api(reply)
        else:
            check_page(reply, path)
        reply.close()
    # the raw path as a server hands it over (WSGI: UTF-8 bytes as latin-1), "//host…" included
    raw = ("/" + path).encode("utf-8").decode("latin-1")
    reply = client.get("/", environ_overrides={"PATH_INFO": raw})
    if reply.is_json:
        check_api(reply)
    else:
        check_page(reply, path)
    reply.close()


# ----- the staff pages (login, console, admin) ---------------------------------------------------------


@FEW
@given(
    username=UTF8 | INJECTED,
    password=UTF8,
    next_url=INJECTED
    | UTF8
    | st.sampled_from(
        ["//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "/console/?q=<script>"]
    ),
)
def test_login(app: Flask, username: str, password: str, next_url: str) -> None:
    client = app.test_client()
    check_page(client.get("/login", query_string={"next": next_url}), next_url)
    check_page(
        client.post("/login", data={"username": username, "password": password, "next": next_url}), username, next_url
    )
    reply = check_page(client.post("/login", data={"username": LOGIN_FUZZER, "password": PASSWORD, "next": next_url}))
    assert reply is not None  # the redirect stays on this site (checked in check_page)
    check_page(client.post("/logout"))


@FEW
@given(token=HEADER_VALUE, username=UTF8)
def test_login_with_bad_csrf_token(csrf_app: Flask, token: str, username: str) -> None:
    reply = csrf_app.test_client().post("/login", data={"username": username, "password": "x", "csrf_token": token})
    assert reply.status_code == 400
    assert "安全令牌" in check_page(reply, username)


@FUZZ
@given(q=INJECTED | UTF8, region=INJECTED | UTF8, doc=INJECTED | UTF8, period=INJECTED | UTF8)
def test_console_search(agent: FlaskClient, q: str, region: str, doc: str, period: str) -> None:
    reply = agent.get("/console/", query_string={"q": q, "region": region, "doc": doc, "period": period})
    assert reply.status_code == 200
    check_page(reply, q, region, doc, period)


@FUZZ
@given(
    form=st.dictionaries(
        FACT_NAMES.filter(lambda s: "\x00" not in s) | st.just("groups"),
        st.lists(INJECTED | UTF8, max_size=3),
        max_size=8,
    )
)
def test_console_eligibility(agent: FlaskClient, form: dict[str, list[str]]) -> None:
    clean = {k.encode("utf-8", "replace").decode("utf-8"): v for k, v in form.items()}
    reply = agent.post("/console/eligibility", data=clean)
    assert reply.status_code == 200
    check_page(reply, *[v for values in clean.values() for v in values])


@FEW
@given(
    batch_id=UTF8 | INJECTED,
    version=(UTF8 | INJECTED).filter(bool),
    source=UTF8 | INJECTED,
    what=UTF8.filter(lambda s: s not in ("lexicon", "catalogue")),
)
def test_admin(maintainer: FlaskClient, batch_id: str, version: str, source: str, what: str) -> None:
    """Maintainer forms with names that do not exist: refused, nothing changes, nothing echoed raw."""
    quoted = quote(batch_id, safe="")
    check_page(maintainer.get(f"/admin/uploads/{quoted}"), batch_id)
    check_page(maintainer.post(f"/admin/uploads/{quoted}/meta", data={"key": source, "title": version}), batch_id)
    check_page(maintainer.post(f"/admin/uploads/{quoted}/discard"), batch_id)
    check_page(maintainer.post(f"/admin/uploads/{quoted}/publish"), batch_id)
    check_page(maintainer.post("/admin/rollback", data={"version": version}), version)
    check_page(maintainer.post("/admin/documents/remove", data={"source": source}), source)
    check_page(maintainer.post(f"/admin/reload/{quote(what, safe='')}"), what)
    page = check_page(maintainer.get("/admin/"), version, source)  # the flashed refusals, escaped
    assert "重建索引" in page


# ----- huge inputs and the bot's own output ---------------------------------------------------------------


def test_huge_inputs(app: Flask) -> None:
    client = app.test_client()
    huge = "补" * 2_000_000
    reply = client.post("/api/chat", json={"message": huge})
    assert reply.status_code == 413
    check_api(reply)
    assert check_api(client.post("/api/chat", json={"message": "补" * 501}))["error"].startswith("消息太长")
    assert client.get("/api/search", query_string={"q": "补" * 100_000}).status_code == 400
    check_api(client.get("/api/search", query_string={"q": "补" * 100_000}))
    check_api(client.post("/api/eligibility", json={"facts": {"groups": ["graduate"] * 50_000}}))
    nested = "[" * 5000 + "]" * 5000
    check_api(client.post("/api/eligibility", data='{"facts": ' + nested + "}", content_type="application/json"))
    check_api(
        client.post(
            "/api/chat", data='{"message": ' + "[" * 100_000 + "]" * 100_000 + "}", content_type="application/json"
        )
    )


@FUZZ
@given(raw=st.lists(JSON, max_size=5))
def test_merge_reply_takes_any_rasa_output(raw: list[Any]) -> None:
    reply = merge_reply(raw)
    for message in reply.messages:
        assert isinstance(message["text"], str)
        assert all(isinstance(b["title"], str) and isinstance(b["payload"], str) for b in message["buttons"])
        assert all(set(c) == {"source", "text"} for c in message["citations"])
