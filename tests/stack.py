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


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Three processes and where they listen; ``stop()`` ends them."""

    workdir: Path
    web_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def tracker_db(self) -> Path:
        """Rasa's SQLite tracker store: what reached Rasa can be checked there."""
        return self.workdir / "rasa_tracker.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        """Environment of the web app: its own index and data folders, the stack's ports, loose limits."""
        return {
            **os.environ,
            "POLICYBOT_PATHS__INDEX_ROOT": str(self.workdir / "index"),
            "POLICYBOT_PATHS__VAR": str(self.workdir / "var"),
            "POLICYBOT_WEB__RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "POLICYBOT_WEB__ACTIONS_URL": f"http://127.0.0.1:{self.actions_port}",
            "POLICYBOT_WEB__HEALTH_TIMEOUT_S": "2",
            "POLICYBOT_CHAT__SESSION_LIMIT": "200 per minute",
            "POLICYBOT_CHAT__IP_LIMIT": "1000 per minute",
        }

    def start(self, build_index: bool = True) -> Stack:
        """Build an index, start the three processes and wait until ``/healthz`` says ok.

        Raises:
            RuntimeError: a part is missing or the stack is not healthy within 4 minutes.
        """
        for needed in (POLICYBOT, RASA, MODEL):
            if not needed.exists():
                raise RuntimeError(f"{needed} is missing: run `make install train` first")
        env = self.env()
        logs = self.workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        if build_index:
            subprocess.run([str(POLICYBOT), "index", "build"], env=env, check=True, capture_output=True, timeout=600)
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {self.tracker_db}\n"
        )
        self._spawn("web", [str(POLICYBOT), "serve", "--port", str(self.web_port)], env, ROOT)
        self._spawn(
            "actions",
            [str(RASA_PY), "serve_actions.py", str(self.actions_port)],
            {**os.environ, "POLICYBOT_API_URL": self.url},
            BOT,
        )
        rasa_args = ["run", "-i", "127.0.0.1", "-p", str(self.rasa_port), "--model", str(MODEL)]
        rasa_args += ["--credentials", "credentials.yml", "--endpoints", str(endpoints)]
        self._spawn("rasa", [str(RASA), *rasa_args], {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, BOT)
        self.wait_healthy()
        return self

    def _spawn(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = (self.workdir / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)

    def health(self) -> dict[str, object]:
        """Return the web app's ``/healthz`` body (``{}`` when it does not answer)."""
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=5) as reply:
                body: dict[str, object] = json.loads(reply.read())
                return body
        except OSError:
            return {}

    def wait_healthy(self, timeout_s: float = 240) -> None:
        """Wait until the stack is healthy; raise with the logs' tails when it is not."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.health().get("status") == "ok":
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
