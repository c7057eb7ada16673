"""Read-only queries over the chat database for the hotline console: unanswered questions and 👎 feedback,
each with the conversation around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from webchat.store import Feedback, Message, Unanswered


@dataclass(frozen=True)
class ContextMessage:
    """A message shown around the one of interest; ``focus`` marks that one."""

    role: str
    text: str
    at: datetime
    focus: bool


@dataclass(frozen=True)
class QueueItem:
    """An unanswered question or a 👎 answer with its surroundings."""

    conversation_id: str
    text: str
    at: datetime
    context: list[ContextMessage]


def recent_unanswered(engine: Engine, limit: int = 50, before: int = 2, after: int = 2) -> list[QueueItem]:
    """Return the newest unanswered questions, each with the messages around it.

    Args:
        engine: the chat database.
        limit: how many questions.
        before: messages shown before the question.
        after: messages shown after it (the bot's fallback reply).

    Returns:
        Items newest first; ``text`` is the question (PII-masked when stored).
    """
    with Session(engine) as db:
        rows = db.execute(
            select(Unanswered.conversation_id, Unanswered.question, Unanswered.created_at)
            .order_by(Unanswered.id.desc())
            .limit(limit)
        ).all()
        items = []
        for conversation_id, question, at in rows:
            seq = db.scalar(
                select(func.max(Message.seq)).where(
                    Message.conversation_id == conversation_id,
                    Message.role == "user",
                    Message.text == question,
                    Message.created_at <= at,
                )
            )
            context = _around(db, conversation_id, seq, before, after) if seq is not None else []
            items.append(QueueItem(conversation_id, question, at, context))
    return items


def negative_feedback(engine: Engine, limit: int = 50, before: int = 3, after: int = 1) -> list[QueueItem]:
    """Return the newest answers whose latest rating is 👎, each with the conversation around it.

    Args:
        engine: the chat database.
        limit: how many answers.
        before: messages shown before the rated answer (the question that led to it).
        after: messages shown after it.

    Returns:
        Items newest rating first; ``text`` is the rated answer.
    """
    latest = select(func.max(Feedback.id).label("id")).group_by(Feedback.message_id).subquery()
    with Session(engine) as db:
        rows = db.execute(
            select(Feedback.created_at, Message.conversation_id, Message.seq, Message.text)
            .join(latest, latest.c.id == Feedback.id)
            .join(Message, Message.id == Feedback.message_id)
            .where(Feedback.rating == "down")
            .order_by(Feedback.id.desc())
            .limit(limit)
        ).all()
        return [
            QueueItem(conversation_id, text, at, _around(db, conversation_id, seq, before, after))
            for at, conversation_id, seq, text in rows
        ]


def _around(db: Session, conversation_id: str, seq: int, before: int, after: int) -> list[ContextMessage]:
    messages = db.scalars(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.seq >= seq - before,
            Message.seq <= seq + after,
        )
        .order_by(Message.seq)
    ).all()
    return [ContextMessage(m.role, m.text, m.created_at, m.seq == seq) for m in messages]
