"""What ``policybot user …`` does, apart from reading the password: account creation and listing."""

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


def list_users(settings: Settings) -> list[tuple[str, str]]:
    """Return (name, role in Chinese) of every active account."""
    return [(a.name, a.role_label) for a in _store(settings).users()]
