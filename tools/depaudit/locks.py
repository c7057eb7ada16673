"""Read a lock file of exact pins (``name==version``) into normalised package pins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;#]+)\s*(?:[;#].*)?$")


class LockError(ValueError):
    """A lock file line that is not an exact pin (the message is in Chinese, for the maintainer)."""


@dataclass(frozen=True)
class Pin:
    """One pinned package of one lock file."""

    name: str  # as written in the lock file
    key: str  # PEP 503 normalised name (what advisories are matched on)
    version: str
    lock: str  # the lock file's short name: "app" for requirements/app.lock

    @property
    def parsed(self) -> Version:
        """Returns the pinned version as a PEP 440 ``Version``."""
        return Version(self.version)


def normalise(name: str) -> str:
    """Returns the PEP 503 normalised form of a package name (``Ruamel.YAML`` → ``ruamel-yaml``)."""
    return str(canonicalize_name(name))


def read_lock(path: Path) -> list[Pin]:
    """Reads the exact pins of one lock file.

    Returns:
        The pins in file order; comment and blank lines are skipped.

    Raises:
        LockError: a line is not ``name==version`` with a PEP 440 version, or the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LockError(f"无法读取锁定文件 {path}：{exc.strerror or exc}") from exc
    pins: list[Pin] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if match is None:
            raise LockError(f"{path}:{number}：不是精确版本锁定（应为 名称==版本）：{line}")
        version = match["version"]
        try:
            Version(version)
        except InvalidVersion as exc:
            raise LockError(f"{path}:{number}：版本号不符合 PEP 440：{version}") from exc
        pins.append(Pin(match["name"], normalise(match["name"]), version, path.stem))
    return pins
