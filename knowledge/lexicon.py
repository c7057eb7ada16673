"""The lexicon (``knowledge/lexicon.yml``): policy terms, colloquial synonyms, stop words and regions."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from knowledge.regions import LexiconError, RegionEntry, RegionTable
from knowledge.yamlfile import read_mapping


class Lexicon(BaseModel):
    """Everything the lexicon file holds, validated."""

    terms: list[str] = Field(default_factory=list)
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    stopwords: list[str] = Field(default_factory=list)
    groups: dict[str, list[str]] = Field(default_factory=dict)
    employment: dict[str, list[str]] = Field(default_factory=dict)
    farming: list[str] = Field(default_factory=list)  # working one's own land: no employment status
    # A group stated by a described situation, not named ("外地来这边打工的", "家里一个上班的都没有"):
    # code → patterns; a pattern is a list of slots (alternative words), all found in order, each
    # within ``situation_window`` characters of the previous one.
    situations: dict[str, list[list[list[str]]]] = Field(default_factory=dict)
    situation_window: int = Field(6, ge=0, le=30)
    central_western: list[str] = Field(default_factory=list)  # provinces of 中西部地区
    regions: dict[str, RegionEntry] = Field(default_factory=dict)

    @field_validator("terms", "stopwords", "farming")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        cleaned = [str(v).strip() for v in values]
        if any(not v for v in cleaned):
            raise ValueError("empty entry")
        return list(dict.fromkeys(cleaned))

    @field_validator("synonyms")
    @classmethod
    def _values_are_lists(cls, values: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, targets in values.items():
            if not str(key).strip() or not targets:
                raise ValueError(f"synonym “{key}” needs at least one official term")
        return {str(k).strip(): [str(t).strip() for t in v] for k, v in values.items()}

    @field_validator("groups")
    @classmethod
    def _known_groups(cls, values: dict[str, list[str]]) -> dict[str, list[str]]:
        from knowledge.facts import GROUPS

        for code, phrases in values.items():
            if code not in GROUPS:
                raise ValueError(f"groups: “{code}” 不是有效的人群代码")
            if not phrases:
                raise ValueError(f"groups: “{code}” 需要至少一个说法")
        return values

    @field_validator("situations")
    @classmethod
    def _situation_patterns(cls, values: dict[str, list[list[list[str]]]]) -> dict[str, list[list[list[str]]]]:
        from knowledge.facts import GROUPS

        for code, patterns in values.items():
            if code not in GROUPS:
                raise ValueError(f"situations: “{code}” 不是有效的人群代码")
            for pattern in patterns:
                if len(pattern) < 2 or any(not slot or any(not str(w).strip() for w in slot) for slot in pattern):
                    raise ValueError(f"situations: “{code}” 的每个模式需要至少两个非空的词组")
        return values

    @field_validator("employment")
    @classmethod
    def _known_statuses(cls, values: dict[str, list[str]]) -> dict[str, list[str]]:
        from knowledge.facts import EMPLOYMENT_STATUS

        for code in values:
            if code not in EMPLOYMENT_STATUS:
                raise ValueError(f"employment: “{code}” 不是有效的就业状态")
        return values

    @cached_property
    def region_table(self) -> RegionTable:
        """Return the region part as a resolver."""
        return RegionTable(regions=self.regions)

    @cached_property
    def _synonym_pattern(self) -> re.Pattern[str] | None:
        keys = sorted(self.synonyms, key=len, reverse=True)
        return re.compile("|".join(map(_key_pattern, keys))) if keys else None

    def matches(self, text: str) -> list[tuple[str, list[str]]]:
        """Return the colloquial keys found in ``text`` (longest first at each place) with their terms."""
        if self._synonym_pattern is None:
            return []
        found = []
        for m in self._synonym_pattern.finditer(fold_locatives(text)):
            key = m.group()
            if key not in self.synonyms:  # a separable word with 了/个/门… inside: 下了岗 → 下岗, 开个店 → 开店
                # ... unless what follows the verb is a word of its own: 交个税 is 个税, not 交税
                key = key[1:] if key[1:] in self.synonyms else key[0] + key[2:]
            found.append((key, self.synonyms[key]))
        return found

    def expansions(self, text: str) -> list[str]:
        """Return the official terms for the colloquial words found in ``text``.

        Longer keys win over the shorter keys inside them ("外卖小哥" before "外卖"); terms
        already present in the text are not repeated.

        Args:
            text: a question as a citizen typed it.

        Returns:
            Official terms in order of appearance, without duplicates.
        """
        found: list[str] = []
        for _, terms in self.matches(text):
            for term in terms:
                if term not in text and term not in found:
                    found.append(term)
        return found


_CJK_WORD = re.compile(r"[\u3400-\u9fff]+")


# Northern and southern speech say 里头 / 里边 / 外头 / 外边 for 里面 / 外面 ("从里头出来", "在外头打工"); keys are
# written with 面, so a question is matched with its locatives folded to 面 (same length: positions are kept).
_LOCATIVE = re.compile(r"([里外])[头边]")


def fold_locatives(text: str) -> str:
    """Return ``text`` with 里头/里边/外头/外边 written 里面/外面, for matching colloquial keys."""
    return _LOCATIVE.sub(r"\1面", text)


# Said between a verb and its object: an aspect particle (下了岗, 当过兵, 粤 毕咗业), a result (找到工作) or a
# measure word (学门手艺, 开个店, 贷点款, 考个证, 找份工作).
_INSIDE = "了过着咗到个门份家间点"


def _key_pattern(key: str) -> str:
    """Return the regex of one colloquial key. A verb-object word (a two-character key, or a verb and a
    two-character object) is also found with an aspect particle or a measure word inside, the way people
    say it: 下了岗, 当过兵, 开个店, 学门手艺, 找份工作."""
    if len(key) in (2, 3) and _CJK_WORD.fullmatch(key) and key[-1] not in _INSIDE:  # not 关了
        return f"{re.escape(key[0])}[{_INSIDE}]?{re.escape(key[1:])}"
    return re.escape(key)


def load_lexicon(path: Path) -> Lexicon:
    """Load and validate the lexicon.

    Args:
        path: ``knowledge/lexicon.yml``.

    Returns:
        The lexicon.

    Raises:
        LexiconError: the file is missing, not YAML, or an entry is malformed (named in the message).
    """
    data = read_mapping(path, "词库文件", LexiconError)
    try:
        return Lexicon.model_validate(data)
    except ValidationError as exc:
        raise LexiconError(f"词库文件 {path} 有误: {exc}") from exc
