"""Metadata overrides from the admin forms: what a maintainer corrects or marks (废止, 被替代) becomes a
sources.yml entry, and sources.yml is edited in place, keeping its comments."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Any

import yaml

from knowledge.sources import MetaOverride, SourcesError, load_overrides
from webchat.uploads import UploadRefused

OVERRIDE_FIELDS = ("title", "number", "issuer", "date", "region", "period")


def override_from_form(form: dict[str, str], detected: dict[str, Any], regions: Container[str]) -> dict[str, Any]:
    """Turn the metadata form of one document into a sources.yml entry (only what differs from detection).

    Args:
        form: ``title, number, issuer, date, region, period`` as typed; period is ``""`` (as
            detected), ``十三五``, ``十四五``, ``none`` or ``YYYY-YYYY``.
        detected: the same fields as the ingestor detected them (period as a list or None).
        regions: the regions a document may carry (``RegionNames``: 全国, the lexicon's, any province or
            city region of the administrative-division dataset).

    Returns:
        The override entry (possibly empty).

    Raises:
        UploadRefused: a field is invalid (bad date, unknown region, bad period).
    """
    entry: dict[str, Any] = {}
    for name in ("title", "number", "issuer", "date", "region"):
        value = (form.get(name) or "").strip()
        if value == (detected.get(name) or ""):
            continue
        if name == "number" and not value:
            entry["no_number"] = True
            continue
        if not value:
            continue
        entry[name] = value
    if "region" in entry and entry["region"] not in regions:
        raise UploadRefused(f"未知地区“{entry['region']}”，请从列表中选择（或填写“全国”）")
    period = (form.get("period") or "").strip()
    plans = {"十三五": [2016, 2020], "十四五": [2021, 2025]}
    if period == "none":
        if detected.get("period") is not None:
            entry["no_period"] = True
    elif period in plans:
        if detected.get("period") != plans[period]:
            entry["period"] = plans[period]
    elif period:
        match = re.fullmatch(r"(\d{4})\s*[-–—]\s*(\d{4})", period)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise UploadRefused("规划期请填写“十三五”“十四五”，或“起始年-结束年”，如 2021-2025")
        entry["period"] = [int(match.group(1)), int(match.group(2))]
    try:
        MetaOverride.model_validate(entry)
    except ValueError as exc:
        raise UploadRefused("发布日期格式应为 YYYY-MM-DD，例如 2021-08-16") from exc
    return entry


def validity_from_form(form: Mapping[str, str], existing: MetaOverride) -> dict[str, Any]:
    """Turn the admin's validity form into the document's whole sources.yml entry.

    Args:
        form: ``status`` (现行, 已废止 or 被替代), ``superseded_by`` (title or 文号, for 被替代),
            ``effective`` and ``expiry`` (YYYY-MM-DD or empty).
        existing: the document's current sources.yml entry (its other fields are kept).

    Returns:
        The entry to write (only non-default fields).

    Raises:
        UploadRefused: an unknown status, a missing replacing document, a bad date.
    """
    status = (form.get("status") or "").strip()
    replacing = (form.get("superseded_by") or "").strip()
    if status not in ("现行", "已废止", "被替代"):
        raise UploadRefused("请选择时效：现行、已废止或被替代")
    if status == "被替代" and not replacing:
        raise UploadRefused("标记为“被替代”时，请填写替代它的文件名称或文号")
    entry = existing.model_dump(exclude_defaults=True)
    entry.pop("repealed", None)
    entry.pop("superseded_by", None)
    if status == "已废止":
        entry["repealed"] = True
    elif status == "被替代":
        entry["superseded_by"] = replacing
    for name in ("effective", "expiry"):
        value = (form.get(name) or "").strip()
        if value:
            entry[name] = value
        else:
            entry.pop(name, None)
    try:
        MetaOverride.model_validate(entry)
    except ValueError as exc:
        raise UploadRefused("施行日期、有效期至请按 YYYY-MM-DD 填写，例如 2026-01-01") from exc
    if entry.get("period") is not None:
        entry["period"] = list(entry["period"])
    return entry


def _top_level_key(line: str) -> str | None:
    """Return the key a top-level ``key:`` line of sources.yml opens, or None for other lines."""
    if not line or line[0] in " \t#\n\r":
        return None
    try:
        parsed = yaml.safe_load(line)
    except yaml.YAMLError:
        return None
    return str(next(iter(parsed))) if isinstance(parsed, dict) and parsed else None


def edit_overrides(path: Path, add: dict[str, dict[str, Any]], remove_files: set[str]) -> str:
    """Add entries to sources.yml and drop those of removed files, keeping every comment.

    The new text is validated (as the ingestor will read it) before it replaces the file atomically.

    Args:
        path: sources.yml.
        add: entries to append (their keys must not exist yet; an existing key is replaced).
        remove_files: file names whose entries (``name`` and ``name#N``) are dropped.

    Returns:
        The previous text (to restore if a later step fails).

    Raises:
        SourcesError: the result would not be a valid sources.yml.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    drop = set(add) | {k for k in load_overrides(path) if k.split("#", 1)[0] in remove_files}
    kept: list[str] = []
    skipping = False
    for line in old.splitlines(keepends=True):
        key = _top_level_key(line)
        if key is not None:
            skipping = key in drop
        elif line[:1] == "#":
            skipping = False  # a comment at the margin belongs to what follows it
        if not skipping:
            kept.append(line)
    text = "".join(kept)
    if add:
        if text and not text.endswith("\n"):
            text += "\n"
        block = yaml.safe_dump(add, allow_unicode=True, sort_keys=False, default_flow_style=None)
        text += ("\n" if text.strip() else "") + block
    fd, tmp = tempfile.mkstemp(prefix=".sources-", suffix=".yml", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        load_overrides(Path(tmp))
    except SourcesError:
        os.unlink(tmp)
        raise
    os.replace(tmp, path)
    return old
