"""Validity as data: statements in the text, sources.yml overrides, the as-of date in search, results,
citations, the API, the admin's 废止 mark and the console's status filter — with fixed clocks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from answering.composer import AnswerComposer
from answering.period import period_status
from knowledge.clock import fixed_clock
from knowledge.regions import load_regions
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from knowledge.sources import SourcesError, load_overrides
from retrieval.citation import source_line
from retrieval.ingest.models import Document, DocumentMeta
from retrieval.ingest.pipeline import Ingestor
from retrieval.ingest.validity import detect_validity, provision_deadline
from retrieval.service import RetrievalService
from tests.staffkit import AGENT, MAINTAINER, logged_in, make_app, make_settings, settings_at, upload_page
from webchat.admin import rebuilder_of
from webchat.app import retrieval_of

BEFORE = date(2020, 6, 1)  # the 十三五 plans still run
AFTER = date(2026, 12, 3)  # they ended in 2020, the 十四五 ones in 2025
PLAN_13 = "000_1b7baaa7f5881d6d"  # 国务院关于印发“十三五”促进就业规划的通知

# Two notices of one city on the same subsidy, in the style 人社 sites publish: the older one ran until
# the end of 2021, the newer one takes effect in 2024 for five years.
OLD_NOTICE = """清远市人力资源和社会保障局关于发放高校毕业生求职创业补贴的通知
清人社〔2019〕21号
各县（市、区）人力资源和社会保障局：
一、补贴对象
在毕业学年有就业创业意愿并积极求职创业的低收入家庭高校毕业生。
二、补贴标准
高校毕业生求职创业补贴按每人1500元的标准一次性发放。
三、申请办理
申请截止时间为2019年11月30日，逾期不予受理。
本通知自2019年3月1日起施行，有效期至2021年12月31日。
清远市人力资源和社会保障局
2019年2月20日
"""
NEW_NOTICE = """清远市人力资源和社会保障局关于调整高校毕业生求职创业补贴的通知
清人社〔2024〕8号
各县（市、区）人力资源和社会保障局：
一、补贴对象
在毕业学年有就业创业意愿并积极求职创业的低收入家庭高校毕业生。
二、补贴标准
高校毕业生求职创业补贴按每人2000元的标准一次性发放。
三、申请办理
毕业生通过广东政务服务网提出申请，2024年底前完成首批发放。
本通知自2024年1月1日起施行，有效期5年。
清远市人力资源和社会保障局
2023年12月15日
"""


# ----- detection ------------------------------------------------------------------------------


def test_each_statement_form_is_read_from_the_text() -> None:
    assert detect_validity("本通知自2026年1月1日起施行。", "2025-11-20").effective == "2026-01-01"
    assert detect_validity("本办法自印发之日起施行。", "2023-05-08").effective == "2023-05-08"
    until = detect_validity("本意见有效期至2027年12月31日。", "2022-12-01")
    assert (until.expiry, until.expiry_basis) == ("2027-12-31", "有效期至2027年12月31日")
    assert detect_validity("政策执行至2025年12月31日。", "2023-01-05").expiry == "2025-12-31"
    five = detect_validity("本通知自2021年3月1日起施行，有效期五年。", "2021-02-10")
    assert (five.effective, five.expiry) == ("2021-03-01", "2026-02-28")
    assert detect_validity("有效期5年。", "2020-07-01").expiry == "2025-06-30", "from the issue date"
    span = detect_validity("（正文）", "2017-05-01", "山东省2017-2020年就业创业行动计划")
    assert (span.expiry, span.expiry_basis) == ("2020-12-31", "规划期2017–2020年")
    assert detect_validity("健全就业服务体系。", "2020-01-01") == detect_validity("", None)


def test_a_provision_carries_its_own_deadline() -> None:
    assert provision_deadline("申请截止时间为2024年6月30日，逾期不予受理") == "2024-06-30"
    assert provision_deadline("2018年底前建成全省自主择业信息平台") == "2018-12-31"
    assert provision_deadline("到2020年，建设10个左右孵化器") == "2020-12-31"
    assert provision_deadline("健全就业服务体系") is None


def _ingest(tmp_path: Path, name: str, text: str, sources_yml: str = "") -> Document:
    from knowledge.settings import IngestSettings

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    meta_file = tmp_path / "sources.yml"
    meta_file.write_text(sources_yml, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    ingestor = Ingestor(IngestSettings(), load_regions(root / "knowledge" / "lexicon.yml"), load_overrides(meta_file))
    report = ingestor.ingest_file(path)
    assert report.error is None, report.error
    return report.documents[0]


def test_ingest_stores_the_validity_of_a_notice_and_its_deadlines(tmp_path: Path) -> None:
    doc = _ingest(tmp_path, "qingyuan_2019.txt", OLD_NOTICE)
    meta = doc.meta
    assert (meta.effective, meta.expiry) == ("2019-03-01", "2021-12-31")
    assert meta.status_on(date(2019, 1, 10)).code == "未施行"
    assert meta.status_on(date(2020, 6, 1)).text == "现行（有效期至2021年12月31日）"
    assert meta.status_on(AFTER).text == "已到期（有效期至2021年12月31日，已过）"
    deadline = next(p for p in doc.provisions if "截止" in p.text)
    assert deadline.deadline == "2019-11-30"
    during = period_status(meta, deadline, date(2019, 6, 1))
    assert not during.ended and during.text == "有效期至2021年12月31日"
    assert period_status(meta, deadline, BEFORE).text == "有效期至2021年12月31日，文中2019年的期限已过"
    assert period_status(meta, deadline, AFTER).ended


def test_the_plan_period_sets_the_expiry_of_a_seed(seed_documents: dict[str, Document]) -> None:
    meta = seed_documents[PLAN_13].meta
    assert meta.expiry == "2020-12-31" and meta.expiry_basis == "规划期2016–2020年"
    assert meta.status_on(BEFORE).text == "现行（规划期2016–2020年内）"
    assert meta.status_on(AFTER).text == "已到期（规划期2016–2020年已结束）"


def test_sources_yml_wins_over_the_text_and_takes_unquoted_dates(tmp_path: Path) -> None:
    overrides = (
        "qingyuan_2019.txt:\n"
        "  date: 2019-02-21\n"  # unquoted: YAML reads a date
        "  effective: 2019-04-01\n"
        "  expiry: '2022-06-30'\n"
        "  superseded_by: 清远市人力资源和社会保障局关于调整高校毕业生求职创业补贴的通知\n"
    )
    meta = _ingest(tmp_path, "qingyuan_2019.txt", OLD_NOTICE, overrides).meta
    assert (meta.date, meta.effective, meta.expiry) == ("2019-02-21", "2019-04-01", "2022-06-30")
    status = meta.status_on(BEFORE)
    assert status.code == "被替代"
    assert status.label == "被《清远市人力资源和社会保障局关于调整高校毕业生求职创业补贴的通知》替代"
    repealed = _ingest(tmp_path, "qingyuan_2019.txt", OLD_NOTICE, "qingyuan_2019.txt:\n  repealed: true\n").meta
    assert repealed.status_on(BEFORE).text.startswith("已废止")


def test_a_malformed_date_in_sources_yml_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "sources.yml"
    path.write_text("a.txt:\n  expiry: 2027年底\n", encoding="utf-8")
    with pytest.raises(SourcesError, match="格式应为 YYYY-MM-DD"):
        load_overrides(path)


# ----- search as of a date ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_notices(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, RetrievalService]:
    """A knowledge base of just the two fixture notices (BM25 only)."""
    tmp = tmp_path_factory.mktemp("two_notices")
    sources = tmp / "knowledge" / "sources"
    sources.mkdir(parents=True)
    (sources / "qingyuan_2019.txt").write_text(OLD_NOTICE, encoding="utf-8")
    (sources / "qingyuan_2024.txt").write_text(NEW_NOTICE, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    for name in ("lexicon.yml", "policies.yml"):
        (tmp / "knowledge" / name).write_bytes((root / "knowledge" / name).read_bytes())
    (tmp / "knowledge" / "sources.yml").write_text("", encoding="utf-8")
    settings = settings_at(tmp)
    service = RetrievalService.from_settings(settings, clock=fixed_clock(AFTER))
    service.build()
    return settings, service


def _first_doc(service: RetrievalService, question: str, as_of: date | None) -> tuple[str, Any]:
    response = service.searcher.search(question, k=3, as_of=as_of)
    best = response.results[0]
    return best.document.source, best.status


def test_the_document_in_force_ranks_first_when_equally_relevant(two_notices: tuple) -> None:
    settings, service = two_notices
    question = "低收入家庭高校毕业生求职创业补贴发多少"
    assert _first_doc(service, question, BEFORE)[0] == "qingyuan_2019.txt"
    source, status = _first_doc(service, question, None)  # the clock: AFTER
    assert source == "qingyuan_2024.txt" and status.text.startswith("现行")
    # without the validity stage the two tie the same way on both days: the stage makes the difference
    flat = RetrievalService.from_settings(
        settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"validity_weight": 0.0})})
    )
    assert _first_doc(flat, question, BEFORE)[0] == _first_doc(flat, question, AFTER)[0]


def test_every_result_and_citation_carries_its_status(two_notices: tuple) -> None:
    _, service = two_notices
    response = service.searcher.search("高校毕业生求职创业补贴", k=5, as_of=AFTER)
    assert response.as_of == AFTER
    old = next(r for r in response.results if r.document.source == "qingyuan_2019.txt")
    assert old.status is not None and old.status.code == "已到期"
    line = source_line(old.document, old.provision, AFTER)
    assert line.endswith("时效 已到期（有效期至2021年12月31日，已过）")
    assert "时效" not in source_line(old.document, old.provision), "no date, no status"


# ----- the API, the answer, the admin and the console on the seeds ----------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    settings = make_settings(tmp_path_factory.mktemp("validity_app"), staff={"login_limit": "1000 per minute"})
    return make_app(settings)


def test_api_search_takes_as_of_and_refuses_a_bad_one(app: Flask) -> None:
    client = app.test_client()
    query = {"q": "十三五 就业 主要目标", "k": 5}
    before = client.get("/api/search", query_string={**query, "as_of": BEFORE.isoformat()}).get_json()
    after = client.get("/api/search", query_string={**query, "as_of": AFTER.isoformat()}).get_json()
    assert before["as_of"] == "2020-06-01" and after["as_of"] == "2026-12-03"
    plan_before = [r for r in before["results"] if r["doc"]["id"] == PLAN_13]
    plan_after = [r for r in after["results"] if r["doc"]["id"] == PLAN_13]
    assert plan_before and plan_after
    assert plan_before[0]["status"]["code"] == "现行" and "时效 现行" in plan_before[0]["citation"]
    assert plan_after[0]["status"]["text"] == "已到期（规划期2016–2020年已结束）"
    assert plan_after[0]["citation"].endswith("时效 已到期（规划期2016–2020年已结束）")
    for bad in ("2026/01/01", "明年", "2026-13-01"):
        reply = client.get("/api/search", query_string={**query, "as_of": bad})
        assert reply.status_code == 400 and "YYYY-MM-DD" in reply.get_json()["error"]
    reply = client.post("/api/answer", json={"question": "十三五促进就业规划的目标", "as_of": "去年"})
    assert reply.status_code == 400 and "格式不对" in reply.get_json()["error"]


def test_eligibility_reasons_carry_the_status_of_the_cited_documents(app: Flask) -> None:
    client = app.test_client()

    def reasons(as_of: str) -> list[str]:
        reply = client.post("/api/eligibility", json={"facts": {"region": "聊城"}, "as_of": as_of})
        assert reply.status_code == 200
        return [reason for row in reply.get_json()["results"] for reason in row["reasons"]]

    assert any(
        r.startswith("依据《") and r.endswith("已到期（规划期2016–2020年已结束）") for r in reasons("2026-12-03")
    )
    assert not any("已到期" in r for r in reasons("2020-06-01"))
    bad = client.post("/api/eligibility", json={"facts": {"region": "聊城"}, "as_of": "2020.6.1"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_json()["error"]


def test_the_upload_preview_shows_the_detected_validity(app: Flask) -> None:
    admin = logged_in(app, MAINTAINER)
    page = upload_page(admin, "qingyuan_2024.txt", NEW_NOTICE.encode("utf-8"))
    assert "自 2024-01-01 起施行，有效期至 2028-12-31（有效期5年）" in page


@pytest.mark.slow
def test_admin_marks_a_document_repealed_and_the_citizen_is_told(app: Flask) -> None:
    admin = logged_in(app, MAINTAINER)
    page = admin.get(f"/admin/documents/{PLAN_13}").get_data(as_text=True)
    assert "更改时效" in page and "已废止" in page
    reply = admin.post(f"/admin/documents/{PLAN_13}/validity", data={"status": "被替代", "superseded_by": ""})
    assert reply.status_code == 302
    assert "替代它的文件" in admin.get(f"/admin/documents/{PLAN_13}").get_data(as_text=True)
    reply = admin.post(f"/admin/documents/{PLAN_13}/validity", data={"status": "已废止"})
    assert reply.status_code == 302
    status = rebuilder_of(app).wait(120)
    assert status.state == "done", status.message
    meta_text = retrieval_of(app).settings.paths.sources_meta.read_text(encoding="utf-8")
    assert "repealed: true" in meta_text, "persisted in sources.yml: it survives the next rebuild"
    citizen = app.test_client()
    body = citizen.post(
        "/api/answer", json={"question": "十三五期间城镇新增就业目标是多少", "as_of": "2020-06-01"}
    ).get_json()
    assert body["provisions"][0]["doc"]["id"] == PLAN_13
    assert "已废止" in body["lead"] and "时效 已废止" in body["source"]
    # a rebuild from the files alone keeps the mark
    service = RetrievalService.from_settings(retrieval_of(app).settings)
    documents, _ = service.ingest_sources()
    assert next(d.meta for d in documents if d.meta.id == PLAN_13).repealed


def test_console_filters_by_status_on_the_as_of_date(app: Flask) -> None:
    agent = logged_in(app, AGENT)
    query = {"q": "高校毕业生就业", "as_of": AFTER.isoformat()}
    in_force = agent.get("/console/", query_string={**query, "validity": "现行"}).get_data(as_text=True)
    expired = agent.get("/console/", query_string={**query, "validity": "已到期"}).get_data(as_text=True)
    assert 'data-validity="现行"' in in_force and 'data-validity="已到期"' not in in_force
    assert 'data-validity="已到期"' in expired and 'data-validity="现行"' not in expired
    assert "时效：已到期（规划期" in expired
    bad = agent.get("/console/", query_string={**query, "validity": "过期了"}).get_data(as_text=True)
    assert "时效筛选“过期了”无效" in bad


def test_the_composer_judges_on_the_as_of_date(two_notices: tuple) -> None:
    settings, service = two_notices
    documents, _ = service.ingest_sources()
    eligibility = EligibilityService.from_settings(
        settings, service.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
    )
    composer = AnswerComposer(service.searcher, eligibility, settings.answer, today=fixed_clock(AFTER))
    answer = composer.compose("清远低收入家庭高校毕业生求职创业补贴标准是多少")
    assert "时效 现行" in answer.source and "2000元" in answer.lead
    old = composer.compose("清远低收入家庭高校毕业生求职创业补贴标准是多少", as_of=BEFORE)
    assert "1500元" in old.lead and "有效期至2021年12月31日" in old.lead


def test_status_on_reads_an_index_built_before_validity_data() -> None:
    old = DocumentMeta.model_validate(
        {"id": "x", "title": "某市“十三五”就业规划", "date": "2017-03-01", "period": [2016, 2020], "source": "x.txt"}
    )
    assert old.expiry is None and old.status_on(AFTER).text == "已到期（规划期2016–2020年已结束）"


def test_the_cli_shows_validity_and_refuses_a_bad_as_of(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from webchat.cli import app as cli

    notice = tmp_path / "qingyuan_2019.txt"
    notice.write_text(OLD_NOTICE, encoding="utf-8")
    runner = CliRunner()
    shown = runner.invoke(cli, ["ingest", str(notice), "--json"])
    assert shown.exit_code == 0, shown.output
    validity = json.loads(shown.stdout)["documents"][0]["validity"]
    assert validity["effective"] == "2019-03-01" and validity["expiry"] == "2021-12-31"
    assert validity["expiry_basis"] == "有效期至2021年12月31日"
    refused = runner.invoke(cli, ["search", "就业补贴", "--as-of", "2026年1月1日"])
    assert refused.exit_code == 2 and "YYYY-MM-DD" in refused.output
