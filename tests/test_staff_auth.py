"""Staff accounts: argon2 passwords, the CLI, login/logout, CSRF, cookie flags, rate limit, roles."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from typer.testing import CliRunner, Result

from tests.staffkit import AGENT, MAINTAINER, PASSWORD, csrf_token, login, make_app, make_settings
from webchat.staff import staff_store_of
from webchat.users import UserError


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = make_settings(tmp_path_factory.mktemp("auth"), staff={"login_limit": "1000 per minute"})
    yield make_app(settings, csrf=True)


def test_passwords_are_stored_as_argon2_hashes(app: Flask) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from webchat.users import StaffUser

    with Session(staff_store_of(app).engine) as db:
        hashes = db.scalars(select(StaffUser.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)


def test_account_rules(app: Flask) -> None:
    store = staff_store_of(app)
    with pytest.raises(UserError, match="已存在"):
        store.add_user(AGENT, "agent", PASSWORD)
    with pytest.raises(UserError, match="角色"):
        store.add_user("someone", "admin", PASSWORD)
    with pytest.raises(UserError, match="至少"):
        store.add_user("someone", "agent", "short")
    with pytest.raises(UserError, match="用户名"):
        store.add_user("../evil", "agent", PASSWORD)


def test_anonymous_is_sent_to_the_login_page(app: Flask) -> None:
    client = app.test_client()
    for path in ("/console/", "/console/eligibility", "/admin/"):
        reply = client.get(path)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"], path
    page = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in page and 'lang="zh-CN"' in page


def test_login_logout_and_cookie_flags(app: Flask) -> None:
    client = app.test_client()
    reply = login(client, AGENT, token=True)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/console/")
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith("policybot_staff="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/console/").status_code == 200
    token = csrf_token(client, "/console/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_wrong_password_is_refused_in_chinese(app: Flask) -> None:
    client = app.test_client()
    reply = login(client, AGENT, "wrong-password", token=True)
    assert reply.status_code == 401 and "用户名或密码错误" in reply.get_data(as_text=True)
    reply = login(client, "nobody", PASSWORD, token=True)
    assert reply.status_code == 401 and "用户名或密码错误" in reply.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_post_without_csrf_token_is_refused(app: Flask) -> None:
    client = app.test_client()
    reply = login(client, AGENT, token=False)
    assert reply.status_code == 400 and "安全令牌" in reply.get_data(as_text=True)
    assert client.get("/console/").status_code == 302  # not logged in
    login(client, MAINTAINER, token=True)
    reply = client.post("/admin/rebuild", data={})
    assert reply.status_code == 400 and "安全令牌" in reply.get_data(as_text=True)
    assert staff_store_of(app).audit_log(1)[0].action != "rebuild"


def test_agent_gets_a_chinese_403_on_admin(app: Flask) -> None:
    client = app.test_client()
    login(client, AGENT, token=True)
    reply = client.get("/admin/")
    assert reply.status_code == 403
    page = reply.get_data(as_text=True)
    assert "您没有权限访问此页面" in page and "<html" in page
    assert client.post("/admin/rebuild", data={"csrf_token": csrf_token(client, "/console/")}).status_code == 403


def test_maintainer_reaches_console_and_admin(app: Flask) -> None:
    client = app.test_client()
    reply = login(client, MAINTAINER, token=True)
    assert reply.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get("/console/").status_code == 200


def test_next_is_followed_only_within_the_site(app: Flask) -> None:
    client = app.test_client()
    reply = login(client, AGENT, token=True, next="/console/eligibility")
    assert reply.headers["Location"].endswith("/console/eligibility")
    client = app.test_client()
    reply = login(client, AGENT, token=True, next="//evil.example.com/")
    assert "evil" not in reply.headers["Location"]


def test_secure_cookie_when_configured(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, web={"cookie_secure": True})
    app = make_app(settings, build=False, csrf=False)
    reply = login(app.test_client(), AGENT)
    cookie = next(c for c in reply.headers.getlist("Set-Cookie") if c.startswith("policybot_staff="))
    assert "Secure" in cookie


def test_login_attempts_are_rate_limited(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, staff={"login_limit": "5 per minute"})
    app = make_app(settings, build=False, csrf=False)
    client = app.test_client()
    codes = [login(client, AGENT, "wrong-password").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    reply = login(client, AGENT)  # even the right password waits
    assert reply.status_code == 429 and "过于频繁" in reply.get_data(as_text=True)
    assert login(client, MAINTAINER).status_code == 302  # another user name is not blocked
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(other, AGENT).status_code == 302  # nor the same name from another address


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, counting how many passwords it verified."""

    verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        CountingHasher.verified += 1
        return super().verify(hash, password)


def test_login_limit_holds_for_name_variants_and_costs_no_hash_once_hit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, staff={"login_limit": "5 per minute", "login_ip_limit": "8 per minute"})
    app = make_app(settings, build=False, csrf=False)
    staff_store_of(app).hasher = CountingHasher()
    client = app.test_client()
    variants = ["ａgent1", "AGENT1", " agent1 ", "Ａｇｅｎｔ１", "agent1"]  # full-width, case, spaces
    assert [login(client, name, "wrong-password").status_code for name in variants] == [401] * 5
    for name in ("ａｇｅｎｔ１", AGENT):  # was 302 for a fresh variant: the limit keyed on the raw name
        reply = login(client, name)
        assert reply.status_code == 429
        assert re.search(r"登录尝试过于频繁，请\d+秒后再试", reply.get_data(as_text=True))
    assert CountingHasher.verified == 5  # refused attempts never reached the password hash
    # the per-address cap holds across names: 5 attempts above + 3 more names, then everything waits
    assert [login(client, f"guess{i}", "wrong-password").status_code for i in range(3)] == [401] * 3
    assert login(client, MAINTAINER).status_code == 429
    assert CountingHasher.verified == 8
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert login(other, MAINTAINER).status_code == 302  # another address is not blocked


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("policybot_staff")
    assert cookie is not None
    return cookie.value


def _opens_console(app: Flask, cookie: str) -> bool:
    """Whether a browser presenting this saved staff cookie gets the console (not the login page)."""
    browser = app.test_client()
    browser.set_cookie("policybot_staff", cookie)
    reply = browser.get("/console/")
    assert reply.status_code in (200, 302), reply.status_code
    return reply.status_code == 200


def test_logout_ends_every_session_of_the_account(app: Flask) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, AGENT, token=True)
    login(second, AGENT, token=True)
    saved = _cookie(first)
    assert _opens_console(app, saved)
    first.post("/logout", data={"csrf_token": csrf_token(first, "/console/")})
    reply = app.test_client()
    reply.set_cookie("policybot_staff", saved)
    answer = reply.get("/console/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]  # was 200: the cookie lived on
    assert second.get("/console/").status_code == 302  # the other browser's session ended too
    login(second, AGENT, token=True)
    assert second.get("/console/").status_code == 200  # logging in again works


def test_a_login_lasts_one_shift_however_busy(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path, staff={"session_hours": 0.001}), build=False)  # 3.6 seconds
    client = app.test_client()
    login(client, AGENT)
    statuses = []
    for _ in range(6):  # busy all along: every answer refreshes the cookie's 3.6 seconds
        statuses.append(client.get("/console/").status_code)
        time.sleep(0.9)
    assert statuses[0] == 200 and statuses[-1] == 302, statuses  # was 200 to the end: a sliding login


def test_cli_passwd_disable_and_enable_end_sessions(tmp_path: Path) -> None:
    from webchat.cli import app as cli

    database = tmp_path / "cli.db"
    settings = make_settings(
        tmp_path, database={"url": f"sqlite:///{database}"}, staff={"login_limit": "1000 per minute"}
    )
    app = make_app(settings, build=False)
    config = tmp_path / "config.yml"
    config.write_text(
        re.sub(r"^database:\n  url: null", f"database:\n  url: sqlite:///{database}", _config(), flags=re.M),
        encoding="utf-8",
    )
    runner = CliRunner()

    def user(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, ["--config", str(config), "user", *args], input=stdin)

    client = app.test_client()
    login(client, AGENT)
    saved = _cookie(client)
    result = user("passwd", AGENT, "--password-stdin", stdin="another-password-1\n")
    assert result.exit_code == 0 and "已重设" in result.output, result.output
    assert not _opens_console(app, saved)  # was 200: the old session outlived the password change
    assert login(app.test_client(), AGENT).status_code == 401  # the old password is refused
    assert login(client, AGENT, "another-password-1").status_code == 302

    saved = _cookie(client)
    result = user("disable", "ａgent1")  # the name is normalised as at login
    assert result.exit_code == 0 and "已停用" in result.output, result.output
    assert not _opens_console(app, saved)
    reply = login(app.test_client(), AGENT, "another-password-1")
    assert reply.status_code == 401 and "用户名或密码错误" in reply.get_data(as_text=True)
    listing = user("list").output
    assert re.search(r"agent1\s.*热线坐席.*已停用", listing), listing
    assert user("disable", AGENT).exit_code == 0  # already disabled: says so, no error

    result = user("enable", AGENT)
    assert result.exit_code == 0 and "已启用" in result.output, result.output
    assert login(client, AGENT, "another-password-1").status_code == 302
    assert _opens_console(app, _cookie(client))

    for args in (("disable", "nobody"), ("enable", "nobody")):
        result = user(*args)
        assert result.exit_code == 1 and "没有用户“nobody”" in result.output, result.output
    result = user("passwd", AGENT, "--password-stdin", stdin="short\n")
    assert result.exit_code == 1 and "至少" in result.output
    assert login(app.test_client(), AGENT, "another-password-1").status_code == 302  # nothing was lost


def test_a_database_from_before_session_epochs_is_upgraded(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    from webchat.users import StaffStore

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with create_engine(url).begin() as db:
        db.execute(
            text(
                "CREATE TABLE staff_users (id INTEGER PRIMARY KEY, name VARCHAR(40) UNIQUE, role VARCHAR(16), "
                "password_hash VARCHAR(200), active BOOLEAN, created_at DATETIME)"
            )
        )
    store = StaffStore(url)
    store.add_user("老账号", "agent", PASSWORD)
    account = store.authenticate("老账号", PASSWORD)
    assert account is not None and store.load_session(account.get_id()) == account
    assert store.load_session(str(account.id)) is None  # a session id from before epochs is refused


def test_cli_user_add(tmp_path: Path) -> None:
    from webchat.cli import app as cli

    config = tmp_path / "config.yml"
    config.write_text(
        re.sub(r"^database:\n  url: null", f"database:\n  url: sqlite:///{tmp_path / 'cli.db'}", _config(), flags=re.M),
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["--config", str(config), "user", "add", "值班长", "--role", "maintainer"]
    result = runner.invoke(cli, [*args, "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 0, result.output
    assert "已创建账号 值班长" in result.output
    result = runner.invoke(
        cli, ["--config", str(config), "user", "add", "坐席2", "--role", "agent"], input="pw-123456\npw-123456\n"
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["--config", str(config), "user", "add", "坐席3", "--role", "agent"], input="pw-123456\nother-999\n"
    )
    assert result.exit_code != 0
    result = runner.invoke(cli, [*args, "--password-stdin"], input="a-long-password\n")
    assert result.exit_code == 1 and "已存在" in result.output
    result = runner.invoke(cli, ["--config", str(config), "user", "list"])
    assert "值班长" in result.output and "坐席2" in result.output and "坐席3" not in result.output

    from webchat.users import StaffStore

    store = StaffStore(f"sqlite:///{tmp_path / 'cli.db'}")
    account = store.authenticate("值班长", "a-long-password")
    assert account is not None and account.role == "maintainer"


def _config() -> str:
    from tests.staffkit import ROOT

    return (ROOT / "config.yml").read_text(encoding="utf-8")
