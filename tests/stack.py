"""Start the real stack (web app, Rasa server, action server) on free loopback ports for tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
MODEL = BOT / "models" / "policybot.tar.gz"
POLICYBOT = ROOT / ".venv" / "bin" / "policybot"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
SERVE_RASA = ROOT / "bot" / "serve_rasa.py"  # rasa run, with its reply check compiled once


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Web app, Rasa server and action server (``replicas`` of each) and where they listen.

    Replica ``i`` is named ``web``/``rasa``/``actions`` for the first and ``web2``/``rasa2``/… after
    it; web ``i`` talks to Rasa ``i``, which calls actions ``i``, which call web ``i``'s API. Every
    replica shares the index folder, the data folder and whatever ``extra_env`` points them at
    (the scale-out tests pass PostgreSQL and Redis URLs there).
    """

    workdir: Path
    replicas: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i in range(self.replicas):
            for kind in ("web", "rasa", "actions"):
                self.ports[self.name(kind, i)] = free_port()

    @staticmethod
    def name(kind: str, replica: int = 0) -> str:
        """Return the process name of one replica: ``rasa`` for the first, ``rasa2`` for the second."""
        return kind if replica == 0 else f"{kind}{replica + 1}"

    @property
    def web_port(self) -> int:
        return self.ports["web"]

    @property
    def rasa_port(self) -> int:
        return self.ports["rasa"]

    @property
    def actions_port(self) -> int:
        return self.ports["actions"]

    @property
    def tracker_db(self) -> Path:
        """Rasa's SQLite tracker store (embedded mode): what reached Rasa can be checked there."""
        return self.workdir / "var" / "rasa_tracker.db"

    @property
    def url(self) -> str:
        return self.url_of(0)

    def url_of(self, replica: int) -> str:
        """Return the base URL of one web replica."""
        return f"http://127.0.0.1:{self.ports[self.name('web', replica)]}"

    def env(self, replica: int = 0) -> dict[str, str]:
        """Environment of one replica: shared index and data folders, its own ports, loose limits."""
        return {
            **os.environ,
            "POLICYBOT_PATHS__INDEX_ROOT": str(self.workdir / "index"),
            "POLICYBOT_PATHS__VAR": str(self.workdir / "var"),
            "POLICYBOT_WEB__RASA_URL": f"http://127.0.0.1:{self.ports[self.name('rasa', replica)]}",
            "POLICYBOT_WEB__ACTIONS_URL": f"http://127.0.0.1:{self.ports[self.name('actions', replica)]}",
            "POLICYBOT_WEB__HEALTH_TIMEOUT_S": "2",
            "POLICYBOT_CHAT__SESSION_LIMIT": "200 per minute",
            "POLICYBOT_CHAT__IP_LIMIT": "1000 per minute",
            **self.extra_env,
        }

    def start(self, build_index: bool = True) -> Stack:
        """Build an index, start every process and wait until each web replica's ``/healthz`` says ok.

        Raises:
            RuntimeError: a part is missing or the stack is not healthy within 4 minutes.
        """
        for needed in (POLICYBOT, RASA, MODEL):
            if not needed.exists():
                raise RuntimeError(f"{needed} is missing: run `make install train` first")
        (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
        if build_index:
            build = [str(POLICYBOT), "index", "build"]
            subprocess.run(build, env=self.env(), check=True, capture_output=True, timeout=600)
        for replica in range(self.replicas):
            self.start_replica(replica)
        self.wait_healthy()
        return self

    def start_replica(self, replica: int, kinds: tuple[str, ...] = ("web", "actions", "rasa")) -> None:
        """Start (or restart) some processes of one replica without waiting for them."""
        env = self.env(replica)
        if "web" in kinds:
            port = self.ports[self.name("web", replica)]
            self._spawn(self.name("web", replica), [str(POLICYBOT), "serve", "--port", str(port)], env, ROOT)
        if "actions" in kinds:
            port = self.ports[self.name("actions", replica)]
            api = {**os.environ, "POLICYBOT_API_URL": self.url_of(replica)}
            self._spawn(self.name("actions", replica), [str(RASA_PY), "serve_actions.py", str(port)], api, BOT)
        if "rasa" in kinds:
            endpoints = self.workdir / f"endpoints-{replica + 1}.yml"
            subprocess.run(
                [str(POLICYBOT), "deploy", "rasa-endpoints", "--out", str(endpoints)],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )
            port = self.ports[self.name("rasa", replica)]
            rasa_args = ["run", "-i", "127.0.0.1", "-p", str(port), "--model", str(MODEL)]
            rasa_args += ["--credentials", "credentials.yml", "--endpoints", str(endpoints)]
            rasa_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
            self._spawn(self.name("rasa", replica), [str(RASA_PY), str(SERVE_RASA), *rasa_args], rasa_env, BOT)

    def _spawn(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = (self.workdir / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def health(self, replica: int = 0) -> dict[str, object]:
        """Return one web replica's ``/healthz`` body (``{}`` when it does not answer)."""
        try:
            with urllib.request.urlopen(self.url_of(replica) + "/healthz", timeout=5) as reply:
                body: dict[str, object] = json.loads(reply.read())
                return body
        except OSError:
            return {}

    def wait_healthy(self, timeout_s: float = 240) -> None:
        """Wait until the stack is healthy; raise with the logs' tails when it is not."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if all(self.health(i).get("status") == "ok" for i in range(self.replicas)):
                return
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.log_tail(name)}")
            time.sleep(1)
        tails = "\n".join(f"--- {n}\n{self.log_tail(n)}" for n in self.processes)
        raise RuntimeError(f"the stack was not healthy in {timeout_s:.0f} s: {self.health()}\n{tails}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        """Return the last lines a process wrote."""
        path = self.workdir / "logs" / f"{name}.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, name: str | None = None) -> None:
        """Stop one process (or all) and wait for it."""
        names = [name] if name else list(self.processes)
        for key in names:
            process = self.processes.get(key)
            if process and process.poll() is None:
                process.terminate()
        for key in names:
            process = self.processes.get(key)
            if process:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
