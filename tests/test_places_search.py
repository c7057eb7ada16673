"""A city outside the lexicon, end to end: its page is indexed at city level and its citizens are answered
from it first, while everyone else is answered as before (slow: one lexical-only build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.settings import load_settings
from retrieval.service import RetrievalService

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests/fixtures/places/惠州市人社局_就业见习通知.html"
HUIZHOU = "广东省惠州市"
QUESTION = "就业见习补贴按最低工资标准的多少给"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> RetrievalService:
    sources = tmp_path_factory.mktemp("sources")
    for seed in (ROOT / "knowledge/sources").iterdir():
        shutil.copy(seed, sources / seed.name)
    shutil.copy(PAGE, sources / PAGE.name)
    settings = load_settings(
        ROOT / "config.yml",
        paths={"index_root": str(tmp_path_factory.mktemp("index")), "sources": str(sources)},
        index={"dense": False},
    )
    built = RetrievalService.from_settings(settings)
    _, failed = built.build()
    assert failed == []
    return built


@pytest.mark.parametrize("place", ["惠州", "惠东", "惠州市惠城区"])
def test_a_citizen_of_the_new_city_is_answered_from_its_page_first(service: RetrievalService, place: str) -> None:
    response = service.searcher.search(QUESTION, k=5, region=place)
    assert response.region == HUIZHOU
    top = response.results[0]
    assert top.document.region == HUIZHOU and "最低工资标准" in top.provision.text
    assert top.applies is True
    # 广东 and national provisions still apply to them (ancestors from the dataset)
    assert all(r.applies for r in response.results if r.document.region in {"广东", "全国"})


def test_a_place_named_in_the_question_counts_at_city_level(service: RetrievalService) -> None:
    assert service.searcher.search(f"我在惠东，{QUESTION}", k=5).region == HUIZHOU


def test_elsewhere_in_the_province_the_citys_page_is_not_local(service: RetrievalService) -> None:
    shenzhen = service.searcher.search(QUESTION, k=10, region="深圳")
    assert shenzhen.region == "广东"
    assert all(r.applies is False for r in shenzhen.results if r.document.region == HUIZHOU)
    dalian = service.searcher.search(QUESTION, k=10, region="大连")
    assert dalian.region == "辽宁"  # no documents of 大连: its province, answered from national ones


def test_the_chat_answers_a_citizen_of_the_new_city_from_its_page(service: RetrievalService) -> None:
    from datetime import date

    from answering.composer import AnswerComposer
    from answering.models import AnswerContext
    from knowledge.service import EligibilityService

    documents, _ = service.ingest_sources()
    eligibility = EligibilityService.from_settings(
        service.settings, service.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
    )
    composer = AnswerComposer(service.searcher, eligibility, service.settings.answer, today=lambda: date(2022, 6, 1))
    said = composer.compose(QUESTION, AnswerContext(region="惠东"))
    assert "惠州" in said.source and "最低工资标准" in said.lead
    named = composer.compose(f"我在惠州，{QUESTION}")
    assert named.region == HUIZHOU and "惠州" in named.source
