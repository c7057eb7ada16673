"""Whether a follow-up asks about a group ("妇女能申请吗") that the provisions quoted for it never mention,
and the words that name that group in a provision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from knowledge.facts import GROUPS
from knowledge.lexicon import Lexicon

SUBJECT_MIN_CHARS = 4  # shorter terms (贴息, 见习) are words of a topic rather than a topic of their own


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


def group_names(question: str, groups: Mapping[str, list[str]]) -> list[str]:
    """Return every word that names the group ``question`` asks about (its lexicon phrases and its
    official name), or [] when the question names no group."""
    found = named_group(question, groups)
    if found is None:
        return []
    code = found[0]
    return [name for name in [*groups.get(code, []), GROUPS.get(code, "")] if name]


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
    names, texts = group_names(question, groups), list(quoted)
    if any(name in text for name in names for text in texts):
        return None
    return found[1]


def subject_terms(lexicon: Lexicon) -> tuple[str, ...]:
    """Return the lexicon's policy terms that name a subject of their own ("创业担保贷款", "就业见习补贴"):
    at least ``SUBJECT_MIN_CHARS`` long and not words for a group of people ("退役军人", "灵活就业")."""
    group_words = {phrase for phrases in lexicon.groups.values() for phrase in phrases} | set(GROUPS.values())
    return tuple(t for t in lexicon.terms if len(t) >= SUBJECT_MIN_CHARS and t not in group_words)


def groups_named(text: str, groups: Mapping[str, list[str]]) -> set[str]:
    """Return the codes of every group ``text`` names by one of its lexicon phrases or its official name."""
    return {code for code, phrases in groups.items() if any(p in text for p in [*phrases, GROUPS.get(code, "")] if p)}
