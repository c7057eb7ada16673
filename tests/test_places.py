"""The gazetteer behind region recognition: any place in China a citizen names."""

from __future__ import annotations

import pytest

from knowledge.places import is_place_name, locate
from knowledge.regions import RegionTable, load_regions
from knowledge.settings import Settings


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


# The places the lexicon listed by hand before the dataset took over, with the region each resolved to:
# resolving them (alone and inside a sentence) must not have changed.
FORMER_LEXICON_PLACES = {
    "广东": "广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮 "
    "顺德 南山 福田 罗湖 宝安 龙岗 天河 番禺",
    "山东": "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 滨州 菏泽",
    "山东省聊城市": "东昌府 东昌府区 临清 临清市 茌平 茌平区 阳谷 阳谷县 莘县 东阿 东阿县 冠县 高唐 高唐县",
    "宁夏": "银川 石嘴山 吴忠 固原 中卫 兴庆 金凤 西夏 永宁 贺兰 灵武 平罗 青铜峡 盐池 同心 西吉 隆德 泾源 彭阳 "
    "中宁 海原 红寺堡",
}


@pytest.fixture(scope="module")
def regions(settings: Settings) -> RegionTable:
    return load_regions(settings.paths.lexicon)


@pytest.mark.parametrize(
    ("region", "name"), [(r, n) for r, names in FORMER_LEXICON_PLACES.items() for n in names.split()]
)
def test_places_dropped_from_the_lexicon_resolve_as_before(regions: RegionTable, region: str, name: str) -> None:
    assert regions.resolve(name) == region
    assert regions.find_in(f"我在{name}打工，想问问就业补贴") == region


def test_the_lexicon_keeps_no_place_the_dataset_finds_in_a_sentence(regions: RegionTable) -> None:
    listed = [name for entry in regions.regions.values() for name in entry.places]
    assert listed and not [name for name in listed if is_place_name(name)]


@pytest.mark.parametrize(
    ("name", "finest"),
    [
        ("惠东", "广东省惠州市"),
        ("惠州市", "广东省惠州市"),
        ("大连", "辽宁省大连市"),
        ("临清", "山东省聊城市"),
        ("惠州市人力资源和社会保障局", "广东省惠州市"),
        ("广东省惠州市惠东县", "广东省惠州市"),
        ("武汉", "湖北省武汉市"),
        ("东莞", "广东省东莞市"),  # a prefecture-level city without counties
        ("北京市朝阳区", "北京"),  # a municipality's district: the municipality
        ("仙桃", "湖北"),  # a county-level city directly under its province
        ("宁夏回族自治区", "宁夏"),
    ],
)
def test_any_place_resolves_to_its_city_from_the_dataset(regions: RegionTable, name: str, finest: str) -> None:
    assert regions.finest(name) == finest


def test_a_citys_region_comes_from_its_documents(regions: RegionTable) -> None:
    # no documents of 惠州: answered from 广东 (and national) ones, as today
    assert regions.resolve("惠东") == "广东" and regions.resolve("大连") == "辽宁"
    # documents of 惠州 exist: the citizen is placed in the city, its ancestors from the dataset
    documented = {"广东", "全国", "广东省惠州市"}
    assert regions.resolve("惠东", documented) == "广东省惠州市"
    assert regions.find_in("惠东的见习补贴怎么领", documented) == "广东省惠州市"
    assert regions.resolve("深圳", documented) == "广东"
    assert regions.ancestors("广东省惠州市") == ["广东省惠州市", "广东", "全国"]
    assert regions.ancestors("辽宁省大连市") == ["辽宁省大连市", "辽宁", "全国"]
    assert regions.ancestors("山东省聊城市") == ["山东省聊城市", "山东", "全国"]
    assert regions.resolve("火星", documented) is None


def test_eligibility_uses_the_same_resolution_for_a_city_policy(settings: Settings, regions: RegionTable) -> None:
    """A policy of a city outside the lexicon applies to someone in one of its counties, not elsewhere."""
    from knowledge.catalogue import Catalogue, load_catalogue
    from knowledge.eligibility import EligibilityEngine
    from knowledge.facts import validate_facts
    from knowledge.regions import RegionNames

    guangdong = next(p for p in load_catalogue(settings.paths.policies, RegionNames(regions)) if p.regions == ["广东"])
    city_policy = guangdong.model_copy(update={"id": "huizhou-only", "regions": ["广东省惠州市"]})
    assert "广东省惠州市" in RegionNames(regions) and "广东省火星市" not in RegionNames(regions)
    engine = EligibilityEngine(Catalogue({city_policy.id: city_policy, guangdong.id: guangdong}), regions)

    def region_reason(place: str, policy_id: str) -> str:
        verdict = engine.evaluate(validate_facts({"region": place}, regions))
        reasons = next(r for r in verdict.results if r.policy.id == policy_id).reasons
        return next(reason for reason in reasons if "适用于" in reason)

    assert region_reason("惠东", "huizhou-only").startswith("符合")
    assert region_reason("深圳", "huizhou-only").startswith("不符合")
    assert region_reason("惠东", guangdong.id).startswith("符合")  # the province's policy still applies


def test_the_answers_policy_card_places_a_named_place_like_eligibility(
    settings: Settings, regions: RegionTable
) -> None:
    """The chat hands the place as the citizen said it (深圳, 惠东); the policy card's region check resolves
    it the same way as eligibility does."""
    from answering.policymatch import applies_to
    from knowledge.catalogue import load_catalogue
    from knowledge.regions import RegionNames

    catalogue = load_catalogue(settings.paths.policies, RegionNames(regions))
    guangdong = next(p for p in catalogue if p.regions == ["广东"])
    city_policy = guangdong.model_copy(update={"regions": ["广东省惠州市"]})
    assert applies_to(guangdong, "深圳", regions) and applies_to(guangdong, "广东", regions)
    assert not applies_to(guangdong, "银川", regions)
    assert applies_to(city_policy, "惠东", regions) and not applies_to(city_policy, "深圳", regions)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("在成都读完大学了 老家是临清的 想回去找活", "山东省聊城市"),  # not 四川: no documents there
        ("以前在杭州打工 现在回固原了", "宁夏"),
        ("我在长沙 想问问", "湖南"),  # the only place named, with or without documents
    ],
)
def test_of_several_places_the_one_with_documents_is_where_the_asker_is(
    regions: RegionTable, text: str, region: str
) -> None:
    assert regions.find_in(text) == region
