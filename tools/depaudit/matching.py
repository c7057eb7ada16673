"""Is a pinned version affected by an OSV advisory? The OSV rules for PyPI, with PEP 440 ordering.

An advisory's ``affected[]`` entry for a package says a version is affected when it lies in one of the
``ranges`` of type ECOSYSTEM, or when it is listed in ``versions``. A range is a list of events
(``introduced``, ``fixed``, ``last_affected``); sorted by version, a version is affected when the last event
at or below it opens the range: ``introduced`` ≤ v, no ``fixed`` ≤ v after it, and v ≤ ``last_affected``
(inclusive) — the algorithm of the OSV schema, with versions ordered by ``packaging.version`` (so
``2.0.0rc1`` < ``2.0.0``, ``1.0.post1`` > ``1.0``). GIT ranges (commit hashes) say nothing about a released
version and are ignored. Withdrawn advisories match nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from tools.depaudit.locks import normalise

_ZERO = Version("0")


@dataclass(frozen=True)
class Event:
    """One event of an ECOSYSTEM range: kind is introduced, fixed or last_affected."""

    kind: str
    version: Version


@dataclass(frozen=True)
class Affected:
    """One ``affected[]`` entry of an advisory: one package's ranges and explicit versions."""

    key: str  # PEP 503 normalised package name
    ranges: tuple[tuple[Event, ...], ...]
    versions: frozenset[Version]
    unparsed: tuple[str, ...] = ()  # event/version strings that are not PEP 440 (reported, never guessed)


@dataclass(frozen=True)
class Advisory:
    """The parts of an OSV record the audit uses."""

    id: str
    aliases: tuple[str, ...]
    summary: str
    published: str
    affected: tuple[Affected, ...]
    withdrawn: str = ""
    severity: tuple[str, ...] = field(default=())

    @property
    def names(self) -> frozenset[str]:
        """Returns the advisory's id and all its aliases (CVE, GHSA, PYSEC ids name the same flaw)."""
        return frozenset((self.id, *self.aliases))


def _version(text: str, unparsed: list[str]) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        unparsed.append(text)
        return None


def parse_advisory(record: dict[str, Any]) -> Advisory:
    """Builds an ``Advisory`` from an OSV record (JSON or YAML, already parsed), keeping PyPI entries only.

    Returns:
        The advisory; version strings that are not PEP 440 are kept in ``Affected.unparsed``, not guessed.
    """
    entries: list[Affected] = []
    for entry in record.get("affected") or []:
        package = entry.get("package") or {}
        if str(package.get("ecosystem", "")) != "PyPI" or not package.get("name"):
            continue
        unparsed: list[str] = []
        ranges: list[tuple[Event, ...]] = []
        for rng in entry.get("ranges") or []:
            if rng.get("type") != "ECOSYSTEM":
                continue
            events: list[Event] = []
            for event in rng.get("events") or []:
                for kind, value in event.items():
                    if kind not in ("introduced", "fixed", "last_affected"):
                        continue
                    parsed = _ZERO if str(value) == "0" else _version(str(value), unparsed)
                    if parsed is not None:
                        events.append(Event(kind, parsed))
            ranges.append(tuple(events))
        versions = {v for v in (_version(str(s), unparsed) for s in entry.get("versions") or []) if v is not None}
        entries.append(Affected(normalise(str(package["name"])), tuple(ranges), frozenset(versions), tuple(unparsed)))
    details = str(record.get("summary") or record.get("details") or "").strip()
    return Advisory(
        id=str(record["id"]),
        aliases=tuple(str(a) for a in record.get("aliases") or []),
        summary=details.splitlines()[0] if details else "",
        published=str(record.get("published") or ""),
        affected=tuple(entries),
        withdrawn=str(record.get("withdrawn") or ""),
        severity=tuple(str(s.get("score", "")) for s in record.get("severity") or []),
    )


def _sort_key(event: Event) -> tuple[Version, int]:
    # At one version an introduced comes before the fixed/last_affected of the same version (OSV: the
    # range is then empty at that point, which is what a zero-width range means).
    return (event.version, 0 if event.kind == "introduced" else 1)


def in_range(version: Version, events: tuple[Event, ...]) -> bool:
    """Returns whether ``version`` lies in one ECOSYSTEM range (the OSV schema's evaluation algorithm)."""
    affected = False
    for event in sorted(events, key=_sort_key):
        if event.kind == "introduced":
            if event.version == _ZERO or version >= event.version:  # "0": from the first release on
                affected = True
        elif event.kind == "fixed":
            if version >= event.version:
                affected = False
        elif event.kind == "last_affected" and version > event.version:
            affected = False
    return affected


def why_affected(advisory: Advisory, key: str, version: Version, *, withdrawn: bool = False) -> str | None:
    """Says why package ``key`` at ``version`` is affected by ``advisory``.

    Args:
        withdrawn: also match a withdrawn advisory (to report what was set aside, never as a finding).

    Returns:
        A short reason ("range introduced 1.0.5, fixed 3.9.2" or "listed version"), or None when the
        version is not affected (or the advisory is withdrawn or is about other packages).
    """
    if advisory.withdrawn and not withdrawn:
        return None
    for entry in advisory.affected:
        if entry.key != key:
            continue
        for events in entry.ranges:
            if in_range(version, events):
                return "range " + ", ".join(f"{e.kind} {e.version}" for e in sorted(events, key=_sort_key))
        if version in entry.versions:
            return "listed version"
    return None


def fixed_versions(advisory: Advisory, key: str, version: Version) -> list[Version]:
    """Returns the ``fixed`` versions above ``version`` for package ``key`` (the upgrade candidates), sorted."""
    found = {
        e.version
        for entry in advisory.affected
        if entry.key == key
        for events in entry.ranges
        for e in events
        if e.kind == "fixed" and e.version > version
    }
    return sorted(found)
