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
from sqlalchemy import Boolean, DateTime, Integer, String, Text, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from webchat.store import SCHEMA_LOCK, connect, create_tables

ROLES: dict[str, str] = {"agent": "热线坐席", "maintainer": "维护人员"}
MAX_NAME_CHARS = 40
_NAME = re.compile(r"^[\w.\-@\u3400-\u9fff]+$")


def _now() -> datetime:
    return datetime.now(UTC)


def normalise_name(name: str) -> str:
    """Return a login name as accounts store it (NFKC, so full-width ``ａgent1`` is ``agent1``; trimmed).

    Login, account creation and the login rate limit all use this one form.
    """
    return unicodedata.normalize("NFKC", name).strip()


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
    # Raised by logout, a password change and disabling: every session made before is refused.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
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
    epoch: int = 0

    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session: ``"<id>:<session epoch>"``."""
        return f"{self.id}:{self.epoch}"

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
        _add_session_epoch(self.engine)
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
        name = normalise_name(name)
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
        """Replace an account's password and end every session of the account.

        Raises:
            UserError: no such account, or the password is too short.
        """
        if len(password) < min_password_chars:
            raise UserError(f"密码至少需要 {min_password_chars} 个字符")
        password_hash = self.hasher.hash(password)
        with self._sessions.begin() as db:
            user = self._user(db, name)
            user.password_hash = password_hash
            user.session_epoch = (user.session_epoch or 0) + 1

    def set_active(self, name: str, active: bool) -> bool:
        """Disable or re-enable an account; disabling ends every session of it.

        Returns:
            Whether anything changed (False: the account already was in that state).

        Raises:
            UserError: no such account.
        """
        with self._sessions.begin() as db:
            user = self._user(db, name)
            if bool(user.active) == active:
                return False
            user.active = active
            if not active:
                user.session_epoch = (user.session_epoch or 0) + 1
            return True

    def end_sessions(self, user_id: int) -> None:
        """End every session of an account (logout ends the sessions on every browser, not just this one)."""
        with self._sessions.begin() as db:
            user = db.get(StaffUser, user_id)
            if user is not None:
                user.session_epoch = (user.session_epoch or 0) + 1

    @staticmethod
    def _user(db: Session, name: str) -> StaffUser:
        user = db.scalar(select(StaffUser).where(StaffUser.name == normalise_name(name)))
        if user is None:
            raise UserError(f"没有用户“{normalise_name(name)}”")
        return user

    def authenticate(self, name: str, password: str) -> Account | None:
        """Return the account when the name and password match an active account, else None.

        An unknown name costs as much time as a wrong password (a dummy hash is verified), so the
        answer time does not tell which names exist.
        """
        name = normalise_name(name)
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
            return Account(user.id, user.name, user.role, user.session_epoch or 0)

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
            return Account(user.id, user.name, user.role, user.session_epoch or 0)

    def load_session(self, session_id: str) -> Account | None:
        """Return the account a login session names (``Account.get_id``), or None when the account is
        gone or disabled, or the session was made before its last logout, password change or disabling."""
        user_id, _, epoch = session_id.partition(":")
        if not user_id.isdigit() or not epoch.isdigit():
            return None  # malformed, or a session from before session epochs existed
        account = self.get(int(user_id))
        return account if account is not None and account.epoch == int(epoch) else None

    def users(self) -> list[Account]:
        """Return every active account, by name."""
        return [account for account, active in self.accounts() if active]

    def accounts(self) -> list[tuple[Account, bool]]:
        """Return every account with whether it is active, by name."""
        with self._sessions() as db:
            rows = db.scalars(select(StaffUser).order_by(StaffUser.name)).all()
            return [(Account(u.id, u.name, u.role, u.session_epoch or 0), bool(u.active)) for u in rows]

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        """Append a line to the audit log."""
        with self._sessions.begin() as db:
            db.add(AuditEntry(actor=actor[:MAX_NAME_CHARS], action=action[:40], detail=detail))

    def audit_log(self, limit: int = 100) -> list[AuditRow]:
        """Return the newest audit lines first."""
        with self._sessions() as db:
            rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
            return [AuditRow(r.at, r.actor, r.action, r.detail) for r in rows]


def _add_session_epoch(engine: Engine) -> None:
    """Add ``staff_users.session_epoch`` to a database made before it existed (existing sessions end)."""
    if "session_epoch" in {c["name"] for c in inspect(engine).get_columns(StaffUser.__tablename__)}:
        return
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        exists = " IF NOT EXISTS" if postgres else ""
        try:
            connection.execute(
                text(f"ALTER TABLE staff_users ADD COLUMN{exists} session_epoch INTEGER NOT NULL DEFAULT 0")
            )
        except (OperationalError, ProgrammingError) as exc:  # another process added it meanwhile (SQLite)
            if "duplicate column" not in str(exc).lower():
                raise
