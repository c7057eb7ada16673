"""Read a YAML file whose top level must be a mapping (or a list), with errors a maintainer can act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_mapping(path: Path, what: str, error: type[Exception]) -> dict[str, Any]:
    """Parse ``path`` as YAML and return its top-level mapping.

    Args:
        path: the file.
        what: how to name the file in messages, e.g. "配置文件" or "词库文件".
        error: the exception type to raise.

    Returns:
        The mapping (empty for an empty file).

    Raises:
        error: the file is missing, is not YAML, or its top level is not a mapping.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as exc:
        raise error(f"{what}不存在: {path}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{what} {path} 不是合法的 YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{what} {path} 的顶层必须是键值对")
    return data


def read_list(path: Path, what: str, error: type[Exception]) -> list[Any]:
    """Parse ``path`` as YAML and return its top-level list.

    Raises:
        error: the file is missing, is not YAML, or its top level is not a non-empty list.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{what}不存在: {path}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{what} {path} 不是合法的 YAML: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise error(f"{what} {path} 的顶层必须是非空列表")
    return data
