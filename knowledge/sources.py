"""Per-file metadata overrides from ``knowledge/sources.yml``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from knowledge.yamlfile import read_mapping


class SourcesError(Exception):
    """sources.yml is malformed; the message names the entry and the problem."""


class MetaOverride(BaseModel):
    """Fields a maintainer may set for a document; unset fields keep the detected value."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    number: str | None = None
    issuer: str | None = None
    date: str | None = None
    region: str | None = None
    period: tuple[int, int] | None = None
    no_number: bool = False  # the document has no 文号 even if one is detected
    no_period: bool = False  # the document is not a five-year plan
    effective: str | None = None  # YYYY-MM-DD it takes effect (wins over "自…起施行" in the text)
    expiry: str | None = None  # YYYY-MM-DD of its last day in force (wins over the text and the plan period)
    repealed: bool = False  # 废止
    superseded_by: str | None = None  # title or 文号 of the document that replaces it

    @field_validator("date", "effective", "expiry", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """Accept ``2022-03-14`` quoted or not (unquoted, YAML reads it as a date)."""
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise ValueError(f"日期“{value}”的格式应为 YYYY-MM-DD，例如 2022-03-14") from None
        return value

    @field_validator("superseded_by")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


def load_overrides(path: Path) -> dict[str, MetaOverride]:
    """Load sources.yml.

    Keys are file names (``003_x.txt``) or, for a file holding several documents, the file name
    with ``#N`` for the N-th document (``002_x.txt#2``).

    Args:
        path: the sources.yml file; a missing file means no overrides.

    Returns:
        Overrides by key.

    Raises:
        SourcesError: the file is not YAML or an entry is invalid.
    """
    if not path.exists():
        return {}
    data = read_mapping(path, "元数据文件", SourcesError)
    overrides: dict[str, MetaOverride] = {}
    for key, value in data.items():
        try:
            overrides[str(key)] = MetaOverride.model_validate(value or {})
        except ValidationError as exc:
            raise SourcesError(f"{path} 中 {key} 的元数据有误: {exc}") from exc
    return overrides
