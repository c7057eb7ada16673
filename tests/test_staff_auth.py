"""Staff accounts: argon2 passwords, the CLI, login/logout, CSRF, cookie flags, rate limit, roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from typer.testing import CliRunner

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
