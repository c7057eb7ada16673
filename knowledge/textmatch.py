"""The text comparison of SPEC §4: NFKC, then drop whitespace, punctuation (P*) and symbols (S*)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=65536)
def _keep(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch)[0] not in "PS"


def match_key(text: str) -> str:
    """Return the form under which two texts are compared.

    Args:
        text: any text.

    Returns:
        ``text`` NFKC-normalised with every whitespace, punctuation and symbol character removed.
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if _keep(ch))
