"""Read a short follow-up ("那宁夏呢", "要啥条件", "利息多少") against the conversation's topic."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from knowledge.regions import RegionTable

_STARTS_FOLLOWUP = re.compile(r"^(那|那么|那要是|要是|还有|另外|这个|那个|这种|如果|咁|噉|咁样|如果系)")  # 咁: 粤 "那"
_POINTS_BACK = re.compile(
    r"这个|这种|这样|这项|这些|那个|那种|我这|俺这|那边|这边|它|呢[？?。\s]*$|"
    # whether the same holds for someone else or in their case ("他也能申请不", "佢表妹…得唔得")
    r"得唔得|得不得|行不行|行唔行|中不中|(他|她|佢|俺|我)也|也(能|可以|行|算|有份)"
)
_NOISE = re.compile(r"[\s\W_]+")
# A question that names a plan or a document ("十三五那些政策", "28号文") stands on its own.
_NAMES_ITS_SUBJECT = re.compile(r"十[三四五]五|〔\d{4}〕|\d+号文")
# Replies that carry no question of their own ("不清楚", "好的", "嗯"): never read against the topic.
_NOT_A_QUESTION = re.compile(
    r"(不知道|不清楚|不晓得|不懂|好的?|好吧|行|嗯+|哦+|是的?|对|没有|没了|谢谢|可以|不用了?|跳过|算了)+"
)


def is_bare_reply(text: str) -> bool:
    """Return True for a reply with no question of its own ("不清楚", "好的", "嗯")."""
    return bool(_NOT_A_QUESTION.fullmatch(_NOISE.sub("", text)))


@dataclass(frozen=True)
class Resolved:
    """The question as the search should read it."""

    query: str  # what is searched: the question, plus the topic when it is a follow-up
    region: str | None  # the place the question names, else the conversation's
    followup: bool  # whether the topic was borrowed
    understood: str  # "" or one clause saying how the question was read
    place: str | None = None  # the region of a place the question itself names
    combined: str | None = None  # question + topic, to try when the question alone finds nothing
    short: bool = False  # a follow-up with little of its own besides a place ("那宁夏呢", "那聊城呢 俺是茌平的")


def resolve(
    question: str,
    topic: str | None,
    known_region: str | None,
    regions: RegionTable,
    max_chars: int,
    topic_chars: int,
    documented: Collection[str] = (),
    topic_keys: Sequence[str] = (),
    subjects: Collection[str] = (),
    question_keys: Sequence[str] = (),
) -> Resolved:
    """Resolve ``question`` against the conversation.

    Args:
        question: the message as typed.
        topic: the previous question (or its resolved form), None at the start of a conversation.
        known_region: the region the conversation has established.
        regions: the region table (to see a place named in the question).
        max_chars: a message this short (without the place and punctuation) is a follow-up.
        topic_chars: how much of the topic is borrowed.
        documented: regions with documents, so that a city with documents is kept at city level.
        topic_keys: the topic's everyday words the lexicon knows (退伍, 兵, 找工作); when given, a follow-up
            that brings content of its own ("村里想让我回去当村干部 这个算不算") borrows these instead of the
            topic's raw text, so its own words are not outweighed by the whole earlier question.
        subjects: policy terms that name a subject of their own ("创业担保贷款", "稳岗返还").
        question_keys: the question's own everyday words the lexicon knows ("技校", "网店"). A short
            follow-up naming a subject or a word the topic lacks ("能去技校学吗", "创业担保贷款怎么申请"
            after a question on training) carries the topic's words, not its text, so its own words lead.

    Returns:
        The query to search, the region, and a clause naming what was understood.
    """
    place = regions.find_in(question, documented)
    if place and known_region and place != known_region and _destination(question, place, regions, documented):
        place = None  # "娃想去福建打工 有人给牵线不" from 吴忠: 福建 is where he goes; the help is at home
    region = place or known_region
    if not topic or is_bare_reply(question):
        return Resolved(question, region, False, "", place)
    core = _NOISE.sub("", question)
    points_back = _STARTS_FOLLOWUP.search(question.strip()) or _POINTS_BACK.search(question)
    own_subject = any(term in question and term not in topic for term in subjects) or any(
        key not in topic_keys for key in question_keys
    )
    followup = len(core) <= max_chars or (points_back is not None and not _NAMES_ITS_SUBJECT.search(question))
    borrowed = topic[:topic_chars]
    if not followup:
        combined = None if _NAMES_ITS_SUBJECT.search(question) else f"{question} {borrowed}"
        return Resolved(question, region, False, "", place, combined)
    understood = understood_clause(borrowed, place, known_region)
    short = len(core) <= max_chars
    carried = borrowed if (short and not own_subject) or not topic_keys else " ".join(dict.fromkeys(topic_keys))
    return Resolved(f"{question} {carried}", region, True, understood, place, short=short)


_TOWARDS = re.compile(r"[去到往]")


def _destination(question: str, place: str, regions: RegionTable, documented: Collection[str]) -> bool:
    """Whether ``place`` is named as where the asker goes (去/到/往 just before it) and the knowledge base
    has no documents of its own for it: the policies on going out to work are the home region's."""
    if regions.has_documents(place, documented):
        return False
    return any(
        regions.find_in(question[m.end() : m.end() + 6], documented) == place for m in _TOWARDS.finditer(question)
    )


# "这些都是十四五的 今年还管用不", "那个现在还作数不": a question about what was just quoted.
_WHAT_WAS_QUOTED = re.compile(r"这些|这个|那些|那个|它|这政策|这规定|上面|刚才|以上|前面说的|前几年")


def asks_of_what_was_quoted(question: str, max_chars: int) -> bool:
    """Whether ``question`` asks about the provision the previous reply quoted: it points back to it, or
    it is short and names no plan or document of its own ("现在还管用不")."""
    if _WHAT_WAS_QUOTED.search(question):
        return True
    return len(_NOISE.sub("", question)) <= max_chars and not _NAMES_ITS_SUBJECT.search(question)


def understood_clause(topic: str, place: str | None, known_region: str | None) -> str:
    """The clause that says how a follow-up was read: 接着您刚才问的“…”，这里说宁夏的情况."""
    where = f"{place}的情况" if place and place != known_region else ""
    return f"接着您刚才问的“{topic}”" + (f"，这里说{where}" if where else "")
