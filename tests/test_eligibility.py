"""The policy catalogue and the eligibility engine on the real catalogue and knowledge base."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from knowledge.catalogue import CatalogueError, condition_facts, load_catalogue
from knowledge.eligibility import EligibilityEngine
from knowledge.facts import FACTS, FactError, validate_facts
from knowledge.lexicon import load_lexicon
from knowledge.regions import NATIONAL
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from knowledge.textmatch import match_key
from retrieval.ingest.models import Document

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = [
    "internship-subsidy-gd", "job-search-subsidy", "startup-one-off-subsidy", "skill-upgrade-subsidy",
    "flexible-insurance", "startup-guarantee-loan", "veteran-loan-interest-nx", "women-startup-loan-nx",
    "poverty-startup-loan-lc", "graduate-social-insurance-subsidy-lc", "grassroots-tuition-compensation",
    "urban-unemployment-registration", "internal-retirement", "public-welfare-posts-gd", "enlistment-tuition-aid",
]  # fmt: skip


@pytest.fixture(scope="module")
def service(settings: Settings, seed_documents: dict[str, Document]) -> EligibilityService:
    lexicon = load_lexicon(settings.paths.lexicon)
    docs = [(d.meta.id, d.meta.number, d.meta.title) for d in seed_documents.values()]
    built = EligibilityService.from_settings(settings, lexicon, docs)
    built.engine.today = date(2026, 11, 22)
    return built


def _status(service: EligibilityService, policy_id: str, facts: dict[str, Any]) -> tuple[str, list[str]]:
    verdict = service.check(facts)
    result = next(r for r in verdict.results if r.policy.id == policy_id)
    return result.status, result.missing


def test_catalogue_has_the_required_policies(service: EligibilityService) -> None:
    assert len(service.catalogue) >= 25
    assert set(REQUIRED) <= set(service.catalogue.policies)


def test_every_quote_occurs_in_a_provision_of_its_document(
    service: EligibilityService, seed_documents: dict[str, Document]
) -> None:
    by_doc: dict[str, list[str]] = {}
    for doc in seed_documents.values():
        keys = [match_key(p.text) for p in doc.provisions]
        by_doc.setdefault(doc.meta.id, []).extend(keys)
        if doc.meta.number:
            by_doc.setdefault(doc.meta.number, []).extend(keys)
    for policy in service.catalogue:
        for citation in policy.citations:
            assert citation.doc in by_doc, (policy.id, citation.doc)
            assert any(match_key(citation.quote) in text for text in by_doc[citation.doc]), (policy.id, citation.quote)


def test_every_condition_uses_a_spec_fact(service: EligibilityService) -> None:
    for policy in service.catalogue:
        assert set(condition_facts(policy.conditions)) <= set(FACTS) - {"region"}, policy.id


def test_no_invented_urls_or_phone_numbers(service: EligibilityService) -> None:
    import re

    for policy in service.catalogue:
        text = policy.benefit + policy.how_to_apply + (policy.note or "")
        assert "http" not in text and "www." not in text, policy.id
        assert all(number == "12333" for number in re.findall(r"\d{5,}", text)), policy.id


GRADUATE_GD = {"region": "深圳", "groups": ["graduate"], "employment_status": "unemployed"}


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        ({**GRADUATE_GD, "years_since_graduation": 2}, "eligible"),
        ({**GRADUATE_GD, "years_since_graduation": 0}, "eligible"),
        ({**GRADUATE_GD, "years_since_graduation": 2.5}, "ineligible"),
        ({**GRADUATE_GD, "region": "银川", "years_since_graduation": 1}, "ineligible"),
        ({**GRADUATE_GD, "employment_status": "employed", "years_since_graduation": 1}, "ineligible"),
        ({"region": "深圳", "groups": ["graduate"], "years_since_graduation": 1}, "unknown"),
        ({"groups": ["graduate"], "employment_status": "unemployed", "years_since_graduation": 1}, "unknown"),
    ],
)
def test_internship_subsidy_boundaries(service: EligibilityService, facts: dict[str, Any], status: str) -> None:
    assert _status(service, "internship-subsidy-gd", facts)[0] == status


def test_region_reason_says_where_it_applies(service: EligibilityService) -> None:
    verdict = service.check({**GRADUATE_GD, "region": "银川", "years_since_graduation": 1})
    result = next(r for r in verdict.results if r.policy.id == "internship-subsidy-gd")
    assert any("仅适用于广东省" in reason for reason in result.reasons)
    assert any("粤府〔2017〕101号" in reason for reason in result.reasons)


@pytest.mark.parametrize(("years", "status"), [(3, "eligible"), (3.5, "eligible"), (2.9, "ineligible")])
def test_skill_upgrade_subsidy_boundaries(service: EligibilityService, years: float, status: str) -> None:
    facts = {
        "groups": ["enterprise_employee"],
        "unemployment_insurance_years": years,
        "certificate_this_year": True,
        "employment_status": "employed",
        "region": "聊城",
    }
    assert _status(service, "skill-upgrade-subsidy", facts)[0] == status


def test_skill_upgrade_needs_the_certificate(service: EligibilityService) -> None:
    facts = {"groups": ["enterprise_employee"], "unemployment_insurance_years": 4, "employment_status": "employed"}
    status, missing = _status(service, "skill-upgrade-subsidy", facts)
    assert status == "unknown" and "certificate_this_year" in missing
    facts["certificate_this_year"] = False
    assert _status(service, "skill-upgrade-subsidy", facts)[0] == "ineligible"


@pytest.mark.parametrize(("operating", "status"), [(1, "eligible"), (2, "eligible"), (0.5, "ineligible")])
def test_one_off_startup_subsidy_boundaries(service: EligibilityService, operating: float, status: str) -> None:
    facts = {
        "groups": ["graduate"],
        "business_first_time": True,
        "business_operating_years": operating,
        "employment_status": "self_employed",
        "region": "广州",
    }
    assert _status(service, "startup-one-off-subsidy", facts)[0] == status


def test_one_off_startup_subsidy_for_hard_to_employ_but_not_others(service: EligibilityService) -> None:
    base = {"business_first_time": True, "business_operating_years": 1, "employment_status": "self_employed"}
    assert _status(service, "startup-one-off-subsidy", {**base, "groups": ["hard_to_employ"]})[0] == "eligible"
    assert _status(service, "startup-one-off-subsidy", {**base, "groups": ["veteran"]})[0] == "ineligible"


def test_a_small_business_owner_is_told_of_job_retention_support(service: EligibilityService) -> None:
    assert _status(service, "small-business-job-retention", {"employment_status": "self_employed"})[0] == "eligible"
    assert _status(service, "small-business-job-retention", {"employment_status": "employed"})[0] == "ineligible"


def test_relocated_people_are_told_of_follow_up_employment_support(service: EligibilityService) -> None:
    assert (
        _status(service, "relocated-employment-support", {"groups": ["relocated"], "region": "吴忠"})[0] == "eligible"
    )
    assert _status(service, "relocated-employment-support", {"groups": ["rural_resident"]})[0] == "ineligible"


@pytest.mark.parametrize(("years_to_retirement", "status"), [(5, "eligible"), (3, "eligible"), (6, "ineligible")])
def test_internal_retirement_boundaries(service: EligibilityService, years_to_retirement: int, status: str) -> None:
    facts = {
        "groups": ["enterprise_employee"],
        "years_to_retirement": years_to_retirement,
        "overcapacity_industry": True,
        "employment_status": "employed",
    }
    assert _status(service, "internal-retirement", facts)[0] == status


@pytest.mark.parametrize(("region", "status"), [("银川", "eligible"), ("宁夏", "eligible"), ("深圳", "ineligible")])
def test_ningxia_only_policies(service: EligibilityService, region: str, status: str) -> None:
    assert _status(service, "veteran-loan-interest-nx", {"region": region, "groups": ["veteran"]})[0] == status
    assert _status(service, "women-startup-loan-nx", {"region": region, "groups": ["woman"]})[0] == status


def test_unknown_region_is_unknown_for_local_and_irrelevant_for_national(service: EligibilityService) -> None:
    status, missing = _status(service, "veteran-loan-interest-nx", {"groups": ["veteran"]})
    assert status == "unknown" and missing == ["region"]
    policy = service.catalogue.policies["urban-unemployment-registration"]
    assert NATIONAL in policy.regions
    assert (
        _status(
            service,
            "urban-unemployment-registration",
            {"groups": ["migrant_worker"], "employment_status": "unemployed"},
        )[0]
        == "eligible"
    )


def test_liaocheng_policies_follow_the_county(service: EligibilityService) -> None:
    assert (
        _status(service, "graduate-social-insurance-subsidy-lc", {"region": "临清", "employer_type": "small_micro"})[0]
        == "eligible"
    )
    assert (
        _status(service, "graduate-social-insurance-subsidy-lc", {"region": "济南", "employer_type": "small_micro"})[0]
        == "ineligible"
    )


def test_required_policies_each_reachable(service: EligibilityService) -> None:
    cases = {
        "job-search-subsidy": {"groups": ["graduate", "poor_household"]},
        "flexible-insurance": {"groups": ["platform_worker"]},
        "grassroots-tuition-compensation": {"groups": ["graduate"], "grassroots_job": True},
        "public-welfare-posts-gd": {"region": "广州", "groups": ["hard_to_employ"]},
        "enlistment-tuition-aid": {"groups": ["student"], "enlisting": True},
        "poverty-startup-loan-lc": {"region": "聊城", "groups": ["poor_household", "rural_resident"]},
    }
    for policy_id, facts in cases.items():
        status, missing = _status(service, policy_id, facts)
        assert status in {"eligible", "unknown"}, (policy_id, status)
        if status == "unknown":  # only facts the case did not give may be missing
            assert not set(missing) & set(facts), (policy_id, missing)


def test_never_guesses_with_no_facts(service: EligibilityService) -> None:
    verdict = service.check({})
    assert all(
        r.status == "unknown" or (not r.policy.conditions and NATIONAL in r.policy.regions) for r in verdict.results
    )
    assert verdict.next_fact in {"groups", "region"}


def test_next_question_follows_what_is_still_open(service: EligibilityService) -> None:
    first = service.check({"region": "深圳"})
    assert first.next_fact == "groups"
    later = service.check({"region": "深圳", "groups": ["graduate"]})
    assert later.next_fact not in {"region", "groups"}
    open_ids = [r.policy.id for r in later.results if r.status == "unknown"]
    assert any(later.next_fact in r.missing for r in later.results if r.policy.id in open_ids)


def test_a_declined_fact_stops_questions_that_could_no_longer_make_a_policy_fit(service: EligibilityService) -> None:
    facts = {"region": "聊城", "employment_status": "employed"}
    asked = service.check(facts).next_fact
    assert asked == "groups"
    # "不清楚" to 身份: every policy for a group can no longer fit, so nothing is asked for them alone
    # (before, the form went on to 去产能, 劳动合同, 基层 and 参军 for a farmer who did not know his group)
    left: list[str] = []
    skip = ["groups"]
    while (fact := service.check(facts, skip).next_fact) is not None:
        left.append(fact)
        skip.append(fact)
    assert len(left) < 4, left
    assert not {"overcapacity_industry", "enlisting", "labor_contract", "grassroots_job"} & set(left)
    for fact in left:  # each question asked could still make some open policy fit
        verdict = service.check(facts, ["groups"])
        assert any(fact in r.missing and "groups" not in r.missing for r in verdict.results if r.status == "unknown")
    # a group given keeps its questions: an enterprise employee is asked about 去产能
    worker = {**facts, "groups": ["enterprise_employee"]}
    asked_worker: list[str] = []
    while (fact := service.check(worker, asked_worker).next_fact) is not None:
        asked_worker.append(fact)
    assert "overcapacity_industry" in asked_worker


def test_ended_plans_are_flagged(service: EligibilityService) -> None:
    verdict = service.check({"region": "聊城", "employer_type": "small_micro"})
    result = next(r for r in verdict.results if r.policy.id == "graduate-social-insurance-subsidy-lc")
    assert result.period_ended and any("规划期已结束" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"groups": ["astronaut"]}, "groups"),
        ({"years_since_graduation": -1}, "years_since_graduation"),
        ({"years_since_graduation": "two"}, "years_since_graduation"),
        ({"business_first_time": "yes"}, "business_first_time"),
        ({"region": "火星"}, "region"),
        ({"employment_status": "retired"}, "employment_status"),
        ({"favourite_colour": "red"}, "favourite_colour"),
        (["not", "an", "object"], "facts"),
    ],
)
def test_bad_facts_name_the_field(service: EligibilityService, facts: Any, field: str) -> None:
    with pytest.raises(FactError) as caught:
        validate_facts(facts, service.engine.regions)
    assert caught.value.field == field


def test_malformed_catalogue_fails_with_file_entry_and_problem(tmp_path: Path) -> None:
    good = yaml.safe_load((ROOT / "knowledge" / "policies.yml").read_text(encoding="utf-8"))
    bad = [good[0], {**good[1], "conditions": {"all": [{"fact": "shoe_size", "gte": 40}]}}]
    path = tmp_path / "policies.yml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path, {"全国", "广东", "山东省聊城市", "宁夏"})
    message = str(caught.value)
    assert str(path) in message and "第 2 条" in message and good[1]["id"] in message and "shoe_size" in message


def test_engine_counts_conditions(service: EligibilityService) -> None:
    engine = EligibilityEngine(service.catalogue, service.engine.regions)
    verdict = engine.evaluate(validate_facts({"region": "深圳", "groups": ["graduate"]}, service.engine.regions))
    assert verdict.conditions_evaluated >= len(service.catalogue)


@pytest.fixture(scope="module")
def client(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from knowledge.settings import load_settings
    from webchat.app import create_app

    root = tmp_path_factory.mktemp("index")
    app_settings = load_settings(ROOT / "config.yml", paths={"index_root": str(root)}, index={"dense": False})
    app = create_app(app_settings, {"TESTING": True})
    with app.test_client() as test_client:
        yield test_client


def test_http_eligibility(client: FlaskClient) -> None:
    reply = client.post("/api/eligibility", json={"facts": {**GRADUATE_GD, "years_since_graduation": 1}})
    assert reply.status_code == 200
    body = reply.get_json()
    result = next(r for r in body["results"] if r["policy_id"] == "internship-subsidy-gd")
    assert result["status"] == "eligible" and result["missing"] == []
    assert set(result) >= {"policy_id", "name", "status", "reasons", "missing", "citations"}
    assert result["citations"][0]["number"] == "粤府〔2017〕101号"
    assert result["citations"][0]["doc"] == "002_b204cd96ef3811e9"
    assert body["next_question"] is None or body["next_question"]["question"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"facts": {"groups": ["astronaut"]}}, "groups"),
        ({"facts": {"years_since_graduation": -2}}, "years_since_graduation"),
        ({"facts": {"region": "火星"}}, "region"),
        ({"nofacts": 1}, "请求体"),
    ],
)
def test_http_eligibility_bad_facts_are_400(client: FlaskClient, payload: dict[str, Any], message: str) -> None:
    reply = client.post("/api/eligibility", json=payload)
    assert reply.status_code == 400 and message in reply.get_json()["error"]


@pytest.mark.parametrize("digits", [400, 4000, 5000])
def test_http_eligibility_huge_number_is_400(client: FlaskClient, digits: int) -> None:
    body = '{"facts": {"years_since_graduation": ' + "9" * digits + "}}"
    reply = client.post("/api/eligibility", data=body, content_type="application/json")
    assert reply.status_code == 400
    error = reply.get_json()["error"]
    assert "请求体" in error or ("years_since_graduation" in error and "超过100" in error)


def test_http_policies(client: FlaskClient) -> None:
    listed = client.get("/api/policies").get_json()
    assert listed["count"] >= 25
    ningxia = client.get("/api/policies", query_string={"region": "银川"}).get_json()
    assert all(set(p["regions"]) & {"宁夏", "全国"} for p in ningxia["policies"])
    one = client.get("/api/policies/women-startup-loan-nx").get_json()
    assert one["regions"] == ["宁夏"] and one["citations"] and one["how_to_apply"]
    assert client.get("/api/policies/nope").status_code == 404


def test_the_policies_matching_most_of_the_facts_come_first(service: EligibilityService) -> None:
    facts = {"region": "深圳", "groups": ["graduate"], "employment_status": "unemployed", "years_since_graduation": 1}
    verdict = service.check(facts)
    eligible = [r.policy.id for r in verdict.results if r.status == "eligible"]
    assert eligible[0] == "internship-subsidy-gd"
    assert eligible.index("internship-subsidy-gd") < eligible.index("startup-guarantee-loan")


def test_help_for_founding_a_business_comes_after_other_help_unless_the_asker_is_founding_one(
    service: EligibilityService,
) -> None:
    """A mother back to looking for work: the services for job seekers before the startup loan (a tie)."""
    facts = {"region": "聊城", "groups": ["woman"], "employment_status": "unemployed"}
    eligible = [r.policy.id for r in service.check(facts).results if r.status == "eligible"]
    assert eligible.index("unemployed-assistance") < eligible.index("startup-guarantee-loan")
    founding = [
        r.policy.id for r in service.check({**facts, "business_first_time": True}).results if r.status == "eligible"
    ]
    assert founding.index("startup-guarantee-loan") < founding.index("unemployed-assistance")


def test_a_school_leaver_is_told_of_free_and_subsidised_training(service: EligibilityService) -> None:
    """未升学初高中毕业生 is a group the plans name (and the 十四五 plan counts among 城镇青年)."""
    facts = {"region": "湛江", "groups": ["school_leaver"], "employment_status": "employed"}
    assert _status(service, "free-vocational-training", facts)[0] == "eligible"
    assert _status(service, "key-groups-skills-training", facts)[0] == "eligible"
    assert _status(service, "free-vocational-training", {**facts, "groups": []})[0] == "ineligible"


def test_policies_for_the_askers_own_group_come_before_those_for_any_job_seeker(service: EligibilityService) -> None:
    """A veteran without a job who wants to open a garage: the veterans' policies lead, not the loan for all."""
    facts = {"region": "中卫", "groups": ["veteran"], "employment_status": "unemployed", "business_first_time": True}
    eligible = [r.policy.id for r in service.check(facts).results if r.status == "eligible"]
    assert eligible.index("veteran-employment-support") < eligible.index("startup-guarantee-loan")
    assert eligible.index("veteran-loan-interest-nx") < eligible.index("startup-guarantee-loan")


def _questions(service: EligibilityService, truth: dict[str, Any], limit: int = 10) -> list[str]:
    """The facts the form would ask, in order, of a citizen whose answers are ``truth`` (others skipped)."""
    facts: dict[str, Any] = {}
    skip: list[str] = []
    asked: list[str] = []
    for _ in range(limit):
        fact = service.check(facts, skip).next_fact
        if fact is None:
            break
        asked.append(fact)
        if truth.get(fact) is None:
            skip.append(fact)
        else:
            facts[fact] = truth[fact]
    return asked


def test_a_graduate_is_asked_about_graduates_before_founding_a_business(service: EligibilityService) -> None:
    """An unemployed graduate was once asked "第一次创办企业吗" right after their employment status."""
    graduate = {"region": "深圳", "groups": ["graduate"], "employment_status": "unemployed",
                "years_since_graduation": 1, "grassroots_job": False, "enlisting": False}  # fmt: skip
    asked = _questions(service, graduate)
    assert set(asked[:4]) == {"region", "groups", "employment_status", "years_since_graduation"}
    assert asked.index("business_first_time") > max(asked.index("grassroots_job"), asked.index("enlisting"))


def test_a_fact_only_off_the_citizens_path_is_asked_last(service: EligibilityService) -> None:
    facts = {"region": "深圳", "groups": ["graduate"], "employment_status": "unemployed"}
    verdict = service.check(facts)
    by_id = {r.policy.id: r for r in verdict.results}
    # open for the self-employed or first-time founders: this citizen is not self-employed
    assert by_id["graduate-startup-support"].off_path == {"business_first_time"}
    # 首次创业 is a condition for everyone the one-off subsidy covers; 经营年限 concerns the self-employed
    assert by_id["startup-one-off-subsidy"].off_path == {"business_operating_years"}
    assert by_id["graduate-startup-support"].missing == ["business_first_time"]  # still named as missing
    assert verdict.next_fact == "years_since_graduation"
    employed = service.check({"region": "银川", "groups": ["flexible_worker"], "employment_status": "employed"})
    assert employed.next_fact != "business_first_time"


def test_founding_facts_come_first_for_the_self_employed(service: EligibilityService) -> None:
    founder = service.check({"region": "深圳", "groups": ["hard_to_employ"], "employment_status": "self_employed"})
    assert founder.next_fact in {"business_first_time", "business_operating_years"}
    assert "business_first_time" in _questions(
        service, {"region": "临清", "groups": ["rural_resident"], "employment_status": "unemployed"}
    ), "an off-path fact is still asked once nothing on the path is left"


def test_facts_about_running_a_business_come_last_for_someone_without_one(service: EligibilityService) -> None:
    """A would-be founder in 临清 who is unemployed was asked "是作为小微企业（用人单位）来咨询的吗" first."""
    founder = {"region": "临清", "groups": ["migrant_worker"], "employment_status": "unemployed"}
    verdict = service.check(founder)
    by_id = {r.policy.id: r for r in verdict.results}
    assert by_id["graduate-social-insurance-subsidy-lc"].off_path == {"employer_type"}
    asked = _questions(service, {**founder, "business_first_time": True})
    assert asked.index("business_first_time") < asked.index("employer_type")
    employer = service.check(
        {"region": "临清", "employment_status": "self_employed", "groups": ["enterprise_employee"]}
    )
    assert not {r.policy.id: r for r in employer.results}["graduate-social-insurance-subsidy-lc"].off_path
