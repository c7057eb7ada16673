"""The ``user`` commands: staff accounts of the console and the admin (hotline agents, maintainers)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from webchat.cli.root import console, current_settings, errors

user_app = typer.Typer(help="工作台账号（热线坐席、维护人员）", no_args_is_help=True)


def _read_password(password_stdin: bool) -> str:
    """Read a password from stdin (scripts) or ask for it twice, hidden."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))


def _outcome(message: str, ok: bool) -> None:
    """Print a staff command's message; exit 1 on failure."""
    if not ok:
        errors.print(f"[red]{message}[/red]")
        raise typer.Exit(1)
    console.print(message)


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（脚本、CI 用），不提示输入")]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="登录用户名")],
    role: Annotated[str, typer.Option("--role", help="角色：maintainer（维护人员）或 agent（热线坐席）")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a staff account (creates the tables if missing); the password is asked twice, hidden."""
    from webchat.staffcli import add_user

    settings = current_settings()
    _outcome(*add_user(settings, name, role, _read_password(password_stdin)))


@user_app.command("list")
def user_list() -> None:
    """List the staff accounts, disabled ones included."""
    from webchat.staffcli import list_users

    table = Table("用户名", "角色", "状态")
    for name, label, state in list_users(current_settings()):
        table.add_row(name, label, state)
    console.print(table)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="登录用户名")]) -> None:
    """Disable an account: it can no longer log in and its open sessions end at once."""
    from webchat.staffcli import set_active

    _outcome(*set_active(current_settings(), name, False))


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="登录用户名")]) -> None:
    """Enable a disabled account again (it logs in with its password as before)."""
    from webchat.staffcli import set_active

    _outcome(*set_active(current_settings(), name, True))


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="登录用户名")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password for an account; its open sessions end at once."""
    from webchat.staffcli import set_password

    settings = current_settings()
    _outcome(*set_password(settings, name, _read_password(password_stdin)))
