"""Place names → document regions (深圳 → 广东, 临清 → 山东省聊城市, 惠东 → 广东省惠州市).

One resolution for search, eligibility and ingestion: the lexicon's own names (aliases such as 粤,
colloquial places) first, then the administrative-division dataset (``knowledge.places``) for every
province, city and county of China. A place's *finest* region is its city region when it lies in a
prefecture-level city ("广东省惠州市"), else its province ("北京"); the region a citizen is answered
for is the most specific of its ancestors that has documents (or that the lexicon names).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Container
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge.places import Place, city_region_place, find_places, is_province, leading_place, locate

NATIONAL = "全国"
_SUFFIXES = re.compile(r"(?:壮族自治区|回族自治区|维吾尔自治区|特别行政区|自治区|省|市|区|县)$")


class LexiconError(Exception):
    """The lexicon file is missing or malformed; the message names the file and the problem."""


class RegionEntry(BaseModel):
    """One document region with the names that lead to it."""

    parent: str | None = None
    aliases: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)


class RegionTable(BaseModel):
    """All region knowledge of the lexicon, completed by the administrative-division dataset."""

    regions: dict[str, RegionEntry]

    def exact(self, name: str) -> str | None:
        """Return the lexicon region a name stands for when it is exactly one of its names (fast)."""
        table = self.__dict__.get("_exact_names")
        if table is None:
            table = {}
            for region, entry in sorted(self.regions.items(), key=lambda item: item[1].parent is not None):
                for known in [region, *entry.aliases, *entry.places]:
                    table[known] = region
            self.__dict__["_exact_names"] = table
        found = table.get(name)
        return found if found is not None else table.get(_SUFFIXES.sub("", name))

    def finest(self, name: str) -> str | None:
        """Return the most specific region a place name stands for, whether or not it has documents.

        Args:
            name: a place as a citizen or a document writes it ("惠东", "惠州市人力资源和社会保障局",
                "宁夏回族自治区", "全国").

        Returns:
            A city region ("广东省惠州市", "山东省聊城市"), a province ("广东", "北京"), 全国, or None when
            the name is no known place.
        """
        name = name.strip()
        if not name:
            return None
        if name in self.regions:
            return name
        known = self.exact(name)
        if known is not None:
            return self._refine(name, known)
        place = locate(name) or leading_place(name)
        if place is not None:
            return self._region_of(place)
        # a lexicon name at the start ("粤人社函…", a region key followed by an office)
        for region, entry in sorted(self.regions.items(), key=lambda item: item[1].parent is None):
            if any(name.startswith(n) for n in [region, *entry.aliases, *entry.places] if len(n) >= 2):
                return region
        return None

    def resolve(self, name: str, documented: Collection[str] = ()) -> str | None:
        """Map a place name to the document region it is answered for.

        Args:
            name: e.g. "深圳", "深圳市南山区", "临清", "惠东", "宁夏回族自治区", "全国".
            documented: regions that have documents beyond those the lexicon names (e.g. the regions
                of the published index); a city among them is kept at city level.

        Returns:
            The most specific region containing the place that the lexicon names or ``documented``
            holds ("广东省惠州市" when 惠州 has documents, else "广东"), a bare province name for a
            province without documents ("湖北"), or None when the name is not a known place.
        """
        finest = self.finest(name)
        return None if finest is None else self._documented(finest, documented)

    def find_in(self, text: str, documented: Collection[str] = ()) -> str | None:
        """Return the document region of the first place named in ``text`` (e.g. "宁夏十三五…" → 宁夏).

        Args:
            text: a question.
            documented: as for ``resolve``.

        Returns:
            The region (as ``resolve`` gives it) of the earliest place named whose region has documents
            (the lexicon's or ``documented``), else of the earliest place named; None when none is.
        """
        # every place named, as (position, -length, region); "在西安念完研了 家是银川的": the place the
        # knowledge base has documents for (银川 → 宁夏) is where the asker is, not the earliest (西安)
        named: list[tuple[int, int, str]] = []
        for region, entry in self.regions.items():
            for name in [region, *entry.aliases, *entry.places]:
                if len(name) >= 2 and (at := text.find(name)) >= 0:
                    resolved = self.resolve(name, documented)
                    if resolved is not None:
                        named.append((at, -len(name), resolved))
        for at, name, place in find_places(text):
            named.append((at, -len(name), self._documented(self._region_of(place), documented)))
        if not named:
            return None
        covered = [item for item in named if self.has_documents(item[2], documented)]
        return min(covered or named)[2]

    def has_documents(self, region: str, documented: Collection[str] = ()) -> bool:
        """Whether the knowledge base has documents for ``region`` itself or a region above it (not 全国)."""
        known = set(documented) | set(self.regions)
        return any(r in known for r in self.ancestors(region) if r != NATIONAL)

    def ancestors(self, region: str) -> list[str]:
        """Return ``region`` and every region containing it, ending with 全国.

        A region the lexicon does not list takes its parents from the dataset (广东省惠州市 → 广东).
        """
        chain = [region]
        entry = self.regions.get(region)
        if entry is None and (place := city_region_place(region)) is not None:
            chain.append(self.exact(place.province) or place.province)
            entry = self.regions.get(chain[-1])
        while entry is not None and entry.parent:
            chain.append(entry.parent)
            entry = self.regions.get(entry.parent)
        if NATIONAL not in chain:
            chain.append(NATIONAL)
        return chain

    def is_region(self, name: str) -> bool:
        """Return True when ``name`` is a region a document or a policy may carry: 全国, a lexicon region,
        a province ("辽宁") or a city region of the dataset ("辽宁省大连市")."""
        return name == NATIONAL or name in self.regions or is_province(name) or city_region_place(name) is not None

    def everyday_name(self, region: str) -> str:
        """Return the name people use for a region (山东省聊城市 → 聊城, 辽宁省大连市 → 大连)."""
        entry = self.regions.get(region)
        if entry is not None and entry.aliases:
            return entry.aliases[0]
        place = city_region_place(region)
        return place.city if place is not None and place.city else region

    def _refine(self, name: str, region: str) -> str:
        """A lexicon place name as precisely as the dataset knows it, when it lies in that region."""
        place = locate(name)
        if place is None or region == NATIONAL:
            return region
        finer = self._region_of(place)
        return finer if region in self.ancestors(finer) else region

    def _region_of(self, place: Place) -> str:
        """The finest region of a dataset place: its city region (or the lexicon's name for it), else its province."""
        if place.city_name is not None and place.city is not None:
            known = self.exact(place.city)
            if known is not None and known != self.exact(place.province):
                return known  # a city region the lexicon names (聊城 → 山东省聊城市)
            return place.city_region or place.province
        return self.exact(place.province) or place.province

    def _documented(self, finest: str, documented: Collection[str]) -> str:
        """The most specific of ``finest``'s ancestors that the lexicon names or that has documents."""
        chain = self.ancestors(finest)
        for region in chain:
            if region in self.regions or region in documented or is_province(region):
                return region
        return chain[-1]


class RegionNames(Container[str]):
    """Every region name a policy or a document may carry, as a container (``"辽宁省大连市" in names``)."""

    def __init__(self, table: RegionTable) -> None:
        self.table = table

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.table.is_region(name)


def load_regions(lexicon_path: Path) -> RegionTable:
    """Load the region part of the lexicon.

    Args:
        lexicon_path: ``knowledge/lexicon.yml``.

    Returns:
        The validated region table.

    Raises:
        LexiconError: the file is missing, not YAML, or malformed.
    """
    from knowledge.lexicon import load_lexicon

    return load_lexicon(lexicon_path).region_table
