"""The app database: conversations, their messages, feedback and unanswered questions (SQLAlchemy).

SQLite by default; any SQLAlchemy URL (PostgreSQL in a scale-out) through ``database.url``. Text
stored here has already been PII-masked by the gateway.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, MetaData, String, Text, create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


def _now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    """Return a random URL-safe id (128 bits)."""
    return secrets.token_urlsafe(16)


class Base(DeclarativeBase):
    """Declarative base of the app tables."""


class Conversation(Base):
    """One chat session (the id is also Rasa's sender id)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class Message(Base):
    """A turn: what the user said (masked) or one message of the bot's reply."""

    __tablename__ = "messages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(Integer, index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    citations: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Feedback(Base):
    """A 👍/👎 on one bot message (the latest one per message counts)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    rating: Mapped[str] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


class Unanswered(Base):
    """A question the bot could not answer reliably, kept for maintainers."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)


@dataclass(frozen=True)
class StoredMessage:
    """A message as the widget's history shows it."""

    id: str
    role: str
    text: str
    buttons: list[dict[str, str]]
    citations: list[dict[str, str]]
    feedback: str | None

    def as_json(self) -> dict[str, Any]:
        """Return the JSON shape of ``GET /api/chat/history``."""
        return {
            "id": self.id,
            "role": self.role,
            "text": self.text,
            "buttons": self.buttons,
            "citations": self.citations,
            "feedback": self.feedback,
        }


def database_url(url: str | None, var_dir: Path) -> str:
    """Return the configured URL, or the embedded default ``sqlite:///<var>/policybot.db``."""
    if url:
        return url
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / 'policybot.db'}"


def connect(url: str) -> Engine:
    """Return an engine for the app database (SQLite shared between threads, stale connections re-tried)."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False, "timeout": 15}
    return create_engine(url, **options)


SCHEMA_LOCK = 7_412_003  # PostgreSQL advisory-lock key: one replica at a time creates the tables


def create_tables(engine: Engine, metadata: MetaData) -> None:
    """Create the missing tables; on PostgreSQL replicas starting together take turns (advisory lock).

    Without the lock, two workers creating the same table at once make one of them fail to boot
    (``duplicate key … pg_type_typname_nsp_index``).
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(connection)


class ChatStore:
    """Reads and writes conversations; one instance per app, thread-safe through short sessions."""

    def __init__(self, database: str | Engine) -> None:
        """Connect and create the tables that are missing.

        Args:
            database: a SQLAlchemy database URL, or an engine to share.
        """
        self.engine: Engine = connect(database) if isinstance(database, str) else database
        create_tables(self.engine, Base.metadata)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def ping(self) -> bool:
        """Return whether the database answers a trivial query right now."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def ensure_conversation(self, conversation_id: str) -> None:
        """Create the conversation row if it does not exist yet."""
        with self._sessions.begin() as db:
            if db.get(Conversation, conversation_id) is None:
                db.add(Conversation(id=conversation_id))

    def add_turn(
        self, conversation_id: str, user_text: str, replies: list[dict[str, Any]], unanswered: bool
    ) -> list[str]:
        """Store a user message and the bot's replies in one transaction.

        Args:
            conversation_id: the conversation.
            user_text: what the user said (already masked).
            replies: bot messages with ``text``, ``buttons`` and ``citations``.
            unanswered: the bot had no reliable answer; the question is recorded for maintainers.

        Returns:
            The ids given to the bot messages, in order.
        """
        with self._sessions.begin() as db:
            conversation = db.get(Conversation, conversation_id)
            if conversation is None:
                conversation = Conversation(id=conversation_id)
                db.add(conversation)
            conversation.updated_at = _now()
            seq = self._next_seq(db, conversation_id)
            db.add(Message(id=new_id(), seq=seq, conversation_id=conversation_id, role="user", text=user_text))
            ids = []
            for offset, reply in enumerate(replies, start=1):
                message = Message(
                    id=new_id(),
                    seq=seq + offset,
                    conversation_id=conversation_id,
                    role="bot",
                    text=reply.get("text", ""),
                    buttons=reply.get("buttons", []),
                    citations=reply.get("citations", []),
                )
                db.add(message)
                ids.append(message.id)
            if unanswered:
                db.add(Unanswered(conversation_id=conversation_id, question=user_text))
        return ids

    @staticmethod
    def _next_seq(db: Session, conversation_id: str) -> int:
        last = db.scalar(select(func.max(Message.seq)).where(Message.conversation_id == conversation_id))
        return int(last or 0) + 1

    def history(self, conversation_id: str, limit: int = 200) -> list[StoredMessage]:
        """Return the conversation's last ``limit`` messages, oldest first, with their feedback."""
        with self._sessions() as db:
            rows = db.scalars(
                select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.seq.desc())
                .limit(limit)
            ).all()
            ratings: dict[str, str] = {}
            for feedback in db.scalars(
                select(Feedback).where(Feedback.conversation_id == conversation_id).order_by(Feedback.id)
            ):
                ratings[feedback.message_id] = feedback.rating
        return [
            StoredMessage(m.id, m.role, m.text, list(m.buttons or []), list(m.citations or []), ratings.get(m.id))
            for m in reversed(rows)
        ]

    def add_feedback(self, conversation_id: str, message_id: str, rating: str) -> bool:
        """Record a rating of one bot message of this conversation.

        Returns:
            False when the message is not a bot message of this conversation (nothing is stored).
        """
        with self._sessions.begin() as db:
            message = db.get(Message, message_id)
            if message is None or message.conversation_id != conversation_id or message.role != "bot":
                return False
            db.add(Feedback(message_id=message_id, conversation_id=conversation_id, rating=rating))
        return True
