"""Staff accounts (hotline agents and maintainers) and the audit log, in the app database.

Passwords are hashed with argon2id (argon2-cffi). The tables live in the same database as the chat
store (``database.url``) but have their own declarative base, so either side can be created alone.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from webchat.store import connect, create_tables

ROLES: dict[str, str] = {"agent": "热线坐席", "maintainer": "维护人员"}
MAX_NAME_CHARS = 40
_NAME = re.compile(r"^[\w.\-@\u3400-\u9fff]+$")


def _now() -> datetime:
    return datetime.now(UTC)


class StaffBase(DeclarativeBase):
    """Declarative base of the staff tables."""


class StaffUser(StaffBase):
    """A staff account."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME_CHARS), unique=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class AuditEntry(StaffBase):
    """Who did what to the knowledge base, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(MAX_NAME_CHARS))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class UserError(ValueError):
    """An account cannot be created; the message (Chinese) says why."""


@dataclass(frozen=True)
class Account:
    """A logged-in staff member as Flask-Login sees it (detached from the database)."""

    id: int
    name: str
    role: str

    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session."""
        return str(self.id)

    @property
    def role_label(self) -> str:
        """Return the role in Chinese."""
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class AuditRow:
    """One audit log line as the admin page shows it."""

    at: datetime
    actor: str
    action: str
    detail: str


class StaffStore:
    """Accounts and audit log; one instance per app (or CLI call), thread-safe through short sessions."""

    def __init__(self, database: str | Engine, hasher: PasswordHasher | None = None) -> None:
        """Connect and create the staff tables that are missing.

        Args:
            database: a SQLAlchemy database URL, or the chat store's engine to share.
            hasher: the argon2 hasher; the library's defaults (argon2id) when None.
        """
        self.engine: Engine = connect(database) if isinstance(database, str) else database
        create_tables(self.engine, StaffBase.metadata)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None
        self._lock = threading.Lock()

    def add_user(self, name: str, role: str, password: str, min_password_chars: int = 8) -> Account:
        """Create an account.

        Args:
            name: the login name (letters, digits, Chinese characters, ``. - _ @``).
            role: ``agent`` or ``maintainer``.
            password: the plain password; only its argon2 hash is stored.
            min_password_chars: shortest password accepted.

        Returns:
            The new account.

        Raises:
            UserError: bad name, role or password, or the name is taken.
        """
        name = unicodedata.normalize("NFKC", name).strip()
        if not name or len(name) > MAX_NAME_CHARS or not _NAME.match(name):
            raise UserError(f"用户名须为 1–{MAX_NAME_CHARS} 个字母、数字、汉字或 . - _ @")
        if role not in ROLES:
            raise UserError(f"角色只能是 {' 或 '.join(ROLES)}")
        if len(password) < min_password_chars:
            raise UserError(f"密码至少需要 {min_password_chars} 个字符")
        with self._sessions.begin() as db:
            if db.scalar(select(StaffUser).where(StaffUser.name == name)) is not None:
                raise UserError(f"用户名“{name}”已存在")
            user = StaffUser(name=name, role=role, password_hash=self.hasher.hash(password))
            db.add(user)
            db.flush()
            return Account(user.id, user.name, user.role)

    def set_password(self, name: str, password: str, min_password_chars: int = 8) -> None:
        """Replace an account's password.

        Raises:
            UserError: no such account, or the password is too short.
        """
        if len(password) < min_password_chars:
            raise UserError(f"密码至少需要 {min_password_chars} 个字符")
        with self._sessions.begin() as db:
            user = db.scalar(select(StaffUser).where(StaffUser.name == name))
            if user is None:
                raise UserError(f"没有用户“{name}”")
            user.password_hash = self.hasher.hash(password)

    def authenticate(self, name: str, password: str) -> Account | None:
        """Return the account when the name and password match an active account, else None.

        An unknown name costs as much time as a wrong password (a dummy hash is verified), so the
        answer time does not tell which names exist.
        """
        name = unicodedata.normalize("NFKC", name).strip()
        with self._sessions() as db:
            user = db.scalar(select(StaffUser).where(StaffUser.name == name)) if name else None
            stored = user.password_hash if user is not None else self._dummy()
            try:
                self.hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return None
            if user is None or not user.active:
                return None
            if self.hasher.check_needs_rehash(stored):
                with self._sessions.begin() as write:
                    row = write.get(StaffUser, user.id)
                    if row is not None:
                        row.password_hash = self.hasher.hash(password)
            return Account(user.id, user.name, user.role)

    def _dummy(self) -> str:
        with self._lock:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash("policybot-dummy-password")
            return self._dummy_hash

    def get(self, user_id: int) -> Account | None:
        """Return the active account with this id, or None."""
        with self._sessions() as db:
            user = db.get(StaffUser, user_id)
            if user is None or not user.active:
                return None
            return Account(user.id, user.name, user.role)

    def users(self) -> list[Account]:
        """Return every active account, by name."""
        with self._sessions() as db:
            rows = db.scalars(select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)).all()
            return [Account(u.id, u.name, u.role) for u in rows]

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        """Append a line to the audit log."""
        with self._sessions.begin() as db:
            db.add(AuditEntry(actor=actor[:MAX_NAME_CHARS], action=action[:40], detail=detail))

    def audit_log(self, limit: int = 100) -> list[AuditRow]:
        """Return the newest audit lines first."""
        with self._sessions() as db:
            rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
            return [AuditRow(r.at, r.actor, r.action, r.detail) for r in rows]
