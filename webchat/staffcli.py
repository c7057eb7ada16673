"""What ``policybot user …`` does, apart from reading the password: create, list, disable, enable, set a password."""

from __future__ import annotations

from knowledge.settings import Settings
from webchat.store import database_url
from webchat.users import ROLES, StaffStore, UserError


def _store(settings: Settings) -> StaffStore:
    return StaffStore(database_url(settings.database.url, settings.paths.var))


def add_user(settings: Settings, name: str, role: str, password: str) -> tuple[str, bool]:
    """Create an account in the app database (its tables are created when missing).

    Args:
        settings: ``database.url``, ``paths.var`` and ``staff.min_password_chars``.
        name: the login name.
        role: ``agent`` or ``maintainer``.
        password: the plain password.

    Returns:
        (Chinese message, whether the account was created).
    """
    store = _store(settings)
    try:
        account = store.add_user(name, role, password, settings.staff.min_password_chars)
    except UserError as exc:
        return str(exc), False
    store.audit("命令行", "user_add", f"创建账号 {account.name}（{ROLES[account.role]}）")
    return f"已创建账号 {account.name}（{ROLES[account.role]}）", True


def list_users(settings: Settings) -> list[tuple[str, str, str]]:
    """Return (name, role in Chinese, state in Chinese) of every account, disabled ones included."""
    return [(a.name, a.role_label, "正常" if active else "已停用") for a, active in _store(settings).accounts()]


def set_active(settings: Settings, name: str, active: bool) -> tuple[str, bool]:
    """Disable an account (its sessions end at once, it can no longer log in) or enable it again.

    Returns:
        (Chinese message, whether the command succeeded; an account already in that state is a success).
    """
    store = _store(settings)
    try:
        changed = store.set_active(name, active)
    except UserError as exc:
        return str(exc), False
    word = "启用" if active else "停用"
    if not changed:
        return f"账号 {name} 已是{word}状态，未作改动", True
    store.audit("命令行", "user_enable" if active else "user_disable", f"{word}账号 {name}")
    ended = "" if active else "，其所有登录会话已结束"
    return f"已{word}账号 {name}{ended}", True


def set_password(settings: Settings, name: str, password: str) -> tuple[str, bool]:
    """Give an account a new password; every session of the account ends.

    Returns:
        (Chinese message, whether the password was changed).
    """
    store = _store(settings)
    try:
        store.set_password(name, password, settings.staff.min_password_chars)
    except UserError as exc:
        return str(exc), False
    store.audit("命令行", "user_passwd", f"重设账号 {name} 的密码")
    return f"已重设账号 {name} 的密码，其所有登录会话已结束", True
