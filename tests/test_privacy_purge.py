"""Retention: ``policybot privacy purge`` removes what is older than ``privacy.retention_days`` from the app
database, Rasa's tracker store and the log folder, masks again what it keeps, and ``--dry-run`` changes nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from knowledge.settings import load_settings
from tests.services import Postgres, postgres_bin
from webchat.cli import app as cli
from webchat.pii import MOBILE_MASK, NAME_MASK
from webchat.store import ChatStore, database_url
from webchat.users import StaffStore

ROOT = Path(__file__).resolve().parent.parent
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
OLD = datetime.now(UTC) - timedelta(days=200)
RAW = "我叫张伟，电话138.1234.5678"  # what the old masking stored as it was


def _backdate(db_file: Path, conversation: str, when: datetime) -> None:
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(db_file) as db:
        db.execute("update messages set created_at = ? where conversation_id = ?", (stamp, conversation))
        db.execute("update conversations set created_at = ?, updated_at = ? where id = ?", (stamp, stamp, conversation))
        db.execute("update feedback set created_at = ? where conversation_id = ?", (stamp, conversation))
        db.execute("update unanswered set created_at = ? where conversation_id = ?", (stamp, conversation))
        db.execute("update audit_log set at = ? where action = 'old_action'", (stamp,))


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An app database with an old and a recent conversation, audit lines and log files of both ages."""
    var = tmp_path / "var"
    monkeypatch.setenv("POLICYBOT_PATHS__VAR", str(var))
    monkeypatch.delenv("POLICYBOT_DATABASE__URL", raising=False)
    url = database_url(None, var)
    chats, staff = ChatStore(url), StaffStore(url)
    for conversation in ("old", "recent"):
        ids = chats.add_turn(conversation, "火星上有就业补贴吗", [{"text": "抱歉，没有找到可靠的答案。"}], True)
        chats.add_feedback(conversation, ids[0], "down")
    chats.add_turn("recent", RAW, [{"text": "您好"}], True)
    staff.audit("维护员", "old_action", "登录，来自 203.0.113.7")
    staff.audit("维护员", "recent_action", "登录，来自 198.51.100.9")
    _backdate(var / "policybot.db", "old", OLD)
    logs = var / "logs"
    logs.mkdir()
    for name, when in (("web-old.log", OLD), ("web.log", datetime.now(UTC))):
        (logs / name).write_text("log\n", encoding="utf-8")
        os.utime(logs / name, (when.timestamp(), when.timestamp()))
    return var


def _rows(var: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(var / "policybot.db") as db:
        return db.execute(sql).fetchall()


def test_dry_run_counts_and_changes_nothing(var: Path) -> None:
    before = [_rows(var, f"select * from {t}") for t in ("messages", "feedback", "unanswered", "audit_log")]
    result = CliRunner().invoke(cli, ["privacy", "purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "演练模式" in result.output
    assert "将删除 1 个会话、2 条消息、1 条评价、1 条未答问题" in result.output
    assert "将重新脱敏 2 条" in result.output  # the recent raw message and its unanswered question
    assert "审计日志：将删除 1 条" in result.output and "日志文件：将删除 1 个" in result.output
    after = [_rows(var, f"select * from {t}") for t in ("messages", "feedback", "unanswered", "audit_log")]
    assert after == before
    assert (var / "logs" / "web-old.log").exists()


def test_purge_deletes_what_is_older_than_the_retention_and_masks_what_it_keeps(var: Path) -> None:
    result = CliRunner().invoke(cli, ["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "保留期限 180 天" in result.output
    assert "已删除 1 个会话、2 条消息、1 条评价、1 条未答问题" in result.output
    assert _rows(var, "select distinct conversation_id from messages") == [("recent",)]
    assert _rows(var, "select id from conversations") == [("recent",)]
    assert _rows(var, "select conversation_id from feedback") == [("recent",)]
    questions = [q for (q,) in _rows(var, "select question from unanswered")]
    assert questions == ["火星上有就业补贴吗", f"我叫{NAME_MASK}，电话{MOBILE_MASK}"]
    assert RAW not in str(_rows(var, "select text from messages"))
    actions = [a for (a,) in _rows(var, "select action from audit_log")]
    assert "old_action" not in actions and "recent_action" in actions and actions[-1] == "privacy_purge"
    assert sorted(p.name for p in (var / "logs").iterdir()) == ["web.log"]
    # the console's unanswered queue still finds the conversation around the masked question
    from webchat.staffqueries import recent_unanswered
    from webchat.store import connect

    item = recent_unanswered(connect(database_url(None, var)))[0]
    assert [m.focus for m in item.context if m.text == item.text] == [True]


def test_retention_comes_from_the_settings(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(ROOT / "config.yml").privacy.retention_days == 180
    monkeypatch.setenv("POLICYBOT_PRIVACY__RETENTION_DAYS", "365")
    result = CliRunner().invoke(cli, ["privacy", "purge"])
    assert "保留期限 365 天" in result.output and "已删除 0 个会话、0 条消息" in result.output
    monkeypatch.setenv("POLICYBOT_PRIVACY__RETENTION_DAYS", "0")
    refused = CliRunner().invoke(cli, ["privacy", "purge"])
    assert refused.exit_code == 2 and "retention_days" in refused.output


def test_without_a_tracker_store_the_report_says_so(var: Path) -> None:
    result = CliRunner().invoke(cli, ["privacy", "purge", "--dry-run"])
    assert "Rasa 对话追踪：未找到" in result.output and "rasa_tracker.db" in result.output


_RASA_SCRIPT = """
import asyncio, json, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

action, where, conversations = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
store = SQLTrackerStore(Domain.empty(), **where)

async def main():
    found = {}
    for sender, (text, stamp) in conversations.items():
        if action == "write":
            events = [UserUttered(text, timestamp=stamp), SlotSet("name", text, timestamp=stamp)]
            await store.save(DialogueStateTracker.from_events(sender, events))
        else:
            tracker = await store.retrieve_full_tracker(sender)
            events = [e.as_dict() for e in tracker.events] if tracker else []
            found[sender] = [e.get("text") or e.get("value") for e in events]
    print(json.dumps(found, ensure_ascii=False))

asyncio.run(main())
"""


def _rasa(action: str, where: dict[str, object], conversations: dict[str, tuple[str, float]]) -> dict[str, list[str]]:
    """Write or read conversations with Rasa's own SQLTrackerStore (``where``: its dialect and database)."""
    texts = json.dumps(conversations, ensure_ascii=False)
    done = subprocess.run(
        [str(RASA_PY), "-c", _RASA_SCRIPT, action, json.dumps(where), texts],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.integration
@pytest.mark.skipif(not RASA_PY.exists(), reason="needs the Rasa environment (.venv-rasa)")
def test_rasa_tracker_events_are_purged_and_masked_in_rasas_own_store(var: Path) -> None:
    _purge_rasa_store({"dialect": "sqlite", "db": str(var / "rasa_tracker.db")})


def _purge_rasa_store(where: dict[str, object]) -> None:
    conversations = {"old-sender": ("火星上有就业补贴吗", OLD.timestamp()), "new-sender": (RAW, time.time())}
    _rasa("write", where, conversations)
    result = CliRunner().invoke(cli, ["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "已删除 2 条事件" in result.output and "已重新脱敏 2 条" in result.output
    kept = _rasa("read", where, conversations)
    assert kept["old-sender"] == []
    masked = f"我叫{NAME_MASK}，电话{MOBILE_MASK}"
    assert kept["new-sender"] == [masked, masked], "Rasa still reads the kept conversation, masked"


@pytest.mark.integration
@pytest.mark.skipif(not RASA_PY.exists() or postgres_bin() is None, reason="needs .venv-rasa and PostgreSQL")
def test_scaleout_purges_the_shared_postgresql(var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scale-out: the app tables and Rasa's events live in the same PostgreSQL; the purge reaches both."""
    server = Postgres().start()
    try:
        for key, value in {
            "POLICYBOT_DEPLOYMENT__MODE": "scaleout",
            "POLICYBOT_DEPLOYMENT__POSTGRES_URL": server.url,
            "POLICYBOT_DEPLOYMENT__REDIS_URL": "redis://127.0.0.1:9/0",  # not used by the purge
            "POLICYBOT_WEB__SECRET_KEY": "test-secret",
        }.items():
            monkeypatch.setenv(key, value)
        url = load_settings(ROOT / "config.yml", env=dict(os.environ)).database.url
        assert url is not None and url.startswith("postgresql+psycopg://")
        chats = ChatStore(url)
        chats.add_turn("old", "火星上有就业补贴吗", [{"text": "抱歉。"}], True)
        with chats.engine.begin() as db:
            db.execute(text("update messages set created_at = :old"), {"old": OLD})
            db.execute(text("update unanswered set created_at = :old"), {"old": OLD})
            db.execute(text("update conversations set updated_at = :old"), {"old": OLD})
        where = {"dialect": "postgresql", "host": "127.0.0.1", "port": server.port, "db": "policybot"}
        _purge_rasa_store({**where, "username": "policybot"})
        with chats.engine.connect() as db:
            assert db.execute(text("select count(*) from messages")).scalar() == 0
            assert db.execute(text("select count(*) from unanswered")).scalar() == 0
        chats.engine.dispose()
    finally:
        server.stop()
