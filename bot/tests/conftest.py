"""Fixtures for the action tests (rasa env): a real web app API on a loopback port, trackers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

BOT = Path(__file__).resolve().parents[1]
ROOT = BOT.parent
POLICYBOT = ROOT / ".venv" / "bin" / "policybot"
sys.path.insert(0, str(BOT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build a BM25-only index in a temporary folder and serve the real app on 127.0.0.1."""
    if not POLICYBOT.exists():
        pytest.fail("the app environment (.venv) is missing: run make install")
    env = {
        **os.environ,
        "POLICYBOT_PATHS__INDEX_ROOT": str(tmp_path_factory.mktemp("index")),
        "POLICYBOT_INDEX__DENSE": "false",
    }
    subprocess.run([str(POLICYBOT), "index", "build"], env=env, check=True, capture_output=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [str(POLICYBOT), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/api/policies", timeout=1).read()
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("the web app did not start")
        # The first search loads the index; on a busy machine that takes longer than the actions' 3 s
        # timeout, which the tests would mistake for the API being down.
        urllib.request.urlopen(url + "/api/search?q=%E5%88%9B%E4%B8%9A&k=1", timeout=120).read()
        os.environ["POLICYBOT_API_URL"] = url
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def make_tracker(
    text: str,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    requested_slot: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest user message is ``text``."""
    all_slots: dict[str, Any] = {"requested_slot": requested_slot, "skipped_facts": None}
    all_slots.update(slots or {})
    return Tracker(
        sender_id="test",
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": "eligibility_form"} if requested_slot else {},
        latest_action_name="action_listen",
    )
