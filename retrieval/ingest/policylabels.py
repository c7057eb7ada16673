"""The labels of policy-list fields (补贴标准, 申请渠道, 服务对象 …) and the kind of thing each one states.

A label may carry a short qualifier ("补贴标准（元）", "政策依据及文号") or an item number ("1.享受对象：");
its kind is that of the known label it starts with. ``policylist.py`` reads lists with these; the search
(``retrieval/stages/policyfield.py``) and the answer composer match a question's kind against them.
"""

from __future__ import annotations

import re

from retrieval.ingest.patterns import NUMBER

# field kind → the labels lists use for it (kinds are what a question can ask for)
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("政策名称", "政策项目", "项目名称", "事项名称", "补贴名称", "补贴项目", "政策事项"),
    "target": (
        "服务对象",
        "享受对象",
        "适用对象",
        "补贴对象",
        "支持对象",
        "扶持对象",
        "申请对象",
        "适用人群",
        "适用范围",
        "享受主体",
        "适用主体",
        "扶持范围",
    ),
    "condition": ("申请条件", "享受条件", "申领条件", "补贴条件", "办理条件", "认定条件", "资格条件"),
    "content": ("政策内容", "政策要点", "主要内容", "支持内容", "扶持内容", "政策措施", "扶持政策"),
    "amount": (
        "补贴标准",
        "补贴测算",
        "补助标准",
        "支持标准",
        "扶持标准",
        "资助标准",
        "补贴金额",
        "补贴额度",
        "享受标准",
        "贷款额度",
        "贴息标准",
        "补贴标准及测算",
    ),
    "channel": (
        "申请渠道",
        "经办机构",
        "办理渠道",
        "申报渠道",
        "受理机构",
        "受理部门",
        "经办部门",
        "办理地点",
        "申请方式",
        "办理方式",
        "申请流程",
        "办理流程",
        "申请程序",
        "办理程序",
        "办理部门",
        "办理机构",
        "经办单位",
        "受理单位",
        "申领渠道",
        "申请地点",
    ),
    "deadline": ("办理时限", "申请时间", "申报时间", "受理时间", "申请期限", "承诺时限", "办结时限", "补贴期限"),
    "materials": ("申报材料", "申请材料", "所需材料", "办理材料", "提交材料", "申请要件", "申领材料"),
    "basis": ("文件依据", "政策依据", "依据文件", "政策文件", "办理依据"),
    "contact": ("咨询电话", "联系电话", "咨询方式", "监督电话"),
    "note": ("备注", "温馨提示", "特别提示"),
}
_KIND_OF = {label: kind for kind, labels in FIELD_LABELS.items() for label in labels}
_LABELS = "|".join(sorted(_KIND_OF, key=len, reverse=True))
_LABEL_HEAD = re.compile(rf"^(?:{_LABELS})")
MAX_QUALIFIER_CHARS = 8  # "补贴标准（元）", "政策依据及文号": a label may carry a short qualifier
_LABEL_LINE = re.compile(
    r"^(?:\d{1,2}[.．、]|[（(][一二三四五六七八九十\d]{1,3}[)）])?\s*"  # an optional item number
    rf"(?:【\s*(?P<a>(?:{_LABELS})[^】]{{0,{MAX_QUALIFIER_CHARS}}}?)\s*】\s*[:：]?"
    rf"|(?P<b>(?:{_LABELS})[^:：。，,；;]{{0,{MAX_QUALIFIER_CHARS}}}?)\s*[:：])\s*(?P<value>.*)$"
)
_CN_NUM = "一二三四五六七八九十"
_MARKER = re.compile(
    rf"^(?:[{_CN_NUM}]+、|[（(][{_CN_NUM}\d]+[)）]|\d{{1,2}}[.．、](?!\d)|第[{_CN_NUM}]+[项条]|政策[{_CN_NUM}\d]{{1,3}}[：:、.．])\s*"
)
_BLOCK_LINE = re.compile(rf"^政策[{_CN_NUM}\d]{{1,3}}[：:、.．]\s*\S")  # "政策一：稳岗返还" opens a block
TERMINAL = re.compile(r"[。；;！？!?]")  # sentence punctuation: a cell or line holding it is text, not a label
_NUMBER_CUT = re.compile(r".*(?:通知|意见|规划|决定|办法|方案|细则|清单|的|号|》|、|和|及|与|依据|根据)")
MAX_TITLE_CHARS = 40  # a policy title or a label line standing alone is at most this long


def field_kind(label: str | None) -> str | None:
    """Return the kind of a field label (amount, channel, target, …), or None for an unknown label.

    A label with a qualifier counts as the label it starts with ("补贴标准（元）" → amount).
    """
    match = _LABEL_HEAD.match(label or "")
    return _KIND_OF[match.group()] if match else None


def starts_with_field(line: str) -> bool:
    """Return True when ``line`` opens a policy-list field or block ("补贴标准：…", "【申请渠道】…", "政策一：…")."""
    return bool(_LABEL_LINE.match(line) or _BLOCK_LINE.match(line))


def is_label(text: str) -> bool:
    """Return True when ``text`` is nothing but a field label (a table header cell, a bare "政策名称")."""
    return cell_label(text) is not None


def cell_label(cell: str) -> str | None:
    """Return the cell as a field label ("补贴标准", "政策依据及文号"), or None when it is not one."""
    text = cell.strip(" ：:【】")
    match = _LABEL_HEAD.match(text)
    return text if match and len(text) - match.end() <= MAX_QUALIFIER_CHARS and not TERMINAL.search(text) else None


def strip_marker(title: str) -> str:
    """Return a title without its item number ("（一）X", "1.X", "政策一：X" → "X")."""
    return _MARKER.sub("", title).strip(" ：:【】")


def line_field(paragraph: str) -> tuple[str, str] | None:
    """Return ``(label, value)`` of a field line: "补贴标准：…", "【申请渠道】…", or a label standing alone on
    its line ("（二）补贴标准", its value on the lines below); None for any other line."""
    if "\t" in paragraph:
        return None
    if match := _LABEL_LINE.match(paragraph):
        return match.group("a") or match.group("b"), match.group("value").strip()
    label = cell_label(strip_marker(paragraph)) if len(paragraph) <= MAX_TITLE_CHARS else None
    return (label, "") if label else None


def cited_numbers(text: str) -> list[str]:
    """Return the 文号 a 文件依据 text names ("《…》（粤人社规〔2023〕31号）、财社〔2017〕164号").

    Args:
        text: the field's value.

    Returns:
        Normalised 文号 ("粤人社规〔2023〕31号") in order of appearance.
    """
    out = []
    for match in NUMBER.finditer(text):
        prefix = _NUMBER_CUT.sub("", match.group(1))
        if prefix:
            out.append(f"{prefix}〔{match.group(2)}〕{match.group(3)}号")
    return out
