"""Security headers (webchat/security.py) on the citizen page, the API, the console, the admin and the
static widget; pages with no inline script or style (what the CSP forbids); a real Chromium showing the
widget and the staff pages under the CSP without a single violation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from knowledge.settings import Settings
from tests.staffkit import AGENT, MAINTAINER, login, make_app, make_settings, serving
from webchat.botclient import BotReply
from webchat.chat import gateway_of, storable
from webchat.security import frame_sources, kind_of

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "webchat" / "static"
HOST_SITE = "https://www.example.gov.cn"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()",
}


@pytest.fixture(scope="module")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("security"), staff={"login_limit": "1000 per minute"})


@pytest.fixture(scope="module")
def app(base_settings: Settings) -> Flask:
    return make_app(base_settings)


def _variant(settings: Settings, **web: object) -> Flask:
    """The same knowledge base and index with other ``web`` settings."""
    return make_app(settings.model_copy(update={"web": settings.web.model_copy(update=web)}), build=False)


@pytest.fixture(scope="module")
def embedding_app(base_settings: Settings) -> Flask:
    """A deployment behind HTTPS whose widget is embedded by a 人社 site."""
    return _variant(base_settings, allowed_origins=[HOST_SITE, "*", "https://bad.example/path"], cookie_secure=True)


def _csp(response: TestResponse) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = [d.strip().split(None, 1) for d in policy.split(";") if d.strip()]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def _assert_common(response: TestResponse) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    assert "Strict-Transport-Security" not in response.headers


def _assert_page_policy(csp: dict[str, str]) -> None:
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["connect-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert not any("unsafe" in v for v in csp.values()), csp


def _assert_staff(response: TestResponse) -> None:
    _assert_common(response)
    csp = _csp(response)
    if response.mimetype == "text/html":
        _assert_page_policy(csp)
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def _assert_api(response: TestResponse) -> None:
    _assert_common(response)
    csp = _csp(response)
    assert csp["default-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_citizen_page(app: Flask) -> None:
    reply = app.test_client().get("/")
    assert reply.status_code == 200
    _assert_common(reply)
    csp = _csp(reply)
    _assert_page_policy(csp)
    assert csp["frame-ancestors"] == "'self'"
    assert reply.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert reply.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert reply.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "no-store" not in reply.headers.get("Cache-Control", "")  # nothing personal on the demo page


def test_citizen_page_framable_only_by_allowed_origins_and_hsts_behind_https(embedding_app: Flask) -> None:
    reply = embedding_app.test_client().get("/")
    csp = _csp(reply)
    # the malformed entries ("*", an address with a path) are left out rather than widening the policy
    assert csp["frame-ancestors"] == f"'self' {HOST_SITE}"
    assert "X-Frame-Options" not in reply.headers  # it cannot name the host site: CSP alone decides
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    staff = embedding_app.test_client().get("/login")
    assert _csp(staff)["frame-ancestors"] == "'none'"
    assert staff.headers["X-Frame-Options"] == "DENY"
    assert staff.headers["Strict-Transport-Security"].startswith("max-age=")
    api = embedding_app.test_client().get(
        "/api/search", query_string={"q": "创业担保贷款"}, headers={"Origin": HOST_SITE}
    )
    assert api.headers["Access-Control-Allow-Origin"] == HOST_SITE  # CORS for the embedding site still works
    assert _csp(api)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/search", {"query_string": {"q": "毕业生求职创业补贴", "k": "3"}}, 200),
        ("get", "/api/search", {"query_string": {"q": "补贴", "k": "abc"}}, 400),
        ("get", "/api/policies", {}, 200),
        ("get", "/api/policies/internship-subsidy-gd", {}, 200),
        ("post", "/api/eligibility", {"json": {"facts": {"region": "深圳", "groups": ["graduate"]}}}, 200),
        ("get", "/api/chat/history", {}, 200),
        ("post", "/api/chat/new", {}, 200),
        ("post", "/api/chat", {"json": {"message": "你好"}}, 503),  # Rasa is not running in this test
        ("post", "/api/chat", {"data": "not json"}, 400),
        ("post", "/api/feedback", {"json": {"rating": "up"}}, 400),
        ("post", "/api/chat", {"json": {"message": "你好"}, "headers": {"Origin": "https://evil.example"}}, 403),
        ("get", "/api/nothing-here", {}, 404),
    ],
)
def test_api(app: Flask, method: str, path: str, kwargs: dict[str, object], status: int) -> None:
    reply = getattr(app.test_client(), method)(path, **kwargs)
    assert reply.status_code == status
    assert reply.is_json
    _assert_api(reply)


def test_healthz_and_unknown_paths(app: Flask) -> None:
    health = app.test_client().get("/healthz")
    _assert_common(health)
    assert _csp(health)["default-src"] == "'none'"
    assert health.headers["X-Frame-Options"] == "DENY"
    assert health.headers["Cache-Control"] == "no-store"  # a proxy must never answer for the service
    missing = app.test_client().get("/no/such/page")
    assert missing.status_code == 404
    _assert_common(missing)
    assert _csp(missing)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/login", "/console/", "/console/eligibility", "/console/unanswered", "/admin/"])
def test_staff_pages_anonymous(app: Flask, path: str) -> None:
    reply = app.test_client().get(path)
    assert reply.status_code == (200 if path == "/login" else 302)
    _assert_staff(reply)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        (AGENT, "/console/"),
        (AGENT, "/console/?q=%E5%88%9B%E4%B8%9A%E6%8B%85%E4%BF%9D%E8%B4%B7%E6%AC%BE"),
        (AGENT, "/console/eligibility"),
        (AGENT, "/console/unanswered"),
        (AGENT, "/console/feedback"),
        (AGENT, "/admin/"),  # the wrong role: the Chinese 403 page
        (MAINTAINER, "/admin/"),
        (MAINTAINER, "/admin/status.json"),
    ],
)
def test_staff_pages_logged_in(app: Flask, who: str, path: str) -> None:
    client = app.test_client()
    assert login(client, who).status_code == 302
    reply = client.get(path)
    assert reply.status_code == (403 if (who, path) == (AGENT, "/admin/") else 200)
    _assert_staff(reply)


def test_static_widget(app: Flask) -> None:
    client = app.test_client()
    for name, mimetype in [("widget.js", "text/javascript"), ("widget.css", "text/css"), ("demo.css", "text/css")]:
        reply = client.get(f"/static/{name}")
        assert reply.status_code == 200
        assert reply.mimetype == mimetype  # nosniff: a wrong type would stop the script on every host site
        _assert_common(reply)
        assert reply.headers["Cross-Origin-Resource-Policy"] == "cross-origin"  # loaded by other sites
        assert "no-store" not in reply.headers.get("Cache-Control", "")
        reply.close()


def test_kind_of_and_frame_sources() -> None:
    assert kind_of("/console", "text/html") == kind_of("/admin/uploads/x", "text/html") == "staff"
    assert kind_of("/login", "text/html") == kind_of("/logout", "text/html") == "staff"
    assert kind_of("/consoles", "text/html") == "citizen"
    assert kind_of("/api/chat", "application/json") == "api"
    assert kind_of("/apix", "application/json") == "other"
    assert kind_of("/static/widget.js", "text/javascript") == "other"
    assert frame_sources(
        ["https://A.example.gov.cn/", "http://localhost:8080", "*", "https://x.cn/p", "https://x.cn; script-src *"]
    ) == ["http://localhost:8080", "https://a.example.gov.cn"]


# ----- no inline script or style anywhere (what the CSP forbids) -------------------------------------


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "link" and ("rel", "stylesheet") in attrs and not (dict(attrs).get("href") or "").startswith("/"):
            self.problems.append(f"stylesheet from elsewhere: {dict(attrs).get('href')}")
        self.problems += [f"<{tag} {name}=…>" for name in names if name == "style" or name.startswith("on")]
        urls = [v for _, v in attrs if v and v.strip().lower().startswith("javascript:")]
        self.problems += [f"javascript: URL in <{tag}>" for _ in urls]


def _inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.problems


def test_pages_have_no_inline_script_or_style(app: Flask) -> None:
    pages = {"/": app.test_client(), "/login": app.test_client()}
    agent, maintainer = app.test_client(), app.test_client()
    login(agent, AGENT)
    login(maintainer, MAINTAINER)
    for path in ["/console/?q=创业担保贷款", "/console/eligibility", "/console/unanswered", "/console/feedback"]:
        pages[path] = agent
    pages["/admin/"] = maintainer
    for path, client in pages.items():
        reply = client.get(path)
        assert reply.status_code == 200, path
        assert _inline_problems(reply.get_data(as_text=True)) == [], path
    checker = agent.post("/console/eligibility", data={"region": "深圳", "groups": "graduate"})
    assert _inline_problems(checker.get_data(as_text=True)) == []


def test_static_scripts_need_no_unsafe_inline_or_eval() -> None:
    for name in ("widget.js", "console.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        source = re.sub(r"(^|\s)//[^\n]*", "", re.sub(r"/\*.*?\*/", "", source, flags=re.S))  # code, not comments
        unsafe = r"\beval\s*\(|new Function\s*\(|innerHTML|insertAdjacentHTML|document\.write"
        assert not re.search(unsafe, source), name
        # a style attribute set from script is refused by style-src 'self'; element.style (CSSOM) is allowed
        assert not re.search(r"""setAttribute\(\s*['"]style|\bstyle\s*:\s*['"]""", source), name


# ----- the real thing: headless Chromium, CSP violations recorded from the first byte ----------------

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  var where = (e.sourceFile || '') + ':' + e.lineNumber;
  window.__csp.push([e.violatedDirective, e.blockedURI || 'inline', where].join(' '));
});
"""


@pytest.fixture
def server(base_settings: Settings, app: Flask) -> Iterator[str]:
    """The app (CSRF on) on a loopback port; ``app`` has built the index."""
    with serving(make_app(base_settings, build=False, csrf=True)) as url:
        yield url


@pytest.mark.browser
@pytest.mark.slow
def test_widget_and_staff_pages_run_under_the_csp_in_chromium(server: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.conftest import PAGE_CHANGING, make_driver
    from tests.staffkit import PASSWORD

    driver = make_driver(1280, 900)
    wait = WebDriverWait(driver, 30, ignored_exceptions=PAGE_CHANGING)  # the login redirect replaces the page
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_VIOLATIONS})
        driver.get(server + "/")
        launcher = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=launcher]"))
        wait.until(lambda d: launcher.is_displayed())  # hidden until widget.css has loaded
        style = "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]"
        assert driver.execute_script(style, ".pb-launcher", "position") == "fixed"  # widget.css applies
        launcher.click()
        box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".pb-root textarea"))
        box.send_keys("毕业生有什么补贴", Keys.ENTER)
        # Rasa is not running: the friendly message comes back through fetch (connect-src 'self')
        wait.until(lambda d: "查询服务暂时不可用" in d.find_element(By.CSS_SELECTOR, ".pb-root").text)
        assert driver.execute_script("return window.__csp") == []

        driver.get(server + "/admin/")
        wait.until(lambda d: "/login" in d.current_url)
        driver.find_element(By.NAME, "username").send_keys(MAINTAINER)
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait.until(lambda d: "知识库管理" in d.find_element(By.TAG_NAME, "h1").text)
        assert driver.execute_script(style, "header.bar", "display") == "flex"  # console.css applies
        # the remove button still asks first (data-confirm in console.js, no inline onsubmit)
        driver.find_element(By.CSS_SELECTOR, "form[data-confirm] button.danger").click()
        alert = wait.until(lambda d: d.switch_to.alert)
        assert "确定从知识库删除" in alert.text
        alert.dismiss()
        assert driver.current_url.endswith("/admin/")
        driver.get(server + "/console/?q=创业担保贷款")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "button.copy"))
        assert driver.execute_script("return window.__csp") == []
    finally:
        driver.quit()


# ----- hostile input: regressions of what tests/test_fuzz.py found ----------------------------------------


class _EchoBot:
    def send(self, sender: str, text: str) -> BotReply:
        return BotReply([{"text": f"您说：{text}", "buttons": [], "citations": []}], unanswered=False)


@pytest.fixture(scope="module")
def echo_app(base_settings: Settings, app: Flask) -> Flask:
    """The app with a stand-in for Rasa that echoes the message (``app`` has built the index)."""
    variant = _variant(base_settings)
    gateway_of(variant).bot = _EchoBot()  # type: ignore[assignment]
    return variant


def _post(client: FlaskClient, path: str, body: object) -> TestResponse:
    """POST JSON as a client may write it: ``\\ud800`` escapes (lone surrogates) are valid JSON."""
    return client.post(path, data=json.dumps(body, ensure_ascii=True), content_type="application/json")


def _chinese_error(reply: TestResponse, status: int) -> str:
    assert reply.status_code == status, reply.get_data(as_text=True)
    error = reply.get_json()["error"]
    assert re.search(r"[\u4e00-\u9fff]", error), error
    return str(error)


def test_lone_surrogates_and_control_characters_in_chat(echo_app: Flask) -> None:
    client = echo_app.test_client()
    reply = _post(client, "/api/chat", {"message": "你好\ud800\x00吗\x07", "session": "\udc00x"})
    assert reply.status_code == 200  # was a 500: neither the token nor the text could be encoded
    token = reply.get_json()["session"]
    assert reply.get_json()["messages"][0]["text"] == "您说：你好\ufffd吗"
    history = client.get("/api/chat/history", headers={"X-Policybot-Session": token}).get_json()["messages"]
    assert [m["text"] for m in history] == ["你好\ufffd吗", "您说：你好\ufffd吗"]
    assert _chinese_error(_post(client, "/api/chat", {"message": "\x00\x01 "}), 400) == "请输入您想咨询的问题。"
    feedback = {"message_id": "\ud800", "rating": "up", "session": token}
    assert "找不到" in _chinese_error(_post(client, "/api/feedback", feedback), 404)
    assert storable("a\ud800b\x00c\td\ne\x7f") == "a\ufffdbc\td\ne"


def test_eligibility_skip_and_odd_fact_names(app: Flask) -> None:
    client = app.test_client()
    error = _chinese_error(_post(client, "/api/eligibility", {"facts": {}, "skip": [[]]}), 400)  # was a 500
    assert error.startswith("skip")
    error = _chinese_error(_post(client, "/api/eligibility", {"facts": {"\ud800": 1}}), 400)  # was a 500
    assert error.startswith("\ufffd")


@pytest.mark.parametrize("path", ["/api/chat", "/api/feedback", "/api/eligibility", "/api/chat/new"])
def test_deeply_nested_json_is_bad_json(app: Flask, path: str) -> None:
    nested = '{"message": ' + "[" * 100_000 + "]" * 100_000 + "}"  # 200 kB; was a RecursionError (500)
    reply = app.test_client().post(path, data=nested, content_type="application/json")
    if path == "/api/chat/new":
        assert reply.status_code == 200  # it reads no body: a new conversation
    else:
        _chinese_error(reply, 400)
    assert app.json.ensure_ascii is False  # type: ignore[attr-defined]  # the app's JSON options are kept


def test_rate_limit_key_of_a_malformed_token_is_the_address(app: Flask) -> None:
    from webchat.limits import session_key
    from webchat.sessions import HEADER

    for token in ("\ud800", "x" * 100_000, "令牌", "abc.def"):
        body = json.dumps({"message": "你好", "session": token}, ensure_ascii=True)
        with app.test_request_context("/api/chat", method="POST", data=body, content_type="application/json"):
            key = session_key()
            assert key.startswith("ip:") and key.isascii()  # a key Redis can store, of bounded size
    token = gateway_of(app).signer.token_of("conversation-1")
    with app.test_request_context("/api/chat/history", headers={HEADER: token}):
        assert session_key() == "conversation:conversation-1"
    with app.test_request_context("/api/chat/history", query_string={"session": token}):
        assert session_key().startswith("ip:")  # a token in the URL is not read


def test_a_pressed_button_is_stored_as_what_the_bot_received(echo_app: Flask) -> None:
    client = echo_app.test_client()
    body = {"message": "/check_eligibility", "display": "我要投诉：某某局长受贿"}  # a title no button has
    reply = _post(client, "/api/chat", body)
    assert reply.get_json()["messages"][0]["text"] == "您说：/check_eligibility"
    token = reply.get_json()["session"]
    history = client.get("/api/chat/history", headers={"X-Policybot-Session": token}).get_json()["messages"]
    assert [m["text"] for m in history] == ["/check_eligibility", "您说：/check_eligibility"]  # was the display text


class _ButtonBot:
    """Stands in for Rasa: echoes what it received and offers one quick reply."""

    def send(self, sender: str, text: str) -> BotReply:
        button = {"title": "下一步", "payload": "/next_step"}
        return BotReply([{"text": f"您说：{text}", "buttons": [button], "citations": []}], unanswered=False)


@pytest.mark.browser
@pytest.mark.slow
def test_widget_restores_button_titles_and_keeps_the_session_out_of_urls(base_settings: Settings, app: Flask) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.browser.conftest import PAGE_CHANGING, make_driver

    variant = make_app(base_settings, build=False)
    gateway_of(variant).bot = _ButtonBot()  # type: ignore[assignment]
    driver = make_driver(1280, 900)
    wait = WebDriverWait(driver, 30, ignored_exceptions=PAGE_CHANGING)

    def user_texts() -> list[str]:
        return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-testid=message-user]")]

    def open_panel() -> None:
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid=launcher]").is_displayed())
        driver.find_element(By.CSS_SELECTOR, "[data-testid=launcher]").click()

    def press(title: str) -> None:
        count = len(user_texts())
        buttons = driver.find_elements(By.CSS_SELECTOR, "[data-testid=quick-reply]")
        next(b for b in buttons if b.text == title and b.is_enabled()).click()
        wait.until(lambda d: len(user_texts()) > count and "您说：" in d.find_element(By.CSS_SELECTOR, ".pb-root").text)

    try:
        with serving(variant) as url:
            driver.get(url + "/")
            open_panel()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=quick-reply]"))
            press("我能申请什么补贴")  # greeting button, payload /check_eligibility
            wait.until(lambda d: "您说：/check_eligibility" in d.find_element(By.CSS_SELECTOR, ".pb-root").text)
            press("下一步")  # the bot's button, payload /next_step
            assert user_texts() == ["我能申请什么补贴", "下一步"]
            driver.refresh()
            open_panel()
            wait.until(lambda d: len(user_texts()) == 2)
            assert user_texts() == ["我能申请什么补贴", "下一步"]  # the titles, though the payloads are stored
            requests_made = driver.execute_script(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
            )
            assert any("/api/chat/history" in u for u in requests_made), requests_made
            assert not [u for u in requests_made if "session" in u], requests_made  # was ?session=<token>
        history = gateway_of(variant).store
        stored = [m.text for m in history.history(gateway_of(variant).signer.verify(_token(driver)) or "")]
        assert stored[0::2] == ["/check_eligibility", "/next_step"]
    finally:
        driver.quit()


def _token(driver: object) -> str:
    """The session token the widget keeps in localStorage."""
    token = driver.execute_script("return localStorage.getItem('policybot.session')")  # type: ignore[attr-defined]
    assert isinstance(token, str)
    return token
