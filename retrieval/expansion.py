"""Document expansion (doc2query): the citizen-style questions written for each provision.

They live in ``knowledge/doc2query/*.jsonl`` (one line per provision: ``{"id", "questions"}``),
keyed by provision id (``<document id>:<hash of its text>``), so a provision whose text changes
simply loses its questions until new ones are written.
"""

from __future__ import annotations

import json
from pathlib import Path


class ExpansionError(Exception):
    """A doc2query file is malformed; the message names the file and line."""


def load_questions(directory: Path) -> dict[str, list[str]]:
    """Read every ``*.jsonl`` file of ``directory``.

    Args:
        directory: the doc2query folder (missing = no expansion).

    Returns:
        Provision id → its questions (provisions without questions are left out).

    Raises:
        ExpansionError: a line is not JSON, or lacks a string ``id`` and a list of strings ``questions``.
    """
    out: dict[str, list[str]] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ExpansionError(f"{path} 第 {number} 行不是合法的 JSON：{exc}") from exc
            questions = row.get("questions") if isinstance(row, dict) else None
            if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not isinstance(questions, list):
                raise ExpansionError(f'{path} 第 {number} 行应为 {{"id": 条款编号, "questions": [问题…]}}')
            if not all(isinstance(q, str) for q in questions):
                raise ExpansionError(f"{path} 第 {number} 行：questions 只能包含文字")
            if questions:
                out.setdefault(row["id"], []).extend(q.strip() for q in questions if q.strip())
    return out
