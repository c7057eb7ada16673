"""Private PostgreSQL and Redis servers on free loopback ports, for the scale-out and fault tests.

Each test session gets its own throw-away instances (data in a temporary folder, listening on
127.0.0.1 only), so nothing depends on, or touches, servers the machine may already run.
PostgreSQL refuses to run as root: as root the server is run as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.stack import free_port

PG_USER = "policybot"
PG_DB = "policybot"


def postgres_bin() -> Path | None:
    """Return the folder of PostgreSQL's server programs (Debian keeps them off PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def redis_server() -> str | None:
    """Return the redis-server program, or None."""
    return shutil.which("redis-server")


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Postgres:
    """A PostgreSQL cluster of our own: ``start()``, ``restart()``, ``stop()``."""

    port: int = field(default_factory=free_port)
    datadir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="policybot-pg-")))

    @property
    def url(self) -> str:
        """``postgresql://policybot@127.0.0.1:<port>/policybot`` (trust auth on loopback, tests only)."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{PG_DB}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        binary = postgres_bin()
        if binary is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        command = _as_server_user([str(binary / args[0]), *args[1:]])
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def start(self) -> Postgres:
        """Create the cluster (first time), start it and create the database."""
        data = self.datadir / "data"
        if not data.exists():
            if os.geteuid() == 0:
                shutil.chown(self.datadir, "postgres", "postgres")
            self._run("initdb", "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._pg_ctl("start")
        if not self._database_exists():
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, PG_DB)
        return self

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
        args = ["pg_ctl", action, "-D", str(self.datadir / "data"), "-w", "-t", "60"]
        if action in ("start", "restart"):
            args += ["-o", options, "-l", str(self.datadir / "server.log")]
        else:
            args += ["-m", "fast"]
        self._run(*args)

    def _database_exists(self) -> bool:
        query = f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'"
        result = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "-d", "postgres", "-tAc", query
        )
        return result.stdout.strip() == "1"

    def query(self, sql: str) -> str:
        """Run one SQL statement with psql and return its unaligned output."""
        result = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "-d", PG_DB, "-tAc", sql)
        return result.stdout.strip()

    def restart(self) -> None:
        """Stop the server (fast shutdown: clients are cut off) and start it again."""
        self._pg_ctl("stop")
        self._pg_ctl("start")

    def stop(self) -> None:
        """Stop the server and delete its data."""
        if (self.datadir / "data" / "postmaster.pid").exists():
            self._pg_ctl("stop")
        shutil.rmtree(self.datadir, ignore_errors=True)


@dataclass
class Redis:
    """A Redis server of our own, in memory only."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        """Start the server and wait until it answers PING."""
        program = redis_server()
        if program is None:
            raise RuntimeError("Redis is not installed (apt-get install redis-server)")
        args = [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cli = shutil.which("redis-cli") or "redis-cli"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            probe = subprocess.run([cli, "-p", str(self.port), "ping"], capture_output=True, text=True)
            if probe.stdout.strip() == "PONG":
                return self
            time.sleep(0.2)
        raise RuntimeError("redis-server did not answer within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
