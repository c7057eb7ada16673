"""Several web worker processes over one var and index folder (``web.workers > 1``, or replicas on shared
storage): one rebuild at a time across them, and a lexicon or catalogue reload reaches every worker,
including one started afterwards (issue 18, item 7). Real processes, real HTTP, no shared memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from knowledge.settings import Settings
from tests.stack import free_port
from tests.staffkit import MAINTAINER, PASSWORD, ROOT, make_app, make_settings

pytestmark = pytest.mark.slow
POLICY_ID = "internship-subsidy-gd"
BUSY = "另一个索引构建正在进行"
Pair = tuple[Settings, requests.Session, requests.Session]


@contextmanager
def worker(tmp: Path) -> Iterator[requests.Session]:
    """Start one worker process; yield a maintainer's logged-in session whose base URL is ``.base``."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (tmp / f"worker-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.kbworker", str(tmp), str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    session = requests.Session()
    session.base = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                session.get(session.base + "/healthz", timeout=60)  # type: ignore[attr-defined]
                break
            except requests.ConnectionError:
                assert process.poll() is None, (tmp / f"worker-{port}.log").read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "worker did not start"
                time.sleep(0.3)
        reply = session.post(
            session.base + "/login",  # type: ignore[attr-defined]
            data={"username": MAINTAINER, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert reply.status_code == 302, reply.text[-500:]
        yield session
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def post(session: requests.Session, path: str) -> str:
    reply = session.post(session.base + path, timeout=60)  # type: ignore[attr-defined]
    assert reply.status_code == 200, reply.status_code
    return reply.text


def get(session: requests.Session, path: str, **params: str) -> requests.Response:
    return session.get(session.base + path, params=params, timeout=60)  # type: ignore[attr-defined]


def wait_done(session: requests.Session) -> dict[str, object]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status: dict[str, object] = get(session, "/admin/status.json").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.3)
    raise AssertionError("rebuild did not finish")


def policy_name(session: requests.Session) -> str:
    reply = get(session, f"/api/policies/{POLICY_ID}")
    assert reply.status_code == 200, reply.text
    name: str = reply.json()["name"]
    return name


def region_known(session: requests.Session, place: str) -> bool:
    reply = get(session, "/api/search", q="就业见习补贴", region=place)
    return reply.status_code == 200 and reply.json()["region"] == "广东"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Two worker processes over one throw-away knowledge base, each with a maintainer logged in."""
    tmp = tmp_path_factory.mktemp("workers")
    settings = make_settings(tmp, staff={"login_limit": "1000 per minute"})
    make_app(settings)  # the first index version and the accounts, in the shared var folder
    with worker(tmp) as first, worker(tmp) as second:
        yield settings, first, second


def test_one_rebuild_at_a_time_across_worker_processes(
    pair: Pair,
) -> None:
    settings, first, second = pair
    before = len(list((settings.paths.index_root / "versions").glob("v*")))
    assert "正在重建索引" in post(first, "/admin/rebuild")
    assert BUSY in post(second, "/admin/rebuild")  # the first worker's rebuild holds the lock
    assert BUSY in post(second, "/admin/rollback")
    assert wait_done(first)["state"] == "done"
    assert "正在重建索引" in post(second, "/admin/rebuild")
    assert wait_done(second)["state"] == "done"
    assert len(list((settings.paths.index_root / "versions").glob("v*"))) == before + 2


def test_a_reload_on_one_worker_reaches_every_worker(pair: Pair) -> None:
    settings, first, second = pair
    # a catalogue reload on the first worker reaches the second on its next request
    old = policy_name(second)
    policies = settings.paths.policies
    text = policies.read_text(encoding="utf-8")
    policies.write_text(text.replace(f"name: {old}", f"name: {old}（已更新）", 1), encoding="utf-8")
    assert "已重新加载政策目录" in post(first, "/admin/reload/catalogue")
    assert policy_name(second) == f"{old}（已更新）"

    # a lexicon reload too: a place added to 广东 is known to the second worker
    assert not region_known(second, "鹏城")
    lexicon = settings.paths.lexicon
    lexicon.write_text(
        lexicon.read_text(encoding="utf-8").replace("places: [顺德,", "places: [鹏城, 顺德,", 1),
        encoding="utf-8",
    )
    assert "已重新加载词库" in post(first, "/admin/reload/lexicon")
    assert region_known(second, "鹏城") and policy_name(second) == f"{old}（已更新）"

    # a worker started later (gunicorn recycles workers) serves what was published, not a later
    # hand edit of the files that nobody reloaded
    policies.write_text(text.replace(f"name: {old}", f"name: {old}（未重新加载）", 1), encoding="utf-8")
    with worker(Path(settings.paths.var).parent) as third:
        assert policy_name(third) == f"{old}（已更新）" and region_known(third, "鹏城")
