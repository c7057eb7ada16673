"""Whether a phrase in a message is said of the asker: not right after a denial ("不是贫困户"), not of a
family member ("老公打散工"), and, where that matters, not a wish ("想搞大棚种菜")."""

from __future__ import annotations

import re

_NEGATION = "没不未冇别唔非"
_PHRASE_NEGATION_WINDOW = 3  # "没打算开店", "不想做生意": an employment phrase after a denial is not stated

# "男人出去打工", "老公在家种地", "个仔今年初中毕业冇考到高中": a family member's situation, not the asker's
_FAMILY = re.compile(r"老公|男人|丈夫|媳妇|老婆|爱人|孩子|儿子|闺女|女儿|个仔|个女|老豆|老母|爸|妈|爹|娘")
_CLAUSE_END = re.compile(r"[，,。！!？?；;\s]")
_FIRST_PERSON = re.compile(r"我|俺|自己|本人|咱")
_JOINT = re.compile(r"(和|跟|同|与|还有)$")  # "我和老公都在厂里上班": both

_WISH = re.compile(r"(想|打算|准备|要|计划)[^，。,\s]{0,3}$")


def someone_else(text: str, start: int) -> bool:
    """Whether what starts at ``text[start]`` is said of a family member named before it in the same clause,
    with no 我/俺 in between and not jointly with the asker ("我和老公都…")."""
    clause = _CLAUSE_END.split(text[:start])[-1]
    named = list(_FAMILY.finditer(clause))
    if not named:
        return False
    last = named[-1]
    return not _FIRST_PERSON.search(clause[last.end() :]) and not _JOINT.search(clause[: last.start()])


def negated_before(text: str, start: int, window: int) -> bool:
    """Whether a negation (没/不/未/冇/别/唔/非) stands within ``window`` characters before ``text[start]``."""
    return any(c in _NEGATION for c in text[max(0, start - window) : start])


def stated(text: str, phrase: str, wishes_count: bool = True) -> bool:
    """Whether ``phrase`` occurs in ``text`` not right after a denial ("不想做生意" does not say 做生意), not
    said of a family member, and (unless ``wishes_count``) not right after a wish ("想搞大棚种菜")."""
    start = text.find(phrase)
    while start >= 0:
        wish = not wishes_count and _WISH.search(text[:start]) is not None
        if not negated_before(text, start, _PHRASE_NEGATION_WINDOW) and not someone_else(text, start) and not wish:
            return True
        start = text.find(phrase, start + 1)
    return False
