"""Scale-out mode on real PostgreSQL and Redis: two web, two Rasa and two action replicas.

Replica 1 = web1 → rasa1 → actions1, replica 2 = web2 → rasa2 → actions2. They share only what a
real deployment shares: PostgreSQL (app data + Rasa's tracker store), Redis (Rasa's lock store,
rate limits), the index folder and the secret key. Then faults: a killed action server, Rasa down,
PostgreSQL restarted, a corrupted index version.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.services import Postgres, Redis, postgres_bin, redis_server
from tests.stack import Stack

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(postgres_bin() is None or redis_server() is None, reason="needs PostgreSQL and Redis"),
]
REGION_QUESTION = "您在哪个省、市"
UNAVAILABLE = "查询服务暂时不可用"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Postgres, Redis]]:
    postgres, redis = Postgres().start(), Redis().start()
    stack = Stack(
        tmp_path_factory.mktemp("scaleout"),
        replicas=2,
        extra_env={
            "POLICYBOT_DEPLOYMENT__MODE": "scaleout",
            "POLICYBOT_DEPLOYMENT__POSTGRES_URL": postgres.url,
            "POLICYBOT_DEPLOYMENT__REDIS_URL": redis.url,
            "POLICYBOT_WEB__SECRET_KEY": "scale-out-test-secret-shared-by-every-replica",
            "POLICYBOT_INDEX__DENSE": "false",  # BM25 only: index builds in seconds, the point here is sharing
        },
    )
    try:
        stack.start()
        yield stack, postgres, redis
    finally:
        stack.stop()
        redis.stop()
        postgres.stop()


def conversation_of(token: str) -> str:
    """The signed payload of a session token (the conversation id), without its timestamp and signature."""
    return token.split(".", 1)[0]


def chat(stack: Stack, replica: int, message: str, session: str | None) -> requests.Response:
    body: dict[str, Any] = {"message": message}
    if session:
        body["session"] = session
    return requests.post(stack.url_of(replica) + "/api/chat", json=body, timeout=30)


def bot_text(reply: requests.Response) -> str:
    assert reply.status_code == 200, reply.text
    return "\n".join(m["text"] for m in reply.json()["messages"])


def tracker_slots(postgres: Postgres, sender: str) -> dict[str, Any]:
    """The last value of every slot Rasa stored for a conversation in PostgreSQL's tracker store."""
    rows = postgres.query(
        f"SELECT data FROM events WHERE sender_id = '{sender}' AND type_name = 'slot' ORDER BY id"
    ).splitlines()
    slots: dict[str, Any] = {}
    for row in rows:
        event = json.loads(row)
        slots[event["name"]] = event["value"]
    return slots


def sender_of(postgres: Postgres, before: set[str]) -> str:
    senders = set(postgres.query("SELECT DISTINCT sender_id FROM events").splitlines()) - before
    assert len(senders) == 1, senders
    return senders.pop()


def test_a_conversation_alternating_between_replicas_keeps_its_form_state(
    cluster: tuple[Stack, Postgres, Redis],
) -> None:
    stack, postgres, _ = cluster
    before = set(postgres.query("SELECT DISTINCT sender_id FROM events").splitlines())
    first = chat(stack, 0, "我能申请什么补贴", None)
    assert bot_text(first)
    session = first.json()["session"]
    sender = sender_of(postgres, before)

    # The facts arrive through replica 2, whose Rasa has never seen this conversation before.
    second = chat(stack, 1, "我在深圳，去年刚毕业，现在还没找到工作", session)
    # each reply re-signs the token with a fresh timestamp; the conversation it names (the payload) stays
    assert conversation_of(second.json()["session"]) == conversation_of(session), "replica 2 accepts the session"
    assert bot_text(second)
    slots = tracker_slots(postgres, sender)
    assert slots.get("region") in ("深圳", "广东") and slots.get("employment_status") == "unemployed", slots

    # Back and forth: neither replica asks again for what the other one collected.
    texts = []
    for turn in range(6):
        text = bot_text(chat(stack, turn % 2, "跳过", session))
        texts.append(text)
        assert REGION_QUESTION not in text, f"turn {turn}: region asked again\n{text}"
        if "12333" in text or "符合" in text:
            break
    assert any("广东" in t or "深圳" in t or "高校毕业生" in t for t in texts), texts

    # Both replicas stored the conversation in the one PostgreSQL app database.
    history = requests.get(
        stack.url_of(1) + "/api/chat/history", headers={"X-Policybot-Session": session}, timeout=10
    ).json()
    users = [m["text"] for m in history["messages"] if m["role"] == "user"]
    assert users[:2] == ["我能申请什么补贴", "我在深圳，去年刚毕业，现在还没找到工作"]
    assert int(postgres.query("SELECT count(*) FROM messages")) >= 2 * len(users)


def login(stack: Stack, replica: int, name: str, password: str) -> requests.Session:
    http = requests.Session()
    page = http.get(stack.url_of(replica) + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    reply = http.post(
        stack.url_of(replica) + "/login",
        data={"username": name, "password": password, "csrf_token": token.group(1)},
        headers={"Referer": stack.url_of(replica) + "/login"},
        timeout=10,
    )
    assert reply.ok and "/login" not in reply.url, reply.text[:500]
    return http


def csrf_of(http: requests.Session, url: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(url, timeout=10).text)
    assert token
    return token.group(1)


def index_version(stack: Stack, replica: int) -> str:
    reply = requests.get(stack.url_of(replica) + "/api/search", params={"q": "创业担保贷款"}, timeout=10)
    assert reply.status_code == 200 and reply.json()["results"], reply.text
    version: str = reply.json()["index_version"]
    return version


def test_an_index_published_through_one_replica_is_served_by_the_other(
    cluster: tuple[Stack, Postgres, Redis],
) -> None:
    stack, _, _ = cluster
    import subprocess

    from tests.stack import POLICYBOT

    password = "扩展部署测试-Passw0rd"
    subprocess.run(
        [str(POLICYBOT), "user", "add", "maint", "--role", "maintainer", "--password-stdin"],
        input=password + "\n",
        text=True,
        env=stack.env(0),
        check=True,
        capture_output=True,
        timeout=60,
    )
    old = index_version(stack, 1)
    admin = login(stack, 0, "maint", password)
    base = stack.url_of(0) + "/admin"
    headers = {"Referer": base + "/"}
    admin.post(base + "/rebuild", data={"csrf_token": csrf_of(admin, base + "/")}, headers=headers, timeout=10)
    deadline = time.monotonic() + 300
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = admin.get(base + "/status.json", timeout=10).json()
        if not status.get("running") and status.get("current") != old:
            break
        time.sleep(1)
    new = status.get("current")
    assert new and new != old, status
    assert index_version(stack, 1) == new, "replica 2 follows the pointer replica 1 published"

    # And a rollback through replica 2 is what replica 1 then serves.
    second = login(stack, 1, "maint", password)
    base2 = stack.url_of(1) + "/admin"
    second.post(
        base2 + "/rollback", data={"csrf_token": csrf_of(second, base2 + "/")}, headers={"Referer": base2 + "/"}
    )
    assert index_version(stack, 0) == old


def test_a_corrupted_index_version_leaves_the_previous_one_serving(cluster: tuple[Stack, Postgres, Redis]) -> None:
    stack, _, _ = cluster
    root = stack.workdir / "index"
    good = (root / "CURRENT").read_text().strip()
    broken = "v29991231-000000-000000"
    shutil.copytree(root / "versions" / good, root / "versions" / broken)
    provisions = root / "versions" / broken / "provisions.jsonl"
    provisions.write_text(provisions.read_text()[:1000], encoding="utf-8")  # cut short: checksum fails
    try:
        (root / "CURRENT").write_text(broken + "\n")  # shared storage now points at a damaged version
        for replica in (0, 1):
            assert index_version(stack, replica) == good, "searches keep using the last good version"
            health = stack.health(replica)
            assert health["status"] == "degraded" and broken in str(health["index_error"]), health
    finally:
        (root / "CURRENT").write_text(good + "\n")
    assert all(stack.health(i)["status"] == "ok" for i in (0, 1))


def test_a_killed_action_server_gets_a_friendly_message_and_the_conversation_resumes(
    cluster: tuple[Stack, Postgres, Redis],
) -> None:
    stack, _, _ = cluster
    first = chat(stack, 0, "我能申请什么补贴", None)
    session = first.json()["session"]
    question = bot_text(first)
    stack.processes["actions"].kill()  # SIGKILL mid-conversation
    stack.processes["actions"].wait(timeout=10)
    started = time.monotonic()
    down = chat(stack, 0, "我在银川", session)
    assert time.monotonic() - started < 10
    assert down.status_code == 503 and UNAVAILABLE in down.json()["error"], down.text
    assert stack.health(0)["actions"] == "down"

    stack.start_replica(0, ("actions",))
    stack.wait_healthy()
    resumed = bot_text(chat(stack, 0, "我在银川", session))
    assert resumed and REGION_QUESTION not in resumed, f"the form goes on after the outage\n{question}\n{resumed}"


def test_rasa_down_gives_503_and_degraded_health(cluster: tuple[Stack, Postgres, Redis]) -> None:
    stack, _, _ = cluster
    stack.stop("rasa2")
    try:
        started = time.monotonic()
        reply = chat(stack, 1, "灵活就业人员怎么交社保", None)
        assert time.monotonic() - started < 10
        assert reply.status_code == 503 and UNAVAILABLE in reply.json()["error"]
        assert stack.health(1)["status"] == "degraded" and stack.health(1)["bot"] == "down"
        assert bot_text(chat(stack, 0, "灵活就业人员怎么交社保", None)), "the other replica still answers"
    finally:
        stack.start_replica(1, ("rasa",))
        stack.wait_healthy()


def test_postgres_restart_loses_no_conversation(cluster: tuple[Stack, Postgres, Redis]) -> None:
    stack, postgres, _ = cluster
    first = chat(stack, 0, "创业担保贷款能贷多少", None)
    session = first.json()["session"]
    bot_text(first)
    stored_before = int(postgres.query("SELECT count(*) FROM messages"))
    postgres.restart()
    replies = [chat(stack, i % 2, "灵活就业人员怎么交社保", session) for i in range(4)]
    statuses = [r.status_code for r in replies]
    assert all(s in (200, 503) for s in statuses), statuses
    assert statuses[-2:] == [200, 200], "both replicas recover once PostgreSQL is back"
    history = requests.get(
        stack.url_of(1) + "/api/chat/history", headers={"X-Policybot-Session": session}, timeout=10
    ).json()
    assert history["messages"][0]["text"] == "创业担保贷款能贷多少", "what was stored before the restart is kept"
    assert int(postgres.query("SELECT count(*) FROM messages")) > stored_before
    assert all(stack.health(i)["database"] == "up" for i in (0, 1))


def test_every_replica_writes_to_postgres_not_sqlite(cluster: tuple[Stack, Postgres, Redis]) -> None:
    stack, postgres, _ = cluster
    var = Path(stack.workdir / "var")
    assert not (var / "policybot.db").exists() and not (var / "rasa_tracker.db").exists()
    assert int(postgres.query("SELECT count(*) FROM conversations")) > 0
    endpoints = (stack.workdir / "endpoints-2.yml").read_text()
    assert "dialect: postgresql" in endpoints and "type: redis" in endpoints


def test_personal_numbers_never_reach_postgres(cluster: tuple[Stack, Postgres, Redis]) -> None:
    stack, postgres, _ = cluster
    raw_id, raw_mobile = "11010519491231002X", "138 1234 5678"
    reply = chat(stack, 1, f"我身份证{raw_id}，电话{raw_mobile}，在银川送外卖，社保怎么交", None)
    assert bot_text(reply)
    events = postgres.query("SELECT string_agg(data, ' ') FROM events")  # Rasa's JSON (Chinese \u-escaped)
    messages = postgres.query("SELECT string_agg(text, ' ') FROM messages")
    assert "[身份证号已隐藏]" in messages and "[手机号已隐藏]" in messages
    for stored in (events, messages):
        assert raw_id not in stored and "13812345678" not in stored and raw_mobile not in stored


def test_replicas_booting_together_on_an_empty_database_all_start() -> None:
    import threading

    from knowledge.settings import sqlalchemy_postgres_url
    from webchat.store import ChatStore
    from webchat.users import StaffStore

    postgres = Postgres().start()
    try:
        url = sqlalchemy_postgres_url(postgres.url)
        barrier, failures = threading.Barrier(6), []

        def boot() -> None:
            barrier.wait()
            try:
                ChatStore(url)
                StaffStore(url)
            except Exception as exc:
                failures.append(repr(exc))

        workers = [threading.Thread(target=boot) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert failures == []
        assert "conversations" in postgres.query("SELECT string_agg(tablename, ',') FROM pg_tables")
    finally:
        postgres.stop()
