"""Understand citizens' answers to the eligibility questions ("毕业两年了", "在深圳", "我是退伍的")."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

LEXICON_FILE = Path(__file__).with_name("lexicon.json")
SKIP_WORDS = ("不知道", "不清楚", "跳过", "不想说", "忘了", "不确定", "不好说", "说不清", "算了")
_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = re.compile(r"(\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十]+)")
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
_YES = (
    "是的",
    "是啊",
    "对",
    "嗯",
    "有",
    "签了",
    "签的",
    "签过",
    "拿了",
    "取得了",
    "考了",
    "第一次",
    "首次",
    "要去",
    "会去",
    "打算",
    "准备",
    "好的",
    "可以",
    "没错",
    "当然",
    "是",
)
_NO = ("不是", "没有", "没签", "没拿", "没考", "不是第一次", "不会", "不去", "不打算", "否", "没", "不")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Return the generated lexicon (places, group and employment phrases, fact labels)."""
    loaded: dict[str, Any] = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    return loaded


def is_skip(text: str) -> bool:
    """Return True when the citizen declines or does not know ("不知道", "跳过")."""
    return any(word in text for word in SKIP_WORDS)


def looks_like_question(text: str) -> bool:
    """Return True when a message reads as a question of its own ("创业担保贷款怎么申请"), not as an
    answer; short replies ("啥意思", "有吗") and questions about the bot's question ("什么意思") are
    not counted, so they get the question's hint instead."""
    cleaned = text.strip()
    if len(cleaned) < 6 or any(word in cleaned for word in ("意思", "什么叫", "没什么", "没啥")):
        return False
    return any(word in cleaned for word in _QUESTION_WORDS) or _ASKS_BY_FORM.search(cleaned) is not None


# Questions without a question word: "要交钱不", "有补贴冇", "可以申请咩", "是不是…", "有冇…", "可唔可以…"
_ASKS_BY_FORM = re.compile(
    r"(不|冇|咩)[？?。！!\s]*$|是不是|会不会|要不要|行不行|中不中|有冇|可唔可以|系唔系|得唔得|使唔使"
)


_CLAUSE = re.compile(r"[\s,，。;；!！?？、]+")
_HANDOFF_WORDS = ("真人", "客服", "12333", "工作人员", "热线", "电话", "坐席", "转接")
# "人工" alone is also wages in Cantonese ("喺我哋人工度扣") and 人工智能: only a request for one counts.
_HUMAN_AGENT = re.compile(r"[转找要接叫换请]人工|人工(客服|服务|坐席|接待|台)|^\W*人工\W*$")


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


def chinese_number(token: str) -> float | None:
    """Parse 3, 3.5, 三, 十二, 二十 → a number; None when it is not one."""
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if not token or any(ch not in _DIGITS and ch != "十" for ch in token):
        return None
    if "十" in token:
        tens, _, ones = token.partition("十")
        value = (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
        return float(value)
    value = 0
    for ch in token:
        value = value * 10 + _DIGITS[ch]
    return float(value)


def parse_years(text: str, today: date | None = None) -> float | None:
    """Read a duration in years: "三年半" 3.5, "两年多" 2.5, "半年" 0.5, "1年" 1, "5" 5.

    Returns:
        The number of years, or None when the text gives none.
    """
    if "半年" in text and not re.search(r"[\d一二两三四五六七八九十]年半", text):
        return 0.5
    match = _NUMBER.search(text)
    if match is None:
        return None
    value = chinese_number(match.group(1))
    if value is None:
        return None
    rest = text[match.end() :]
    if rest.startswith(("年半", "年零六个月", ".5")) or rest.startswith("年多"):
        value += 0.5
    elif rest.startswith(("个月", "月")):
        value = round(value / 12, 2)
    return value


def parse_graduation(text: str, today: date | None = None) -> float | None:
    """Years since graduation from "我2024年毕业的", "毕业两年了", "去年刚毕业", "今年毕业", "应届".

    Args:
        text: the answer.
        today: the current date (the clock by default, never a constant).

    Returns:
        Years since graduation (0 for this year's graduates), or None.
    """
    year = (today or date.today()).year
    if any(word in text for word in ("今年", "应届", "刚毕业还没", "马上毕业", "快毕业", "本届")):
        return 0.0
    if "大前年" in text:
        return 3.0
    if "前年" in text:
        return 2.0
    if "去年" in text:
        return 1.0
    match = re.search(r"((?:19|20)\d{2})\s*年?", text)
    if match and int(match.group(1)) <= year:
        return float(year - int(match.group(1)))
    match = re.search(r"(\d{2})\s*年", text)
    if match and 0 <= year % 100 - int(match.group(1)) <= 30 and "年了" not in text:
        return float(year % 100 - int(match.group(1)))
    return parse_years(text, today)


def parse_bool(text: str) -> bool | None:
    """Read yes or no from an answer ("签了" yes, "没签" no); None when unclear."""
    cleaned = text.strip("。！!？?，, ")
    for word in sorted(_NO, key=len, reverse=True):
        if word in cleaned and not any(y in cleaned for y in ("是第一次",) if word == "不"):
            if word in ("不", "没") and any(y in cleaned for y in ("不错", "没错")):
                continue
            return False
    for word in sorted(_YES, key=len, reverse=True):
        if word in cleaned:
            return True
    return None


_NO_PLAN = re.compile(r"(不|没|冇)(想|打算|准备|考虑)")
_BEEN_IN_BUSINESS = re.compile(
    r"(以前|之前|原来|曾经|早先)?(开|做|干|搞)过(店|生意|买卖|个体|公司|厂)?|不是第一次|第[二三]次"
)
_FIRST_BUSINESS = re.compile(
    r"第一次|头一回|头回|还没(开始|开|做|干|弄)|未开始|没开始|没(开|做|干|搞)过|准备|打算|"
    r"想(返乡|回乡|回去|回老家|回村)?(开|做|干|弄|整|搞)|刚(开|注册|起步|办)"
)


def parse_first_business(text: str) -> bool | None:
    """Read the answer to "是第一次创业吗": "还没开始 想回乡做酒" is a first business, "以前开过店" is not;
    "不想做生意" answers nothing (None), as does anything unclear."""
    if _NO_PLAN.search(text) or is_skip(text):
        return None
    if _BEEN_IN_BUSINESS.search(text) and not re.search(r"没(开|做|干|搞)过", text):
        return False
    if _FIRST_BUSINESS.search(text):
        return True
    return parse_bool(text)


def parse_region(text: str) -> str | None:
    """Return the first known place named in the text (as the citizen says it, e.g. "深圳")."""
    places = lexicon()["places"]
    best: tuple[int, str] | None = None
    for name in places:
        at = text.find(name)
        if at >= 0 and (best is None or (at, -len(name)) < (best[0], -len(best[1]))):
            best = (at, name)
    return best[1] if best else None


def parse_groups(text: str) -> list[str]:
    """Return the group codes whose phrases occur in the text (longest phrases win)."""
    found: list[str] = []
    taken = [False] * len(text)
    phrases = [(p, code) for code, ps in lexicon()["groups"].items() for p in ps]
    for phrase, code in sorted(phrases, key=lambda item: -len(item[0])):
        start = text.find(phrase)
        while start >= 0:
            if not any(taken[start : start + len(phrase)]):
                for i in range(start, start + len(phrase)):
                    taken[i] = True
                theirs = _someone_else(text, start)  # "老公打散工": the husband's
                if code not in found and not theirs and not _negated_before(text, start, _GROUP_NEGATION_WINDOW):
                    found.append(code)
            start = text.find(phrase, start + 1)
    for code in parse_situation_groups(text):
        if code not in found:
            found.append(code)
    return found


# "都不是", "普通后生仔 冇乜身份", "没啥身份": none of the groups offered, an answer and not a reply not understood
_NO_GROUP = re.compile(
    r"(都|全|一个也|哪个也|哪个都|一个都)(不是|没有|不算|不沾|冇|唔系)|没(啥|什么|乜)(特殊)?(身份|情况)|"
    r"冇(乜|咩|啲)?(特别)?(身份|情况)|普通(人|老百姓|群众|后生|工薪|打工)|啥也不是|什么都不是|"
    r"^(没有|没|无|不是|冇|唔系|不属于|没这些|都没)[。！!，, ]*$"
)


_NO_MORE = re.compile(r"^(没有了?|没了|冇了?|无|就这些|就这个|就这样|只有这个|其他没有|别的没有|没别的了?)[。！!\s]*$")


# "屋企好穷", "家里困难", "没钱", "揭不开锅": a family's hardship said in passing, not a group named
_HARDSHIP = re.compile(r"穷|贫困|困难户|家里困难|家庭困难|屋企困难|生活困难|揭不开锅|吃低保|低保|没钱|冇钱|紧巴")


def hints_hardship(text: str) -> bool:
    """Whether ``text`` mentions the family's hardship ("屋企喺乡下好穷"), which makes it worth asking
    whether it is a 建档立卡 or 低保 family (the groups several policies are for)."""
    return _HARDSHIP.search(text) is not None


def says_no_more(text: str) -> bool:
    """Whether an answer to "还属于哪类人员" says there is nothing more ("没有了", "就这些", or "都不是")."""
    return _NO_MORE.search(text.strip()) is not None or says_no_group(text)


def says_no_group(text: str) -> bool:
    """Whether an answer to "您属于下面哪类人员" says none of them applies ("都不是", "没啥身份")."""
    return _NO_GROUP.search(text.strip()) is not None


_NEGATION = "没不未冇别唔非"
_GROUP_NEGATION_WINDOW = (
    2  # "唔系退伍军人", "不是贫困户", "没有残疾证": a group right after a denial is not the asker's
)
_SITUATION_NEGATION_WINDOW = 2  # "我没出去打工": a situation right after a negation is not stated
_PHRASE_NEGATION_WINDOW = 3  # "没打算开店", "不想做生意": an employment phrase after a denial is not stated


# "男人出去打工", "老公在家种地", "个仔今年初中毕业冇考到高中": a family member's situation, not the asker's
_FAMILY = re.compile(r"老公|男人|丈夫|媳妇|老婆|爱人|孩子|儿子|闺女|女儿|个仔|个女|老豆|老母|爸|妈|爹|娘")
_CLAUSE_END = re.compile(r"[，,。！!？?；;\s]")
_FIRST_PERSON = re.compile(r"我|俺|自己|本人|咱")
_JOINT = re.compile(r"(和|跟|同|与|还有)$")  # "我和老公都在厂里上班": both


def _someone_else(text: str, start: int) -> bool:
    """Whether what starts at ``text[start]`` is said of a family member named before it in the same clause,
    with no 我/俺 in between and not jointly with the asker ("我和老公都…")."""
    clause = _CLAUSE_END.split(text[:start])[-1]
    named = list(_FAMILY.finditer(clause))
    if not named:
        return False
    last = named[-1]
    return not _FIRST_PERSON.search(clause[last.end() :]) and not _JOINT.search(clause[: last.start()])


def _negated_before(text: str, start: int, window: int) -> bool:
    """Whether a negation (没/不/未/冇/别/唔/非) stands within ``window`` characters before ``text[start]``."""
    return any(c in _NEGATION for c in text[max(0, start - window) : start])


def parse_situation_groups(text: str) -> list[str]:
    """Return the groups a described situation states ("外地来这边打工的" → migrant_worker), by the
    lexicon's situation patterns: every slot in order, each within the window after the previous one."""
    table = lexicon()
    window = int(table.get("situation_window", 0))
    found: list[str] = []
    for code, patterns in table.get("situations", {}).items():
        if any(_situation_at(text, pattern, window) for pattern in patterns):
            found.append(code)
    return found


def _situation_at(text: str, pattern: list[list[str]], window: int) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (not right after a negation)."""
    first, *rest = pattern
    for word in first:
        start = text.find(word)
        while start >= 0:
            if (
                not _negated_before(text, start, _SITUATION_NEGATION_WINDOW)
                and not _someone_else(text, start)
                and _slots_follow(text, start + len(word), rest, window)
            ):
                return True
            start = text.find(word, start + 1)
    return False


def _slots_follow(text: str, at: int, slots: list[list[str]], window: int) -> bool:
    """Whether each slot's word follows within ``window`` characters of the previous match."""
    if not slots:
        return True
    span = text[at : at + window + max(len(w) for w in slots[0])]
    for word in slots[0]:
        found = span.find(word)
        if 0 <= found <= window and _slots_follow(text, at + found + len(word), slots[1:], window):
            return True
    return False


# A workplace and a job in it: "在纺织厂当挡车工", "在超市做收银", "在物流公司开车" — the asker is employed.
_AT_WORKPLACE = re.compile(
    r"在[^\s，,。！!？?]{0,8}(厂|公司|单位|工地|车间|矿|店|超市|饭店|酒楼|餐馆|医院|学校|银行|商场|仓库|酒店)"
    r"[^\s，,。！!？?]{0,3}(当|做|干|上班|打工|工作|上岗|开车|送货)"
)


def parse_employment(text: str) -> str | None:
    """Return unemployed / employed / self_employed from phrases like "没上班", "在厂里上班", "自己开店", or a
    workplace and a job in it ("在纺织厂当挡车工")."""
    best: tuple[str, str] | None = None
    for code, phrases in lexicon()["employment"].items():
        for phrase in phrases:
            if _stated(text, phrase) and (best is None or len(phrase) > len(best[0])):
                best = (phrase, code)
    if best is None and (at := _AT_WORKPLACE.search(text)) and _stated(text, at.group(0), wishes_count=False):
        best = (at.group(0), "employed")
    if best is not None and best[1] == "employed" and work_negated(text):
        return None  # "家里没人在上班" names 上班 but says nobody works
    return best[1] if best else None


def _stated(text: str, phrase: str, wishes_count: bool = True) -> bool:
    """Whether ``phrase`` occurs in ``text`` not right after a denial ("不想做生意" does not say 做生意), not
    said of a family member, and (unless ``wishes_count``) not right after a wish ("想搞大棚种菜")."""
    start = text.find(phrase)
    while start >= 0:
        wish = not wishes_count and _WISH.search(text[:start]) is not None
        if not _negated_before(text, start, _PHRASE_NEGATION_WINDOW) and not _someone_else(text, start) and not wish:
            return True
        start = text.find(phrase, start + 1)
    return False


def employment_denied(text: str, code: str) -> bool:
    """Whether ``text`` names ``code``'s employment phrases only right after a denial ("不想做生意" names
    做生意 but says the asker is not in business), the reading an entity extractor cannot make."""
    phrases = [p for p in lexicon()["employment"].get(code, []) if p in text]
    return bool(phrases) and not any(_stated(text, p) for p in phrases)


_WISH = re.compile(r"(想|打算|准备|要|计划)[^，。,\s]{0,3}$")


def says_farming(text: str) -> bool:
    """Whether the asker says they work their own land or herd ("在家种地", "我喺屋企耕田"), not a wish
    ("想搞大棚种菜"), a denial ("不种地了") or a family member's ("老公种地")."""
    return any(_stated(text, phrase, wishes_count=False) for phrase in lexicon().get("farming", []))


_NEGATED_WORK = re.compile(r"(没|不|未|冇|无)(有|人|一个|一个人|谁|个)?(在)?(上班|工作|打工|干活|上岗)")


def work_negated(text: str) -> bool:
    """Whether the text says someone does NOT work ("家里没一个上班的", "不上班了"), which the
    entity extractor reads as the word 上班 alone."""
    return _NEGATED_WORK.search(text) is not None


# Situations that state facts without naming them: a 去产能 enterprise's worker, a laid-off one.
_OVERCAPACITY = re.compile(
    r"去产能|压产能|化解过剩产能|过剩产能|(钢厂|钢铁|煤矿|煤炭|煤电|电厂|矿上|井下).{0,20}(分流|下岗|关停|要关|关了|裁)"
)
# A workplace named that is none of the 去产能 industries (钢铁, 煤炭, 煤电): the question is not asked.
_OTHER_INDUSTRY = re.compile(
    r"电子厂|制衣厂|服装厂|鞋厂|玩具厂|纺织厂|棉纺厂|纱厂|化工厂|化肥厂|造纸厂|药厂|酒厂|汽车厂|机械厂|砖厂|食品厂|"
    r"家具厂|印刷厂|塑料厂|五金厂|饭馆|饭店|餐馆|超市|商场|工地|"
    r"物流|快递|外卖|网约车|滴滴|美甲|理发|家政"
)
_BARE_CHECK = re.compile(
    r"(我|俺|咱)?(能|可以|可|该)?(申请|享受|领|拿|办)(些|点)?(什么|啥|哪些|哪个)|"
    r"(有|符合)(什么|啥|哪些)(政策|补贴)|帮我(看看|查查|查一下|看一下)|适合我的政策"
)
_TOPIC_WORDS = re.compile(
    r"贷款|见习|实习|社保|保险|养老|医保|培训|证书|补贴多少|创业|开店|公益岗|岗位|登记|档案|技校|学费|入伍|当兵"
)


# Years to retirement said in passing: "再有三年就退休了", "还有两年多退休", "离退休还差五年".
_TO_RETIREMENT = re.compile(
    r"(还有|再有|还差|差|只有)\s*([\d一二两三四五六七八九十]+)\s*年(多|半)?[^，,。\s]{0,3}退休|"
    r"(离|距)退休(还有|还差|只有|就)?\s*([\d一二两三四五六七八九十]+)\s*年"
)


def parse_situation(text: str) -> dict[str, Any]:
    """Facts a described situation states: "钢厂去产能分流下来的" → 企业职工 in a 去产能 enterprise;
    "电子厂干了十年" → not in one; "再有三年就退休了" → 3 years to retirement."""
    found: dict[str, Any] = {}
    retiring = _TO_RETIREMENT.search(text)
    if retiring and (years := chinese_number(retiring.group(2) or retiring.group(6))) is not None:
        found["years_to_retirement"] = years + (0.5 if retiring.group(3) else 0)
    if _OVERCAPACITY.search(text):
        found["overcapacity_industry"] = True
        found["groups"] = ["enterprise_employee"]
    elif _OTHER_INDUSTRY.search(text):
        found["overcapacity_industry"] = False  # "在东莞电子厂干了十二年": not a steel, coal or power firm
    return found


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


_ABOUT_THE_BOT = ("机器人", "真人", "你是谁", "回答", "答案", "有用", "没用", "答非所问", "客服")


# Asking in speech other than Mandarin question words: 咩/乜/边度/点样 (粤), 么/哩 at the end (西北), 谁/几.
_ASKS_IN_DIALECT = re.compile(r"咩|乜|边度|边个|点样|几时|几多|谁|[么嘛哩][？?。！!\s]*$")


# Intents no form slot mapping takes: a message the NLU put here that holds no courtesy is a misheard answer
COURTESY_INTENTS = frozenset({"greet", "goodbye", "thank"})
# What a greeting, a thanks or a goodbye is made of: a message with none of these is not one.
_COURTESY = re.compile(
    r"你好|您好|在吗|在不在|早上好|晚上好|哈喽|嗨|谢谢|多谢|感谢|谢了|唔该|再见|拜拜|88|886|不问了|不用了|好的|行了|"
    r"知道了|明白了|辛苦|先这样|就这样"
)


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
