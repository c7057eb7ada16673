"""Load and soak benchmark (``make bench-load``, ``make bench-soak``): simulated citizens on 127.0.0.1.

Starts the real stack (web under gunicorn, Rasa, actions; embedded, or scale-out on private
PostgreSQL and Redis with one or two replicas), then ``--users`` citizens hold realistic multi-turn
conversations with think time for ``--duration`` seconds while a few hotline agents search. Every
request goes to the next web replica in turn, as a round-robin load balancer would. Prints turns/s,
p50/p95/p99 of ``/api/chat`` and ``/api/search``, the error rate and each process's memory, and writes
them as JSON. Bounded in time, loopback only; everything it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.services import Postgres, Redis
from tests.stack import ROOT, Stack

# Conversations the way citizens have them: a situation, answers to the form, a policy question.
SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("你好", "我能申请什么补贴", "我在深圳，去年刚毕业，现在还没找到工作", "跳过", "跳过", "谢谢"),
    ("我在银川送外卖，社保怎么交", "灵活就业人员养老保险有补贴吗", "我是骑手 没签合同", "跳过", "好的 谢谢"),
    ("想在临清开个小店 有没有贷款", "创业担保贷款能贷多少", "我是第一次创业", "没上班", "跳过", "再见"),
    ("失业了能领失业金吗", "我交了三年失业保险", "拿到了电工证能补贴吗", "谢谢"),
    ("你是机器人吗", "退伍军人找工作有什么政策", "我在广东", "跳过", "转人工"),
    ("就业见习补贴怎么领", "毕业两年了", "在聊城", "跳过", "谢谢"),
)
SEARCHES = ("创业担保贷款", "灵活就业人员社会保险补贴", "高校毕业生 就业见习", "失业保险 技能提升补贴", "退役军人 创业")


@dataclass
class Recorder:
    """Latencies and errors of every request, thread-safe."""

    chat: list[float] = field(default_factory=list)
    chat_at: list[float] = field(default_factory=list)  # when each chat turn finished (monotonic s)
    search: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, elapsed_ms: float, error: str | None) -> None:
        with self.lock:
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1
            else:
                (self.chat if kind == "chat" else self.search).append(elapsed_ms)
                if kind == "chat":
                    self.chat_at.append(time.monotonic())


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


class Balancer:
    """Round robin over the web replicas, like the nginx upstream in deploy/nginx."""

    def __init__(self, urls: list[str]) -> None:
        self._cycle = itertools.cycle(urls)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return next(self._cycle)


def say(
    http: requests.Session, balancer: Balancer, message: str, session: str | None, timeout: float
) -> requests.Response:
    """Post one chat turn to the next replica, in the conversation ``session`` (a new one if None)."""
    body: dict[str, Any] = {"message": message}
    if session:
        body["session"] = session
    return http.post(balancer.next() + "/api/chat", json=body, timeout=timeout)


def citizen(number: int, balancer: Balancer, stop_at: float, record: Recorder, think: tuple[float, float]) -> None:
    """Hold conversations until ``stop_at``: each script is a new citizen, with a browser of their own.

    A fresh ``requests.Session`` per script matters: the gateway's cookie would otherwise carry one
    conversation through every script, and Rasa's per-turn cost grows with the conversation's length
    (that growth is measured separately, by ``--long``).
    """
    rng = random.Random(number)
    time.sleep(rng.uniform(0, think[1]))  # citizens do not all arrive in the same second
    while time.monotonic() < stop_at:
        http = requests.Session()
        session: str | None = None
        for message in SCRIPTS[rng.randrange(len(SCRIPTS))]:
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            error = None
            try:
                reply = say(http, balancer, message, session, timeout=30)
                if reply.status_code == 200:
                    session = reply.json()["session"]
                    if not reply.json()["messages"]:
                        error = "empty reply"
                else:
                    error = f"HTTP {reply.status_code}"
            except requests.RequestException as exc:
                error = type(exc).__name__
            record.add("chat", (time.perf_counter() - started) * 1000, error)
            time.sleep(min(rng.uniform(*think), max(0.0, stop_at - time.monotonic())))


def agent(number: int, balancer: Balancer, stop_at: float, record: Recorder) -> None:
    """A hotline agent looking provisions up, one search a second or so."""
    rng = random.Random(1000 + number)
    http = requests.Session()
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        error = None
        try:
            query = SEARCHES[rng.randrange(len(SEARCHES))]
            reply = http.get(balancer.next() + "/api/search", params={"q": query, "k": 5}, timeout=10)
            error = None if reply.status_code == 200 else f"HTTP {reply.status_code}"
        except requests.RequestException as exc:
            error = type(exc).__name__
        record.add("search", (time.perf_counter() - started) * 1000, error)
        time.sleep(min(rng.uniform(0.5, 1.5), max(0.0, stop_at - time.monotonic())))


def warm_up(balancer: Balancer, replicas: int) -> None:
    """A few conversations and searches per replica before timing: first-request costs are not load."""
    for _ in range(4 * replicas):
        http = requests.Session()
        session = None
        for message in SCRIPTS[0][:3]:
            reply = say(http, balancer, message, session, timeout=60)
            session = reply.json().get("session") if reply.ok else None
        http.get(balancer.next() + "/api/search", params={"q": SEARCHES[0]}, timeout=60)


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (gunicorn master + workers), in MB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, StopIteration):
            continue
        pending.extend(int(c) for c in children)
    return total / 1024


def memory(stack: Stack) -> dict[str, float]:
    return {name: round(rss_mb(p.pid), 1) for name, p in stack.processes.items() if p.poll() is None}


def run_load(
    stack: Stack,
    users: int,
    agents: int,
    duration_s: float,
    think: tuple[float, float],
    sample_s: float,
    long_turns: int = 0,
) -> dict[str, Any]:
    """Drive the stack for ``duration_s`` and return the figures (memory sampled every ``sample_s``).

    With ``long_turns``, one long conversation is timed afterwards, on the quiet stack.
    """
    balancer = Balancer([stack.url_of(i) for i in range(stack.replicas)])
    warm_up(balancer, stack.replicas)
    record = Recorder()
    stop_at = time.monotonic() + duration_s
    threads = [
        threading.Thread(target=citizen, args=(n, balancer, stop_at, record, think), daemon=True) for n in range(users)
    ]
    threads += [threading.Thread(target=agent, args=(n, balancer, stop_at, record), daemon=True) for n in range(agents)]
    samples: list[tuple[float, dict[str, float]]] = [(0.0, memory(stack))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while time.monotonic() < stop_at:
        time.sleep(min(sample_s, max(0.0, stop_at - time.monotonic())))
        samples.append((round(time.monotonic() - started, 1), memory(stack)))
    for thread in threads:
        thread.join(timeout=40)
    elapsed = time.monotonic() - started
    total = len(record.chat) + len(record.search) + sum(record.errors.values())
    long = long_conversation(balancer, long_turns) if long_turns else []
    return {
        "replicas": stack.replicas,
        "users": users,
        "agents": agents,
        "duration_s": round(elapsed, 1),
        "chat_turns": len(record.chat),
        "turns_per_s": round(len(record.chat) / elapsed, 2),
        "chat_ms": {q: round(percentile(record.chat, q), 1) for q in (50, 95, 99)},
        "chat_p95_by_minute": per_minute_p95(record),
        "searches": len(record.search),
        "search_ms": {q: round(percentile(record.search, q), 1) for q in (50, 95, 99)},
        "errors": record.errors,
        "error_rate": round(sum(record.errors.values()) / total, 4) if total else 0.0,
        "memory_mb": samples[-1][1],
        "memory_samples": samples,
        "long_conversation_p50_by_10_turns": long,
    }


def long_conversation(balancer: Balancer, turns: int, block: int = 10) -> list[float]:
    """One citizen who never starts over, alone on the stack: median turn latency per ``block`` turns.

    Rasa reloads and replays the whole conversation session on every turn, so a turn costs more the
    longer the conversation has run (until ``session_expiration_time`` starts a new session).
    """
    http = requests.Session()
    messages = [message for script in SCRIPTS for message in script]
    session: str | None = None
    elapsed: list[float] = []
    for turn in range(turns):
        started = time.perf_counter()
        reply = say(http, balancer, messages[turn % len(messages)], session, timeout=30)
        elapsed.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
        session = reply.json()["session"]
    return [round(percentile(elapsed[i : i + block], 50), 1) for i in range(0, len(elapsed), block)]


def per_minute_p95(record: Recorder) -> list[float]:
    """Chat p95 of each minute of the run (does latency drift as the stores fill up?)."""
    if not record.chat_at:
        return []
    start = record.chat_at[0]
    minutes: dict[int, list[float]] = {}
    for at, elapsed in zip(record.chat_at, record.chat, strict=True):
        minutes.setdefault(int((at - start) // 60), []).append(elapsed)
    return [round(percentile(minutes[m], 95), 1) for m in sorted(minutes)]


def start_stack(workdir: Path, mode: str, replicas: int) -> tuple[Stack, list[Postgres | Redis]]:
    services: list[Postgres | Redis] = []
    env = {"POLICYBOT_CHAT__IP_LIMIT": "1000000 per minute"}
    if mode == "scaleout":
        postgres, redis = Postgres().start(), Redis().start()
        services = [postgres, redis]
        env |= {
            "POLICYBOT_DEPLOYMENT__MODE": "scaleout",
            "POLICYBOT_DEPLOYMENT__POSTGRES_URL": postgres.url,
            "POLICYBOT_DEPLOYMENT__REDIS_URL": redis.url,
            "POLICYBOT_WEB__SECRET_KEY": "load-benchmark-shared-secret",
        }
    index = ROOT / "var" / "index"
    if (index / "CURRENT").exists():  # reuse the index `make run`/`make bench` built (dense leg included)
        env["POLICYBOT_PATHS__INDEX_ROOT"] = str(index)
    stack = Stack(workdir, replicas=replicas, extra_env=env)
    try:
        stack.start(build_index="POLICYBOT_PATHS__INDEX_ROOT" not in env)
    except BaseException:
        stack.stop()
        for service in services:
            service.stop()
        raise
    return stack, services


def growth(samples: list[tuple[float, dict[str, float]]], warmup_s: float) -> dict[str, float]:
    """RSS growth per process from the first sample after warm-up to the last, in percent."""
    after = [s for t, s in samples if t >= warmup_s] or [samples[-1][1]]
    first, last = after[0], samples[-1][1]
    return {name: round(100 * (last[name] - first[name]) / first[name], 1) for name in last if first.get(name)}


def print_figures(figures: dict[str, Any]) -> None:
    chat, search = figures["chat_ms"], figures["search_ms"]
    print(
        f"[{figures['label']}] {figures['users']} citizens + {figures['agents']} agents, {figures['duration_s']} s: "
        f"{figures['chat_turns']} chat turns ({figures['turns_per_s']}/s) "
        f"p50 {chat[50]} / p95 {chat[95]} / p99 {chat[99]} ms; "
        f"{figures['searches']} searches p50 {search[50]} / p95 {search[95]} / p99 {search[99]} ms; "
        f"errors {sum(figures['errors'].values())} ({figures['error_rate']:.2%}) {figures['errors'] or ''}"
    )
    if len(figures["chat_p95_by_minute"]) > 1:
        print("   chat p95 by minute (ms): " + " ".join(str(v) for v in figures["chat_p95_by_minute"]))
    if figures.get("long_conversation_p50_by_10_turns"):
        blocks = figures["long_conversation_p50_by_10_turns"]
        print("   one long conversation, median turn ms per 10 turns: " + " ".join(str(v) for v in blocks))
    print("   memory MB: " + ", ".join(f"{k} {v}" for k, v in figures["memory_mb"].items()))
    if "rss_growth_pct" in figures:
        print("   RSS growth %: " + ", ".join(f"{k} {v}" for k, v in figures["rss_growth_pct"].items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("embedded", "scaleout"), default="embedded")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1], help="run once per replica count")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), help="seconds a citizen reads and types")
    parser.add_argument("--sample", type=float, default=10, help="memory sampling interval, seconds")
    parser.add_argument("--warmup", type=float, default=60, help="soak: growth is measured from this time on")
    parser.add_argument("--long", type=int, default=0, help="then time one conversation of this many turns")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "artifacts" / "loadbench.json")
    args = parser.parse_args(argv)
    if args.duration > 3600 or args.users > 500 or args.long > 1000:
        parser.error("bounded benchmark: at most 3600 s, 500 users and a 1000-turn conversation")
    results = []
    for replicas in args.replicas:
        with tempfile.TemporaryDirectory(prefix="policybot-load-") as tmp:
            stack, services = start_stack(Path(tmp), args.mode, replicas)
            try:
                figures = run_load(
                    stack, args.users, args.agents, args.duration, tuple(args.think), args.sample, args.long
                )
            finally:
                stack.stop()
                for service in services:
                    service.stop()
        figures["label"] = f"{args.mode}, {replicas} replica(s)"
        if args.duration >= 2 * args.warmup:
            figures["rss_growth_pct"] = growth(figures["memory_samples"], args.warmup)
        print_figures(figures)
        results.append(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
