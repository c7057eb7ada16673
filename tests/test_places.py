"""The gazetteer behind region recognition: any place in China a citizen names."""

from __future__ import annotations

import pytest

from knowledge.places import is_place_name, locate


@pytest.mark.parametrize(
    ("name", "province", "city"),
    [
        ("西安", "陕西", "西安"),  # the capital, not 辽源's 西安区
        ("长沙", "湖南", "长沙"),
        ("惠东", "广东", "惠州"),
        ("武汉市", "湖北", "武汉"),
        ("大连", "辽宁", "大连"),
    ],
)
def test_a_city_wins_its_name_over_a_district_that_shares_it(name: str, province: str, city: str) -> None:
    place = locate(name)
    assert place is not None and (place.province, place.city) == (province, city)


def test_common_words_are_not_places_inside_a_sentence() -> None:
    assert is_place_name("武汉") and not is_place_name("和平")
    assert locate("随便什么") is None
