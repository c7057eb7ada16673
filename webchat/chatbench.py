"""Chat latency through the gateway (``policybot bench chat``): scripted conversations against a running stack."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import requests

from retrieval.bench import Timing, summarize

# A citizen's conversation: a situation, a follow-up answer, a quick-reply payload, a policy question.
SCRIPT: tuple[tuple[str, str | None], ...] = (
    ("毕业一年了还没找到工作，在广东有什么补贴", None),
    ("我是高校毕业生", None),
    ("/check_eligibility", "继续补充情况"),
    ("灵活就业人员可以参加养老保险吗", None),
    ("创业担保贷款怎么申请", None),
    ("谢谢", None),
)


class ChatBenchError(Exception):
    """The gateway answered with an error; the message says which turn."""


def bench_chat(url: str, conversations: int, timeout_s: float = 30) -> tuple[list[Timing], int]:
    """Run the scripted conversation ``conversations`` times through ``POST /api/chat``.

    Args:
        url: base URL of the web app (``http://127.0.0.1:8000``) with Rasa and the actions running.
        conversations: how many conversations, one after the other, each in a new session.
        timeout_s: per-request timeout.

    Returns:
        Timings of every turn and of the first turn of a conversation, and the number of turns.

    Raises:
        ChatBenchError: a turn did not get a 200 answer.
    """
    http = requests.Session()
    origin = {"Origin": url.rstrip("/")}
    turns: list[float] = []
    firsts: list[float] = []
    for number in range(conversations):
        session: str | None = None
        for index, (message, display) in enumerate(SCRIPT):
            body: dict[str, str] = {"message": message}
            if display:
                body["display"] = display
            if session:
                body["session"] = session
            started = time.perf_counter()
            reply = http.post(url.rstrip("/") + "/api/chat", json=body, headers=origin, timeout=timeout_s)
            elapsed = (time.perf_counter() - started) * 1000
            if reply.status_code != 200:
                raise ChatBenchError(
                    f"conversation {number + 1}, turn {index + 1}: HTTP {reply.status_code} {reply.text}"
                )
            session = reply.json()["session"]
            turns.append(elapsed)
            if index == 0:
                firsts.append(elapsed)
    return [summarize("chat turn (all turns)", turns), summarize("chat turn (first of a conversation)", firsts)], len(
        turns
    )


def widget_size(static_dir: Path) -> dict[str, tuple[int, int]]:
    """Return ``{file: (raw bytes, gzip bytes)}`` for widget.js and widget.css."""
    sizes = {}
    for name in ("widget.js", "widget.css"):
        data = (static_dir / name).read_bytes()
        sizes[name] = (len(data), len(gzip.compress(data, compresslevel=9)))
    return sizes
