"""Where advisories come from: OSV online (when reachable) or the offline PyPA snapshot, and what matched.

Both sources give ``Finding``s for a list of pins; both are described by a ``Source`` (name and date) that
the audit always prints, so a clean result never hides how old its data was.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from tools.depaudit.locks import Pin, normalise
from tools.depaudit.matching import Advisory, fixed_versions, parse_advisory, why_affected

# A version every honest OSV service knows to be vulnerable: a reply without advisories for it means the
# service (or a mirror) is empty or a stub, and must not pass as "no findings".
_PROBE = {"package": {"name": "jinja2", "ecosystem": "PyPI"}, "version": "2.4.1"}


class SourceError(RuntimeError):
    """No advisory source can be used (the message is in Chinese, for the maintainer)."""


@dataclass(frozen=True)
class Source:
    """Which advisory data an audit used: printed with every result."""

    kind: str  # "online" | "snapshot"
    location: str
    date: str  # the snapshot's date, or when OSV was queried (UTC)
    note: str = ""
    known: frozenset[str] | None = None  # every advisory id and alias the source holds; None: all (online)
    withdrawn: tuple[str, ...] = ()  # "ID/package" of withdrawn advisories that would match (not findings)

    def knows(self, advisory_id: str) -> bool:
        """Returns whether this source holds the advisory (so a triage entry for it can be checked)."""
        return self.known is None or advisory_id in self.known


@dataclass(frozen=True)
class Finding:
    """One advisory that affects one pinned package."""

    pin: Pin
    advisory: Advisory
    reason: str
    fixed: tuple[str, ...]

    @property
    def names(self) -> frozenset[str]:
        """Returns every id the advisory is known by (id and aliases)."""
        return self.advisory.names


def _finding(pin: Pin, advisory: Advisory, reason: str | None) -> Finding:
    fixed = tuple(str(v) for v in fixed_versions(advisory, pin.key, pin.parsed))
    return Finding(pin, advisory, reason or "OSV 在线服务判定受影响", fixed)


def merge_aliases(findings: Iterable[Finding]) -> list[Finding]:
    """Keeps one finding per pin and flaw: records that alias each other (PYSEC/GHSA/CVE) are one flaw.

    Returns:
        The findings, PYSEC records preferred (the offline snapshot's ids), sorted by lock, package and id.
    """
    kept: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (not f.advisory.id.startswith("PYSEC-"), f.advisory.id)):
        if not any(k.pin == finding.pin and k.names & finding.names for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.pin.lock, f.pin.key, f.advisory.id))


class Snapshot:
    """The offline OSV snapshot: ``vulns/<package>/<ID>.yaml`` (PyPA advisory-database) or ``.json`` files."""

    def __init__(self, root: Path, packages: Collection[str] | None = None) -> None:
        """Loads the advisories under ``root/vulns``.

        Args:
            packages: PEP 503 names to load (None: all). The PyPA layout files each advisory under the folder
                of the one package it is about (``tests/test_depaudit.py`` checks this holds for the whole
                snapshot), so the other folders are skipped unread — a large part of the run time.

        Raises:
            SourceError: the folder does not exist or holds no advisory.
        """
        self.root = root
        vulns = root / "vulns"
        files = sorted([*vulns.glob("*/*.yaml"), *vulns.glob("*/*.json")]) if vulns.is_dir() else []
        if not files:
            raise SourceError(f"离线漏洞库 {root} 不存在或没有公告（应包含 vulns/<包名>/<编号>.yaml）。")
        self.by_package: dict[str, list[Advisory]] = defaultdict(list)
        self.count = len(files)
        self.known: set[str] = {path.stem for path in files}
        for path in files:
            if packages is not None and normalise(path.parent.name) not in packages:
                continue
            text = path.read_text(encoding="utf-8")
            # BaseLoader keeps every scalar a string: an unquoted 1.10 must not become the float 1.1.
            record = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CBaseLoader)
            advisory = parse_advisory(record)
            self.known.update(advisory.names)
            for key in {entry.key for entry in advisory.affected}:
                self.by_package[key].append(advisory)

    def date(self) -> str:
        """Returns the snapshot's date: the commit date SNAPSHOT.md names, else the newest ``modified``."""
        readme = self.root / "SNAPSHOT.md"
        if readme.is_file():
            match = re.search(r"committed (\d{4}-\d{2}-\d{2})", readme.read_text(encoding="utf-8"))
            if match:
                return match[1]
        newest = max((a.published for advisories in self.by_package.values() for a in advisories), default="")
        return newest[:10] or "未知"

    def source(self, shown_as: str, pins: Iterable[Pin] = ()) -> Source:
        """Returns the description printed with the result (``shown_as``: the path as the user gave it).

        The withdrawn advisories that would match ``pins`` are named, so that setting them aside is visible.
        """
        withdrawn = sorted(
            {
                f"{a.id}/{pin.key}"
                for pin in pins
                for a in self.by_package.get(pin.key, [])
                if a.withdrawn and why_affected(a, pin.key, pin.parsed, withdrawn=True)
            }
        )
        date = self.date()
        note = f"{date} 之后发布的漏洞公告不在此快照中；能访问 OSV 时会自动改用在线服务。"
        known = frozenset(self.known)
        return Source("snapshot", f"{shown_as}（{self.count} 条公告）", date, note, known, tuple(withdrawn))

    def findings(self, pins: Iterable[Pin]) -> list[Finding]:
        """Returns the advisories of the snapshot that affect each pin, one per flaw."""
        found = []
        for pin in pins:
            for advisory in self.by_package.get(pin.key, []):
                reason = why_affected(advisory, pin.key, pin.parsed)
                if reason is not None:
                    found.append(_finding(pin, advisory, reason))
        return merge_aliases(found)


class OsvOnline:
    """The OSV web API (``/v1/querybatch`` and ``/v1/vulns/<id>``) at ``base_url``."""

    def __init__(self, base_url: str, timeout: float) -> None:
        """Keeps the service address (e.g. ``https://api.osv.dev/v1``) and the per-request timeout (seconds)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    def probe(self) -> str | None:
        """Asks the service about a version known to be vulnerable.

        Returns:
            None when it answers and knows that version's advisories; otherwise why it cannot be used
            (unreachable, or an empty or incomplete service that must not pass as "no findings").
        """
        try:
            reply = self._call("/querybatch", {"queries": [_PROBE]})
        except (OSError, ValueError, urllib.error.URLError) as exc:
            return f"不可达（{getattr(exc, 'reason', exc)}，超时 {self.timeout:g} 秒）"
        try:
            known = bool(reply["results"][0].get("vulns"))
        except (KeyError, IndexError, TypeError, AttributeError):
            known = False
        return None if known else "应答中没有 jinja2 2.4.1 的已知漏洞（空库或不完整的镜像），不能采信"

    def source(self) -> Source:
        """Returns the description printed with the result (queried now)."""
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return Source("online", self.base_url, now, "查询时的最新数据。")

    def findings(self, pins: list[Pin]) -> list[Finding]:
        """Returns the advisories OSV reports for each pin, one per flaw.

        Raises:
            SourceError: the service stopped answering part way (no half result is returned).
        """
        try:
            queries = [{"package": {"name": p.key, "ecosystem": "PyPI"}, "version": p.version} for p in pins]
            ids: list[set[str]] = [set() for _ in pins]
            pending = list(range(len(pins)))
            tokens: dict[int, str] = {}
            while pending:
                batch = [dict(queries[i], **({"page_token": tokens[i]} if i in tokens else {})) for i in pending]
                results = self._call("/querybatch", {"queries": batch})["results"]
                still = []
                for index, result in zip(pending, results, strict=True):
                    ids[index].update(v["id"] for v in result.get("vulns") or [])
                    if result.get("next_page_token"):
                        tokens[index] = result["next_page_token"]
                        still.append(index)
                pending = still
            unique = sorted(set().union(*ids)) if ids else []
            with ThreadPoolExecutor(max_workers=8) as pool:
                records = dict(zip(unique, pool.map(lambda i: self._call(f"/vulns/{i}"), unique), strict=True))
        except (OSError, ValueError, KeyError, TypeError, urllib.error.URLError) as exc:
            raise SourceError(f"OSV 在线服务 {self.base_url} 查询中途失败：{exc}") from exc
        found = []
        for pin, pin_ids in zip(pins, ids, strict=True):
            for vuln_id in sorted(pin_ids):
                advisory = parse_advisory(records[vuln_id])
                if advisory.withdrawn:
                    continue
                found.append(_finding(pin, advisory, why_affected(advisory, pin.key, pin.parsed)))
        return merge_aliases(found)
