"""Personal data written in words: e-mail and chat handles, street addresses, names.

Each finder returns spans ``(start, end, placeholder)`` over the text; :func:`webchat.pii.mask_pii`
merges them with the numbers it finds. Places down to county level are kept (they decide which
policies apply), so an address is masked from the street on: 宁夏银川市兴庆区[地址已隐藏].
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

Span = tuple[int, int, str]

EMAIL_MASK = "[邮箱已隐藏]"
CONTACT_MASK = "[联系方式已隐藏]"
ADDRESS_MASK = "[地址已隐藏]"
NAME_MASK = "[姓名已隐藏]"

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s?@\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_HANDLE = re.compile(
    r"(?:QQ|qq|Qq|微信号?|[VvWw][Xx]|邮箱|[Ee]-?mail)(?:号码|号)?(?:是|为|:|：|\s)*(?P<handle>[A-Za-z0-9_\-.]{5,40})"
)

_NUM = "[0-9一二三四五六七八九十百零〇两]+"
# Parts of a dwelling after the street or the estate: 3号楼2单元501室, 5栋1单元302, 3组.
_UNIT = rf"(?:\s?(?:{_NUM}|[A-Za-z])\s?(?:号楼|号院|栋|幢|座|单元|层|楼|室|户|组|号))"
_ROOM = r"(?:\s?[0-9]{2,4}(?![0-9元年月日岁个万千%]))"
_STREET = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{1,14}}?)(?:大街|大道|胡同|路|街|巷|弄|道)(?:[东南西北中]段)?\s?{_NUM}(?:[-之]{_NUM})?\s?(?:号院|号|弄|巷)"
    rf"{_UNIT}*{_ROOM}?"
)
_ESTATE = re.compile(
    rf"(?P<name>[\u4e00-\u9fff]{{1,14}}?)(?:小区|花园|家园|公寓|新村|新城|大厦|社区|苑|村|屯|庄|里){_UNIT}+{_ROOM}?"
)
_UNITS_ONLY = re.compile(rf"(?P<name>){_NUM}\s?(?:号楼|栋|幢){_UNIT}+{_ROOM}?")
# Where the place a citizen may name (province, city, county) ends and the street begins.
_ADDRESS_START = re.compile(r".*(?:省|市|区|县|旗|州|盟|镇|乡|住|在|是|址|到|于|从|我|家|的|:|：)")

_STRONG = re.compile(
    r"(?:我叫|名叫|叫做|我的名字(?:是|叫)|名字(?:是|叫)|(?P<label>姓名|联系人)(?P<said>是|为|[:：\s])?|"
    r"(?:爸爸?|妈妈?|父亲|母亲|儿子|女儿|孩子|老公|老婆|爱人|丈夫|妻子|哥哥?|姐姐?|弟弟?|妹妹?)(?:的名字)?叫)"
    r"(?:[:：\s])*(?=(?P<name>[\u4e00-\u9fff]{2,4}(?:[·•][\u4e00-\u9fff]{1,8})?))"
)
_WEAK = re.compile(r"(?:我是|本人是?)\s?(?=(?P<rest>[\u4e00-\u9fff]{2,5}))")  # lookahead: 我是…我是… both seen
_NOT_A_NAME = ("什么", "啥", "谁", "哪", "我", "你", "他", "她", "的", "员", "及", "和")
# A name ends before one of these (the sentence goes on): 我叫张伟想问… / 我叫李秀英，今年…
_AFTER_NAME = set("的想要在是今来家住从已刚和跟也都还就没不有去找问咨请现目身电手年岁男女我")
_AFTER_WEAK_NAME = _AFTER_NAME - {"的"}  # 我是吴忠的, 我是干技术的: after 我是, "的" says what, not who
# Function words that are never part of a given name: 我是张伟我是… is 张伟, not 张伟我.
_NEVER_IN_NAME = set("我你他她是的想要在了吗呢啊吧也都就没不和跟从去找问咨请")
# fmt: off
_COMPOUND = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "夏侯", "令狐", "宇文", "司徒",
    "西门", "南宫", "独孤", "轩辕", "端木", "百里", "呼延", "申屠", "太史", "万俟", "闻人", "澹台", "公冶", "宗政",
    "濮阳", "淳于", "单于", "赫连", "拓跋",
)
# fmt: on
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向"
    "汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚"
    "岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟"
    "邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井"
    "祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆"
    "茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
# Words that follow 我是 and say who someone is, not what they are called (checked before the dictionary).
# fmt: off
_CATEGORY = (
    "党员", "军嫂", "军属", "低保", "个体", "贫困", "残疾", "农民", "毕业", "应届", "失业", "下岗", "退役", "退伍",
    "复员", "转业", "高校", "高中", "初中", "中专", "大专", "本科", "硕士", "博士", "留学", "全职", "兼职", "单亲",
    "独生", "外地", "本地", "外省", "本省", "本市", "城镇", "农村", "城市", "灵活", "临时", "合同", "劳务", "公益",
    "司机", "骑手", "外卖", "快递", "保安", "保洁", "学生", "老师", "教师", "医生", "护士", "工人", "员工", "职工",
    "文员", "程序员", "会计", "厨师", "家政", "保姆", "新来", "刚来", "华为",
)
# fmt: on
_PLACE_END = set("的人市县区省")


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Two- and three-character words of jieba's dictionary that start like a surname and are not names
    (or are names so frequent they are ordinary words: 谢谢, 白领)."""
    from pathlib import Path

    import jieba

    words = set()
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) != 3 or not 2 <= len(parts[0]) <= 3 or parts[0][0] not in _SURNAMES:
                continue
            if not parts[2].startswith("nr") or int(parts[1]) >= 500:
                words.add(parts[0])
    return frozenset(words)


def warm_up() -> None:
    """Load the dictionary and the gazetteer now, so that no citizen's message waits for them (~1.5 s)."""
    from knowledge.places import gazetteer

    _common_words()
    gazetteer()


def _is_place(word: str, following: str) -> bool:
    from knowledge.places import gazetteer

    names = gazetteer()[0]
    if word.endswith("人") and word[:-1] in names:
        return True
    if word not in names:
        return any(word[:n] in names for n in (2, 3) if len(word) > n and word[n] in _PLACE_END)
    place = names[word]
    return following[:1] in _PLACE_END or word.rstrip("省市县区") in (place.province, place.city)


def _strong_names(norm: str) -> Iterator[Span]:
    for match in _STRONG.finditer(norm):
        name = match.group("name")
        if name.startswith(_NOT_A_NAME):
            continue
        if match.group("label") and not match.group("said") and not _surname_length(name):
            continue  # 姓名张伟 is a name; 姓名填错了怎么办 is not
        end = next((i for i, c in enumerate(name) if i >= 2 and c in _AFTER_NAME), len(name))
        yield match.start("name"), match.start("name") + end, NAME_MASK


def _surname_length(text: str) -> int:
    return 2 if text[:2] in _COMPOUND else 1 if text[:1] in _SURNAMES else 0


def _weak_names(norm: str) -> Iterator[Span]:
    """我是张伟 (a name) but not 我是宁夏的, 我是退役军人, 我是大学生, 我是高校毕业生."""
    for match in _WEAK.finditer(norm):
        rest, start = match.group("rest"), match.start("rest")
        surname = _surname_length(rest)
        if not surname or rest.startswith(_CATEGORY):
            continue
        for length in (surname + 2, surname + 1):
            word = rest[:length]
            following = norm[start + length : start + length + 1]
            ends = not following or not ("\u4e00" <= following <= "\u9fff") or following in _AFTER_WEAK_NAME
            if len(word) < length or not ends or _NEVER_IN_NAME & set(word[surname:]):
                continue
            if word not in _common_words() and not _is_place(word, following):
                yield start, start + length, NAME_MASK
            break


def _address_spans(norm: str) -> Iterator[Span]:
    for pattern in (_STREET, _ESTATE, _UNITS_ONLY):
        for match in pattern.finditer(norm):
            head = _ADDRESS_START.match(match.group("name"))
            start = match.start() + (head.end() if head else 0)
            if start < match.end():
                yield start, match.end(), ADDRESS_MASK


def word_spans(norm: str) -> list[Span]:
    """Return the spans of e-mail addresses, chat handles, street addresses and names in ``norm``.

    Args:
        norm: the text with full-width letters and digits already made ASCII.

    Returns:
        ``(start, end, placeholder)`` spans; they may overlap (the caller keeps the longest).
    """
    spans: list[Span] = [(m.start(), m.end(), EMAIL_MASK) for m in _EMAIL.finditer(norm)]
    spans += ((m.start("handle"), m.end("handle"), CONTACT_MASK) for m in _HANDLE.finditer(norm))
    spans += _address_spans(norm)
    spans += _strong_names(norm)
    spans += _weak_names(norm)
    return spans
