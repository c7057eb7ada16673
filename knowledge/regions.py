"""Region names → document regions (深圳 → 广东, 临清 → 山东省聊城市), from the lexicon."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

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
    """All region knowledge of the lexicon."""

    regions: dict[str, RegionEntry]
    provinces: list[str] = Field(default_factory=list)

    def exact(self, name: str) -> str | None:
        """Return the region a name stands for when it is exactly a known alias or place (fast)."""
        table = self.__dict__.get("_exact_names")
        if table is None:
            table = {}
            for province in self.provinces:
                table.setdefault(province, province)
            for region, entry in sorted(self.regions.items(), key=lambda item: item[1].parent is not None):
                for known in [region, *entry.aliases, *entry.places]:
                    table[known] = region
            self.__dict__["_exact_names"] = table
        found = table.get(name)
        return found if found is not None else table.get(_SUFFIXES.sub("", name))

    def resolve(self, name: str) -> str | None:
        """Map a place name as a user or a document writes it to a document region.

        Args:
            name: e.g. "深圳", "深圳市南山区", "临清", "宁夏回族自治区", "全国".

        Returns:
            The document region ("广东", "山东省聊城市", "宁夏", "全国"), a bare province name for a
            province without documents ("北京"), or None when the name is not a known place.
        """
        name = name.strip()
        if not name:
            return None
        if name in self.regions:
            return name
        if (known := self.exact(name)) is not None:
            return known
        candidates = [name, _SUFFIXES.sub("", name)]
        # the most specific region first: a city region before its province
        ordered = sorted(self.regions.items(), key=lambda item: item[1].parent is None)
        for region, entry in ordered:
            names = [*entry.aliases, *entry.places]
            for candidate in candidates:
                if candidate in names or any(candidate.startswith(n) for n in names if len(n) >= 2):
                    return region
        for province in self.provinces:
            if name.startswith(province):
                return province
        from knowledge.places import locate

        place = locate(name)
        return self._region_of(place.province, place.city) if place is not None else None

    def _region_of(self, province: str, city: str | None) -> str:
        """The document region a gazetteer place falls in: its city's, its province's, else the province."""
        if city is not None and (known := self.exact(city)) is not None:
            return known
        return self.exact(province) or province

    def find_in(self, text: str) -> str | None:
        """Return the document region of the first place named in ``text`` (e.g. "宁夏十三五…" → 宁夏).

        Args:
            text: a question.

        Returns:
            The region of the earliest (longest at that position) place name, or None.
        """
        best: tuple[int, int, str] | None = None
        for region, entry in self.regions.items():
            for name in [region, *entry.aliases, *entry.places]:
                if len(name) < 2:
                    continue
                at = text.find(name)
                if at >= 0 and (best is None or (at, -len(name)) < (best[0], -best[1])):
                    best = (at, len(name), region)
        for province in self.provinces:
            at = text.find(province)
            if at >= 0 and (best is None or at < best[0]):
                best = (at, len(province), province)
        if best is None:  # any other place in China (武汉, 惠东): the region it lies in
            from knowledge.places import find_place

            found = find_place(text)
            return self._region_of(found[2].province, found[2].city) if found is not None else None
        return best[2] if best else None

    def ancestors(self, region: str) -> list[str]:
        """Return ``region`` and every region containing it, ending with 全国."""
        chain = [region]
        entry = self.regions.get(region)
        while entry is not None and entry.parent:
            chain.append(entry.parent)
            entry = self.regions.get(entry.parent)
        if NATIONAL not in chain:
            chain.append(NATIONAL)
        return chain


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
