"""Retention (``policybot privacy purge``): what is older than ``privacy.retention_days`` is deleted.

- App database: messages, 👍/👎 feedback and unanswered questions older than the cut-off, and the
  conversations left empty; the staff audit log's older lines. What is kept is masked again with
  today's rules (:func:`webchat.pii.mask_pii`), so text stored before a masking fix is cleaned too.
- Rasa's tracker store, where our settings put it (embedded: SQLite ``<var>/rasa_tracker.db``;
  scale-out: table ``events`` of ``deployment.postgres_url``): older events deleted, kept user
  messages and slot values masked again.
- Log files under ``<var>/logs``. The services' journald logs are journald's to expire (README).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, column, delete, exists, inspect, select, table, update
from sqlalchemy.engine import Engine

from knowledge.settings import Settings, sqlalchemy_postgres_url
from webchat.pii import mask_pii
from webchat.store import Conversation, Feedback, Message, Unanswered, connect, database_url
from webchat.users import AuditEntry, StaffStore

TRACKER_FILE = "rasa_tracker.db"
LOG_DIR = "logs"
# Rasa's SQL tracker store table, the columns the purge uses (SQLAlchemy quotes "timestamp" where needed).
_EVENTS = table("events", column("id"), column("type_name"), column("timestamp"), column("data"))


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove)."""

    days: int
    cutoff: datetime
    dry_run: bool
    conversations: int = 0
    messages: int = 0
    feedback: int = 0
    unanswered: int = 0
    remasked: int = 0
    audit: int = 0
    tracker: str = ""
    tracker_events: int = 0
    tracker_remasked: int = 0
    log_files: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as the Chinese lines ``policybot privacy purge`` prints."""
        verb = "将删除" if self.dry_run else "已删除"
        masked = "将重新脱敏" if self.dry_run else "已重新脱敏"
        lines = [f"保留期限 {self.days} 天：清理 {self.cutoff:%Y-%m-%d %H:%M}（UTC）之前的记录。"]
        if self.dry_run:
            lines.append("演练模式（--dry-run）：只统计，什么也没有删除或修改。")
        lines += [
            f"对话记录：{verb} {self.conversations} 个会话、{self.messages} 条消息、"
            f"{self.feedback} 条评价、{self.unanswered} 条未答问题；"
            f"保留的记录中{masked} {self.remasked} 条。",
            f"审计日志：{verb} {self.audit} 条。",
        ]
        if self.tracker.startswith("未找到"):
            lines.append(f"Rasa 对话追踪：{self.tracker}")
        else:
            lines.append(
                f"Rasa 对话追踪（{self.tracker}）：{verb} {self.tracker_events} 条事件；"
                f"保留的事件中{masked} {self.tracker_remasked} 条。"
            )
        lines.append(f"日志文件：{verb} {len(self.log_files)} 个。")
        lines.append("未在此清理：systemd 日志（journald）由其 MaxRetentionSec 设置控制，见 README“隐私”一节。")
        return lines

    def summary(self) -> str:
        """One line for the audit log."""
        return (
            f"清理 {self.cutoff:%Y-%m-%d} 之前：会话 {self.conversations}、消息 {self.messages}、"
            f"评价 {self.feedback}、未答 {self.unanswered}、审计 {self.audit}、Rasa 事件 {self.tracker_events}、"
            f"日志文件 {len(self.log_files)}；重新脱敏 {self.remasked + self.tracker_remasked}"
        )


def tracker_location(settings: Settings) -> tuple[str | None, str]:
    """Return (SQLAlchemy URL or None when there is none yet, where it is in words) of Rasa's tracker store,
    as :func:`webchat.rasaendpoints.rasa_endpoints` configures it."""
    deploy = settings.deployment
    if deploy.mode == "scaleout" and deploy.postgres_url is not None:
        return sqlalchemy_postgres_url(deploy.postgres_url.get_secret_value()), "PostgreSQL 的 events 表"
    path = settings.paths.var / TRACKER_FILE
    return (f"sqlite:///{path}" if path.is_file() else None), str(path)


def purge(settings: Settings, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete (or count, when ``dry_run``) everything older than ``privacy.retention_days``.

    Args:
        settings: ``privacy.retention_days``, the database URLs and ``paths.var``.
        now: the present (tests move it); the current UTC time when None.
        dry_run: count only; nothing is deleted or changed.

    Returns:
        What was (or would be) removed and masked again.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: a database cannot be reached; nothing of it was changed.
    """
    days = settings.privacy.retention_days
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    report = PurgeReport(days, cutoff, dry_run)
    app_url = database_url(settings.database.url, settings.paths.var)
    _in_transaction(connect(app_url), dry_run, lambda db: _purge_app(db, cutoff, report))
    url, where = tracker_location(settings)
    if url is None:
        report.tracker = f"未找到（{where} 不存在：Rasa 尚未运行过）"
    else:
        report.tracker = where
        _in_transaction(connect(url), dry_run, lambda db: _purge_tracker(db, cutoff, report))
    logs = settings.paths.var / LOG_DIR
    if logs.is_dir():
        report.log_files = [p for p in sorted(logs.rglob("*")) if p.is_file() and _mtime(p) < cutoff]
        if not dry_run:
            for path in report.log_files:
                path.unlink(missing_ok=True)
    if not dry_run:
        StaffStore(app_url).audit("命令行", "privacy_purge", report.summary())
    return report


def _in_transaction(engine: Engine, dry_run: bool, work: Any) -> None:
    try:
        with engine.connect() as db:
            transaction = db.begin()
            work(db)
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
    finally:
        engine.dispose()


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _purge_app(db: Connection, cutoff: datetime, report: PurgeReport) -> None:
    tables = set(inspect(db).get_table_names())
    if "messages" in tables:
        old = select(Message.id).where(Message.created_at < cutoff)
        where_feedback = (Feedback.created_at < cutoff) | Feedback.message_id.in_(old)
        report.feedback = db.execute(delete(Feedback).where(where_feedback)).rowcount
        report.unanswered = db.execute(delete(Unanswered).where(Unanswered.created_at < cutoff)).rowcount
        report.messages = db.execute(delete(Message).where(Message.created_at < cutoff)).rowcount
        emptied = (
            (Conversation.updated_at < cutoff)
            & ~exists().where(Message.conversation_id == Conversation.id)
            & ~exists().where(Unanswered.conversation_id == Conversation.id)
            & ~exists().where(Feedback.conversation_id == Conversation.id)
        )
        report.conversations = db.execute(delete(Conversation).where(emptied)).rowcount
        for row_id, stored in db.execute(select(Message.id, Message.text).where(Message.role == "user")).all():
            if (masked := mask_pii(stored)) != stored:
                db.execute(update(Message).where(Message.id == row_id).values(text=masked))
                report.remasked += 1
        for question_id, question in db.execute(select(Unanswered.id, Unanswered.question)).all():
            if (masked := mask_pii(question)) != question:
                db.execute(update(Unanswered).where(Unanswered.id == question_id).values(question=masked))
                report.remasked += 1
    if "audit_log" in tables:
        report.audit = db.execute(delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount


def _masked(value: Any) -> Any:
    """Every string inside a JSON value, masked."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    return value


def _purge_tracker(db: Connection, cutoff: datetime, report: PurgeReport) -> None:
    if "events" not in inspect(db).get_table_names():
        return
    report.tracker_events = db.execute(delete(_EVENTS).where(_EVENTS.c.timestamp < cutoff.timestamp())).rowcount
    # A citizen's words end up in user events (text, parse data, entities) and in slot values.
    rows = db.execute(select(_EVENTS.c.id, _EVENTS.c.data).where(_EVENTS.c.type_name.in_(("user", "slot")))).all()
    for row_id, data in rows:
        try:
            event = json.loads(data or "null")
        except ValueError:
            continue
        masked = _masked(event)
        if masked != event:
            db.execute(update(_EVENTS).where(_EVENTS.c.id == row_id).values(data=json.dumps(masked)))
            report.tracker_remasked += 1
