"""The triage file: a decision for every finding, and the comparison of decisions with what was found.

``requirements/audit-triage.yml`` holds a list ``findings`` of entries::

    - id: PYSEC-2024-24          # the advisory, or any of its aliases (CVE-…, GHSA-…)
      package: aiohttp
      lock: rasa                 # optional: only this lock file (app | rasa); absent: both
      decision: not-reachable    # upgraded | not-reachable | accepted
      reason: 我们不用 aiohttp 提供静态文件……   # required for not-reachable and accepted

``upgraded`` records a fix: the lock must no longer pin an affected version (if it still does, the finding
counts as untriaged). ``not-reachable`` and ``accepted`` cover a finding that still matches; when their
advisory no longer matches anything they are stale (a warning: remove them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.depaudit.locks import normalise
from tools.depaudit.sources import Finding, Source

DECISIONS = {
    "upgraded": "已升级",
    "not-reachable": "用法上不可达",
    "accepted": "接受风险",
}


class TriageError(ValueError):
    """The triage file is malformed (the message is in Chinese and names the entry)."""


@dataclass(frozen=True)
class Entry:
    """One triage decision."""

    id: str
    key: str  # PEP 503 normalised package name
    decision: str
    reason: str
    lock: str = ""  # "" = every lock file
    upgraded_to: str = ""

    def covers(self, finding: Finding) -> bool:
        """Returns whether this entry is about ``finding`` (same package, lock and advisory or alias)."""
        return (
            self.key == finding.pin.key
            and self.id in finding.names
            and (not self.lock or self.lock == finding.pin.lock)
        )


@dataclass
class Outcome:
    """Findings set against decisions."""

    triaged: list[tuple[Finding, Entry]] = field(default_factory=list)
    untriaged: list[Finding] = field(default_factory=list)
    still_affected: list[tuple[Finding, Entry]] = field(default_factory=list)  # marked upgraded, still matches
    stale: list[Entry] = field(default_factory=list)
    unchecked: list[Entry] = field(default_factory=list)  # the source does not hold the advisory at all
    upgraded: list[Entry] = field(default_factory=list)  # marked upgraded and no longer matching

    @property
    def ok(self) -> bool:
        """Returns whether every finding has a standing decision (stale entries are only warnings)."""
        return not self.untriaged and not self.still_affected


def load(path: Path) -> list[Entry]:
    """Reads the triage file; a missing file is an empty list.

    Returns:
        The entries in file order.

    Raises:
        TriageError: the file is not valid YAML, or an entry lacks a field, has an unknown decision, lacks
            the reason its decision requires, or repeats another entry.
    """
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise TriageError(f"无法读取处理记录 {path}：{exc}") from exc
    raw = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise TriageError(f"{path}：应有顶层列表 findings。")
    entries: list[Entry] = []
    seen: set[tuple[str, str, str]] = set()
    for number, item in enumerate(raw, start=1):
        where = f"{path} 第 {number} 条"
        if not isinstance(item, dict) or not item.get("id") or not item.get("package"):
            raise TriageError(f"{where}：缺少 id 或 package。")
        decision = str(item.get("decision", ""))
        if decision not in DECISIONS:
            allowed = " / ".join(DECISIONS)
            raise TriageError(f"{where}（{item['id']}）：decision 必须是 {allowed}，而不是 “{decision}”。")
        reason = str(item.get("reason") or "").strip()
        if decision != "upgraded" and not reason:
            raise TriageError(f"{where}（{item['id']}）：{decision} 必须写明理由（reason）。")
        lock = str(item.get("lock") or "")
        entry = Entry(str(item["id"]), normalise(str(item["package"])), decision, reason, lock, str(item.get("to", "")))
        if (entry.id, entry.key, entry.lock) in seen:
            raise TriageError(f"{where}：{entry.id} / {entry.key} 重复。")
        seen.add((entry.id, entry.key, entry.lock))
        entries.append(entry)
    return entries


def reconcile(findings: list[Finding], entries: list[Entry], source: Source) -> Outcome:
    """Sets each finding against the decisions.

    An entry that matches nothing is stale only when ``source`` holds its advisory: an entry for an
    advisory published after the offline snapshot (triaged from OSV online) cannot be checked against it.

    Returns:
        The outcome: triaged findings, untriaged ones, upgraded entries that still match, stale and
        unchecked entries.
    """
    outcome = Outcome()
    used: set[int] = set()
    for finding in findings:
        matching = [(i, e) for i, e in enumerate(entries) if e.covers(finding)]
        used.update(i for i, _ in matching)
        standing = [e for _, e in matching if e.decision != "upgraded"]
        if standing:
            outcome.triaged.append((finding, standing[0]))
        elif matching:
            outcome.still_affected.append((finding, matching[0][1]))
        else:
            outcome.untriaged.append(finding)
    for index, entry in enumerate(entries):
        if index in used:
            continue
        if entry.decision == "upgraded":
            outcome.upgraded.append(entry)
        elif source.knows(entry.id):
            outcome.stale.append(entry)
        else:
            outcome.unchecked.append(entry)
    return outcome
