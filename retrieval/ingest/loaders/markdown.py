"""Markdown files: YAML front matter as metadata, light markup removed from the body."""

from __future__ import annotations

import re
from typing import Any

import yaml

_FRONT = re.compile(r"\A\s*---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(.+?)\1")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_QUOTE = re.compile(r"^\s{0,3}>\s?", re.MULTILINE)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body.

    Args:
        text: the whole file.

    Returns:
        ``(metadata, body)``; metadata is empty when there is no (valid) front matter.
    """
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return {str(k): v for k, v in meta.items()}, text[match.end() :]


def markdown_to_text(body: str) -> str:
    """Return the body with Markdown markup removed but every word kept."""
    body = _IMAGE.sub("", body)
    body = _LINK.sub(r"\1", body)
    body = _EMPHASIS.sub(r"\2", body)
    body = _HEADING.sub("", body)
    return _QUOTE.sub("", body)
