"""Whether a follow-up asks about a group ("妇女能申请吗") that the provisions quoted for it never mention."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from knowledge.facts import GROUPS


def named_group(question: str, groups: Mapping[str, list[str]]) -> tuple[str, str] | None:
    """Return (group code, the words the question uses for it) for the group a question names.

    Args:
        question: the message as typed.
        groups: the lexicon's phrases per group code.

    Returns:
        The group named by the longest phrase found, or None when the question names none.
    """
    best: tuple[str, str] | None = None
    for code, phrases in groups.items():
        for phrase in phrases:
            if phrase in question and (best is None or len(phrase) > len(best[1])):
                best = (code, phrase)
    return best


def unmentioned_group(question: str, quoted: Iterable[str], groups: Mapping[str, list[str]]) -> str | None:
    """Return the words for the group a question asks about when no quoted provision mentions that group
    (by any of its phrases or its official name), so the reply can say so; None otherwise.

    Args:
        question: the follow-up as typed ("妇女能申请吗").
        quoted: the texts of the provisions the reply quotes.
        groups: the lexicon's phrases per group code.
    """
    found = named_group(question, groups)
    if found is None:
        return None
    code, words = found
    names = [*groups.get(code, []), GROUPS.get(code, "")]
    texts = list(quoted)
    if any(name and name in text for name in names for text in texts):
        return None
    return words
