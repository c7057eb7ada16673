"""The generated lexicon the bot reads text with: places, group and employment phrases, fact labels."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

LEXICON_FILE = Path(__file__).with_name("lexicon.json")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Return the generated lexicon (places, group and employment phrases, fact labels)."""
    loaded: dict[str, Any] = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return loaded
