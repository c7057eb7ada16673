"""What kind of message a citizen sent: a question of its own, a courtesy, a request for a person, a request
for the eligibility check, or a yes to the check offered."""

from __future__ import annotations

import re

from actions.parsing import parse_region

_QUESTION_WORDS = (
    "怎么",
    "怎样",
    "如何",
    "咋",
    "哪里",
    "哪儿",
    "在哪",
    "去哪",
    "什么",
    "啥",
    "多少",
    "能不能",
    "可不可以",
    "是否",
    "有没有",
    "吗",
    "？",
    "?",
)

# Questions without a question word: "要交钱不", "有补贴冇", "可以申请咩", "是不是…", "有冇…", "可唔可以…"
_ASKS_BY_FORM = re.compile(
    r"(不|冇|咩)[？?。！!\s]*$|是不是|会不会|要不要|行不行|中不中|有冇|可唔可以|系唔系|得唔得|使唔使"
)

# Asking in speech other than Mandarin question words: 咩/乜/边度/点样 (粤), 么/哩 at the end (西北), 谁/几.
_ASKS_IN_DIALECT = re.compile(r"咩|乜|边度|边个|点样|几时|几多|谁|[么嘛哩][？?。！!\s]*$")

_ABOUT_THE_BOT = ("机器人", "真人", "你是谁", "回答", "答案", "有用", "没用", "答非所问", "客服")

_CLAUSE = re.compile(r"[\s,，。;；!！?？、]+")
_HANDOFF_WORDS = ("真人", "客服", "12333", "工作人员", "热线", "电话", "坐席", "转接")
# "人工" alone is also wages in Cantonese ("喺我哋人工度扣") and 人工智能: only a request for one counts.
_HUMAN_AGENT = re.compile(r"[转找要接叫换请]人工|人工(客服|服务|坐席|接待|台)|^\W*人工\W*$")

# Intents no form slot mapping takes: a message the NLU put here that holds no courtesy is a misheard answer
COURTESY_INTENTS = frozenset({"greet", "goodbye", "thank"})
# What a greeting, a thanks or a goodbye is made of: a message with none of these is not one.
_COURTESY = re.compile(
    r"你好|您好|在吗|在不在|早上好|晚上好|哈喽|嗨|谢谢|多谢|感谢|谢了|唔该|再见|拜拜|88|886|不问了|不用了|好的|行了|"
    r"知道了|明白了|辛苦|先这样|就这样"
)

_BARE_CHECK = re.compile(
    r"(我|俺|咱)?(能|可以|可|该)?(申请|享受|领|拿|办)(些|点)?(什么|啥|哪些|哪个)|"
    r"(有|符合)(什么|啥|哪些)(政策|补贴)|帮我(看看|查查|查一下|看一下)|适合我的政策"
)
_TOPIC_WORDS = re.compile(
    r"贷款|见习|实习|社保|保险|养老|医保|培训|证书|补贴多少|创业|开店|公益岗|岗位|登记|档案|技校|学费|入伍|当兵"
)


def looks_like_question(text: str) -> bool:
    """Return True when a message reads as a question of its own ("创业担保贷款怎么申请"), not as an
    answer; short replies ("啥意思", "有吗") and questions about the bot's question ("什么意思") are
    not counted, so they get the question's hint instead."""
    cleaned = text.strip()
    if len(cleaned) < 6 or any(word in cleaned for word in ("意思", "什么叫", "没什么", "没啥")):
        return False
    return any(word in cleaned for word in _QUESTION_WORDS) or _ASKS_BY_FORM.search(cleaned) is not None


def _names_person(clause: str) -> bool:
    return any(w in clause for w in _HANDOFF_WORDS) or bool(_HUMAN_AGENT.search(clause))


def asks_for_person(text: str) -> bool:
    """Return True when the message names a person, the hotline or an agent at all ("转人工", "12333")."""
    return _names_person(text)


def question_besides_handoff(text: str) -> str | None:
    """Return the policy question a request for a person also asks ("交社保去哪办 能转人工吗" →
    "交社保去哪办"), or None when the message only asks for a person ("帮我转人工 电话多少")."""
    rest = " ".join(c for c in _CLAUSE.split(text) if c and not _names_person(c))
    return rest if looks_like_question(rest) else None


def is_courtesy(text: str) -> bool:
    """Whether a message the NLU took for a greeting, thanks or goodbye is one ("谢谢 再见"), not an answer it
    misheard ("东莞南城 屋企就喺度")."""
    return _COURTESY.search(text) is not None or not re.sub(r"[\s，,。！!？?~～]", "", text)


def asks_something(text: str) -> bool:
    """Return True when a message the NLU took for a greeting or a goodbye asks something: a question word
    in Mandarin or dialect, or a question without one ("有人带着去么", "要先去办咩手续", "可以申请不")."""
    cleaned = text.strip()
    if len(re.sub(r"[\s，,。？?！!]", "", cleaned)) < 5:
        return False  # "你好吗", "再见啦": courtesies
    return (
        any(word in cleaned for word in _QUESTION_WORDS)
        or _ASKS_BY_FORM.search(cleaned) is not None
        or _ASKS_IN_DIALECT.search(cleaned) is not None
    )


def is_real_question(text: str) -> bool:
    """True when a message the NLU called small talk (feedback, "are you a robot") is a question about
    policy: long, or a question that is not about the bot or its answers."""
    compact = re.sub(r"[\s，,。？?！!]", "", text)
    if any(word in compact for word in _ABOUT_THE_BOT):
        return False
    return len(compact) >= 16 or (len(compact) >= 8 and looks_like_question(text))


def wants_eligibility_check(text: str) -> bool:
    """True for a bare request to see what one qualifies for ("我能申请什么补贴", the button); False for a
    question about a topic ("退伍军人能申请创业贷款吗"), which is answered first."""
    if text.startswith("/"):
        return True
    compact = re.sub(r"[\s，,。？?！!]", "", text)
    return bool(_BARE_CHECK.search(compact)) and not _TOPIC_WORDS.search(compact) and len(compact) <= 24


def accepts_offer(text: str) -> bool:
    """True when a yes (the NLU's affirm) after the offered check accepts it ("好的", "行 帮我看看"); False
    when it is a follow-up that names a place or a topic ("那银川呢", "行 那贷款呢"), which is answered."""
    if text.startswith("/"):
        return True
    compact = re.sub(r"[\s，,。？?！!]", "", text)
    if parse_region(compact) is not None or _TOPIC_WORDS.search(compact) or compact.endswith("呢"):
        return False
    return len(compact) <= 12
