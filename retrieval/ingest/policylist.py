"""Policy lists (政策清单 / 明白卡 / 政策汇编): blocks of labelled fields, one block per policy.

What 人社 sites publish most: per policy a 政策名称 and fields such as 服务对象, 补贴标准, 申请渠道,
文件依据, often the same policy repeated under several 服务对象 sections. These shapes are recognised
in the paragraphs a loader produced (labels: ``policylabels.py``):

- label lines: ``政策名称：X`` then ``补贴标准：…`` (or ``【补贴标准】…``, ``1.享受对象：…``), a field's value
  possibly continued on numbered lines ("1.身份证；");
- numbered blocks: a short title line ("（一）X", "1.X", "政策一：X") directly followed by a field;
- a label standing alone on its line ("（二）补贴标准") with its value on the line below (汇编);
- tables (tab-separated rows): a header row naming the fields, one policy per row; or rows of
  "label ⇥ value" pairs under a title or a 政策名称 row.

Headings between blocks ("一、高校毕业生") are the 服务对象 sections (or, when they do not name a
group of people, a category). Blocks of one policy (same name) are merged: one provision per field
value, the groups of every block listed. A document with fewer than two such blocks is not a list,
and ``find_policy_list`` returns None so that it is ingested exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.textmatch import match_key
from retrieval.ingest.headings import Heading, parse_heading
from retrieval.ingest.models import ListedPolicy
from retrieval.ingest.policylabels import (
    MAX_TITLE_CHARS,
    TERMINAL,
    cell_label,
    cited_numbers,
    field_kind,
    line_field,
    strip_marker,
)
from retrieval.ingest.segment import Segment, pieces

_ENUM = re.compile(r"^(?:\d{1,2}[.．、)）](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])")
# a heading names a group of people (a 服务对象 section) rather than a category of policies
_POPULATION = re.compile(
    r"人员|毕业生|青年|学生|农民工|劳动者|劳动力|军人|残疾人|群体|对象|职工|企业|单位|经营主体|个体|创业者|家庭|妇女|人群"
)
_SEQUENCE = re.compile(r"^(?:序号|编号|序|No\.?|\d{1,3})?$")  # a 序号 column header (or none at all)
MAX_GROUP_CHARS = 20  # a 服务对象 value this short names a group and joins the section path
MIN_BLOCKS = 2  # a list has at least this many blocks ...
MIN_FIELDS = 2  # ... each with at least this many fields besides the name


@dataclass
class _Block:
    name: str
    start: int
    group: str | None
    category: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PolicyList:
    """A document recognised as a policy list.

    Attributes:
        before: paragraphs before the first block that are not part of it (intro, page head).
        dropped: what the list's provisions leave out on purpose: field-name labels ("政策名称"),
            序号 columns and block numbers ("政策一："), recorded as removed (``removed.REASONS``).
        after: the remaining paragraphs that are not part of any block (notes, page foot).
        policies: merged policies in order of first appearance, each with the blocks it came from.
    """

    before: list[str]
    dropped: list[str]
    after: list[str]
    policies: list[list[_Block]]

    def summary(self) -> list[ListedPolicy]:
        """Return what the maintainer checks in the preview: each policy, its groups, fields and 文号."""
        out = []
        for blocks in self.policies:
            labels = list(dict.fromkeys(label for b in blocks for label, _ in b.fields))
            out.append(
                ListedPolicy(
                    name=blocks[0].name,
                    groups=_groups(blocks),
                    fields=labels,
                    cites=list(_cites(blocks)),
                    blocks=len(blocks),
                )
            )
        return out

    def segments(self, max_chars: int) -> list[Segment]:
        """Return the provisions of the policies: one per distinct field value, labelled and named.

        Args:
            max_chars: a provision's upper bound (long values are cut at clause boundaries, each
                piece keeping the "【政策名称】标签：" head).

        Returns:
            Segments in list order; section path ``(category, 政策名称（服务对象…）)``.
        """
        out: list[Segment] = []
        for blocks in self.policies:
            name = blocks[0].name
            groups = _groups(blocks)
            category = next((b.category for b in blocks if b.category), None)
            head = f"{name}（{'、'.join(groups)}）" if groups else name
            section = (category, head) if category else (head,)
            cites = _cites(blocks)
            values = _field_values(blocks)
            if groups and not any(field_kind(label) == "target" for label in values):
                values = {"服务对象": [("；".join(groups), None)], **values}
            for label, found in values.items():
                for value, group in found:
                    tag = f"{label}（{group}）" if group and len(found) > 1 else label
                    prefix = f"【{name}】{tag}："
                    for piece in pieces(value, section, max(20, max_chars - len(prefix))):
                        out.append(Segment(prefix + piece.text, section, label, cites))
        return out


def find_policy_list(paragraphs: list[str]) -> PolicyList | None:
    """Recognise a policy list in a document's paragraphs.

    Args:
        paragraphs: the document's clean paragraphs (table rows tab-separated).

    Returns:
        The list, or None when the document holds fewer than two policy blocks with two fields
        besides the name (then it is an ordinary document).
    """
    parser = _Parser(paragraphs)
    for index, paragraph in enumerate(paragraphs):
        parser.feed(index, paragraph)
    # a block of a list states at least two things of its policy; a notice whose section headings happen
    # to be labels ("一、申领材料", "二、办理地点") does not make blocks of two
    real = [b for b in parser.blocks if sum(1 for label, _ in b.fields if field_kind(label) != "name") >= MIN_FIELDS]
    if len(real) < MIN_BLOCKS:
        return None
    merged: dict[str, list[_Block]] = {}
    for block in real:
        merged.setdefault(match_key(block.name), []).append(block)
    first = min(b.start for b in real)
    used = parser.used - {b.start for b in parser.blocks if b not in real}
    others = [i for i in range(len(paragraphs)) if i not in used]
    return PolicyList(
        before=[paragraphs[i] for i in others if i < first],
        after=[paragraphs[i] for i in others if i > first],
        policies=list(merged.values()),
        dropped=parser.dropped,
    )


class _Parser:
    """Reads paragraphs one at a time into policy blocks, remembering which paragraphs it used."""

    def __init__(self, paragraphs: list[str]) -> None:
        self.paragraphs = paragraphs
        self.blocks: list[_Block] = []
        self.used: set[int] = set()
        self.current: _Block | None = None
        self.group: str | None = None  # the 服务对象 section the next blocks are listed under
        self.category: str | None = None
        self.heading_at: int | None = None  # the last heading line, consumed when a block follows it
        self.header: list[str | None] | None = None  # a wide table's field label per column
        self.pending: list[int] = []  # unnumbered lines after a field: kept only if the block goes on
        self.dropped: list[str] = []  # what the list's provisions leave out: name labels, 序号 cells

    def feed(self, index: int, paragraph: str) -> None:
        following = self.paragraphs[index + 1] if index + 1 < len(self.paragraphs) else ""
        if "\t" in paragraph and self._row(index, [c.strip() for c in paragraph.split("\t")]):
            return
        if self.header is not None:  # a wide table ended: its last row's policy is complete
            self.header = self.current = None
        last = self.current.fields[-1] if self.current is not None and self.current.fields else None
        if found := line_field(paragraph):
            self._field(*found, index)
        elif last is not None and not self.pending and (_ENUM.match(paragraph) or not last[1]):
            self._extend(index)  # a numbered item, or the value under a label standing alone
        elif _is_title(paragraph) and _opens_fields(following):
            self._start(paragraph, index)
        elif (heading := parse_heading(paragraph)) is not None and _is_heading_line(heading, paragraph):
            self.current = None
            self.pending.clear()
            title = strip_marker(paragraph)
            if heading.level <= 2:
                population = bool(_POPULATION.search(title))
                self.group = title if population else None
                self.category = self.category if population else title
            self.heading_at = index
        elif self.current is not None and self.current.fields:
            self.pending.append(index)

    def _row(self, index: int, cells: list[str]) -> bool:
        """Read a table row; return False when it is not part of a list."""
        labels = [cell_label(c) for c in cells]
        if sum(1 for lb in labels if lb) >= 3 and any(field_kind(lb) == "name" for lb in labels):
            # a column the list vocabulary does not know ("类别") stays a field under its own header
            self.header = [lb or (None if _SEQUENCE.match(c) else c) for lb, c in zip(labels, cells, strict=True)]
            self.dropped += [c for lb, c in zip(self.header, cells, strict=True) if lb is None and c]  # 序号
            self.dropped += [lb for lb in self.header if lb and field_kind(lb) == "name"]
            self.current = None
            self.pending.clear()
            self._use(index)
            return True
        if self.header is not None:
            header = self.header[-len(cells) :] if len(cells) < len(self.header) else self.header
            self.dropped += [c for lb, c in zip(header, cells, strict=False) if lb is None and c]  # 序号
            row = [(lb, c) for lb, c in zip(header, cells, strict=False) if lb and c]
            name = next((c for lb, c in row if field_kind(lb) == "name"), None)
            if name is not None:
                self._start(name, index)
            elif self.current is None:
                return False  # a row without a name under no policy
            for label, value in row:
                if field_kind(label) != "name":
                    self._field(label, value, index)
            return True
        pairs = [(labels[i], cells[i + 1]) for i in range(0, len(cells) - 1, 2)]
        if len(cells) >= 4 and len(cells) % 2 == 0 and all(lb or not v for lb, v in pairs):
            for key, text in pairs:  # "政策名称 ⇥ X ⇥ 服务对象 ⇥ Y": two fields a row
                if key and text:
                    self._field(key, text, index)
            return True
        if labels[0] and len(cells) >= 2:
            self._field(labels[0], "".join(cells[1:]), index)
            return True
        return False

    def _field(self, label: str, value: str, index: int) -> None:
        if field_kind(label) == "name":
            if value:
                self.dropped.append(label)  # the name heads the block's section, its label nothing
                self._start(value, index)
            return
        if self.current is None:
            return  # a stray label outside any block: ordinary text
        for line in self.pending:  # the previous field went on over these lines
            self._extend(line)
        self.pending.clear()
        self.current.fields.append((label, value))
        self.used.add(index)

    def _extend(self, index: int) -> None:
        assert self.current is not None
        label, value = self.current.fields[-1]
        self.current.fields[-1] = (label, value + self.paragraphs[index])
        self.used.add(index)

    def _start(self, name: str, index: int) -> None:
        title = strip_marker(name)
        if name.startswith("政策") and title != name:  # "政策一：" numbers the block
            self.dropped.append(name[: name.rfind(title)])
        self.current = _Block(title, index, self.group, self.category)
        self.blocks.append(self.current)
        self.pending.clear()
        self._use(index)

    def _use(self, index: int) -> None:
        self.used.add(index)
        if self.heading_at is not None:  # the heading becomes the blocks' group or category
            self.used.add(self.heading_at)
            heading = self.paragraphs[self.heading_at]
            title = strip_marker(heading)
            if marker := heading[: heading.rfind(title)].strip() if title else "":
                self.dropped.append(marker)  # "二、": the section path names the group without it
            self.heading_at = None


def _is_heading_line(heading: Heading, paragraph: str) -> bool:
    return not heading.body and len(paragraph) <= MAX_TITLE_CHARS


def _is_title(paragraph: str) -> bool:
    """A short line that can name a policy: no sentence punctuation, no label of its own."""
    return (
        "\t" not in paragraph
        and 2 <= len(strip_marker(paragraph)) <= MAX_TITLE_CHARS
        and not TERMINAL.search(paragraph)
        and line_field(paragraph) is None
    )


def _opens_fields(paragraph: str) -> bool:
    """Return True when ``paragraph`` is a field other than the name (so the line before names a policy)."""
    if "\t" in paragraph:
        label = cell_label(paragraph.split("\t", 1)[0])
    else:
        found = line_field(paragraph)
        label = found[0] if found else None
    return label is not None and field_kind(label) != "name"


def _groups(blocks: list[_Block]) -> list[str]:
    """The 服务对象 of a policy: the sections it was listed under, or else its short 服务对象 values ("高校毕业生")."""
    named = [b.group for b in blocks if b.group]
    if not named:
        named = [v for b in blocks for lb, v in b.fields if field_kind(lb) == "target" and len(v) <= MAX_GROUP_CHARS]
    return list(dict.fromkeys(v.rstrip("。；;") for v in named))


def _field_values(blocks: list[_Block]) -> dict[str, list[tuple[str, str | None]]]:
    """Each label's distinct values (compared as in SPEC §4) with the group of the block they came from."""
    values: dict[str, list[tuple[str, str | None]]] = {}
    seen: set[tuple[str, str]] = set()
    for block in blocks:
        for label, value in block.fields:
            key = (label, match_key(value))
            if field_kind(label) == "name" or not key[1] or key in seen:
                continue
            seen.add(key)
            values.setdefault(label, []).append((value, block.group))
    for label, found in values.items():  # one 服务对象 provision listing every group's
        if field_kind(label) == "target" and len(found) > 1:
            values[label] = [("；".join(v.rstrip("。；;") for v, _ in found), None)]
    return values


def _cites(blocks: list[_Block]) -> tuple[str, ...]:
    """The 文号 named in the blocks' 文件依据 fields, in order, each once."""
    found: list[str] = []
    for block in blocks:
        for label, value in block.fields:
            if field_kind(label) == "basis":
                found.extend(cited_numbers(value))
    return tuple(dict.fromkeys(found))
