"""Metadata as real 人社 pages write it: dates in every form, issuer lines, several 文号, a new city's region."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.regions import RegionTable, load_regions
from knowledge.settings import Settings
from retrieval.ingest.metadata import detect_metadata
from retrieval.ingest.pipeline import Ingestor
from tests.conftest import write_kb_config
from webchat.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests/fixtures/places"


@pytest.fixture(scope="module")
def regions(settings: Settings) -> RegionTable:
    return load_regions(settings.paths.lexicon)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


BODY = "一、补贴对象\n离校2年内未就业高校毕业生参加就业见习的，按规定给予见习补贴。\n"


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # a news page's info line, with the time of day
        (
            "关于做好2022年就业见习工作的通知\n发布时间：2022-03-14 08:25:55  来源：大连市人力资源和社会保障局\n"
            + BODY,
            "2022-03-14",
        ),
        # 发布日期 written with 年月日
        ("关于做好2022年就业见习工作的通知\n发布日期：2022年3月14日\n" + BODY, "2022-03-14"),
        # a line opening with its date, then the source
        ("关于做好2022年就业见习工作的通知\n2022-03-14 09:10 来源：惠州市人力资源和社会保障局\n" + BODY, "2022-03-14"),
        # the 落款 in figures
        ("关于做好2022年就业见习工作的通知\n" + BODY + "惠州市人力资源和社会保障局\n2022年3月14日\n", "2022-03-14"),
        # the 落款 in Chinese numerals, 〇 and ○ both used by real pages
        (
            "关于做好2022年就业见习工作的通知\n" + BODY + "惠州市人力资源和社会保障局\n二〇二二年三月十四日\n",
            "2022-03-14",
        ),
        ("关于做好2021年就业见习工作的通知\n" + BODY + "大连市人民政府办公室\n二○二一年十二月三十一日\n", "2021-12-31"),
        ("关于做好2020年就业见习工作的通知\n" + BODY + "聊城市人民政府\n二〇二〇年十月二十日\n", "2020-10-20"),
    ],
)
def test_dates_in_the_forms_pages_write_them(regions: RegionTable, text: str, date: str) -> None:
    assert detect_metadata(_paragraphs(text), {}, regions).date == date


@pytest.mark.parametrize(
    ("text", "issuer"),
    [
        ("关于做好就业见习工作的通知\n发文机关：大连市人力资源和社会保障局\n" + BODY, "大连市人力资源和社会保障局"),
        (
            "关于做好就业见习工作的通知\n发布单位：惠州市人力资源和社会保障局 发布时间：2022-03-14\n" + BODY,
            "惠州市人力资源和社会保障局",
        ),
        (
            "关于做好就业见习工作的通知\n发布时间：2022-03-14 08:25:55来源：惠州市人力资源和社会保障局浏览次数：1682\n"
            + BODY,
            "惠州市人力资源和社会保障局",
        ),
        # a 落款 of two bodies on one line: the first is the issuer
        (
            "关于做好就业见习工作的通知\n" + BODY + "惠州市人力资源和社会保障局　惠州市财政局\n2022年3月14日\n",
            "惠州市人力资源和社会保障局",
        ),
        # one body's name is not cut in two (中共惠州市委 + 组织部)
        ("中共惠州市委组织部关于做好就业见习工作的通知\n" + BODY, "中共惠州市委组织部"),
        # two bodies before 关于: the first is the issuer
        ("惠州市人力资源和社会保障局惠州市财政局关于做好就业见习工作的通知\n" + BODY, "惠州市人力资源和社会保障局"),
        # a 来源 that is a website is no issuer; the title's issuer is
        ("大连市人民政府关于做好就业见习工作的通知\n来源：中国政府网\n" + BODY, "大连市人民政府"),
    ],
)
def test_issuer_from_labelled_lines_and_signature(regions: RegionTable, text: str, issuer: str) -> None:
    assert detect_metadata(_paragraphs(text), {}, regions).issuer == issuer


def test_a_joint_document_keeps_every_own_number_and_no_cited_one(regions: RegionTable) -> None:
    text = (
        "广东省人力资源和社会保障厅 广东省财政厅关于进一步做好就业见习工作的通知\n"
        "粤人社规〔2022〕5号　粤财社〔2022〕10号\n"
        "各地级以上市人力资源社会保障局、财政局：\n"
        "为贯彻落实《国务院办公厅关于进一步做好高校毕业生等青年就业创业工作的通知》（国办发〔2022〕13号）精神，"
        "根据惠市人社〔2019〕45号文件，现就有关事项通知如下：\n" + BODY
    )
    meta = detect_metadata(_paragraphs(text), {}, regions)
    assert meta.number == "粤人社规〔2022〕5号"
    assert meta.numbers == ("粤人社规〔2022〕5号", "粤财社〔2022〕10号")
    assert meta.region == "广东"


def test_labelled_number_line(regions: RegionTable) -> None:
    text = "大连市人力资源和社会保障局关于印发就业见习管理办法的通知\n发文字号：大人社发〔2023〕21号\n" + BODY
    meta = detect_metadata(_paragraphs(text), {}, regions)
    assert meta.numbers == ("大人社发〔2023〕21号",)
    assert meta.region == "辽宁省大连市"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        # a city the lexicon does not name: its city region, from the issuer
        ("惠州市人力资源和社会保障局关于做好就业见习工作的通知\n" + BODY, "广东省惠州市"),
        # from the title when no issuer precedes 关于
        ("大连市2023年就业见习补贴实施办法\n" + BODY, "辽宁省大连市"),
        # from a 来源 line when the title names no place
        ("关于做好就业见习工作的通知\n来源：惠州市人力资源和社会保障局\n" + BODY, "广东省惠州市"),
        # from the 落款 alone
        ("关于做好就业见习工作的通知\n" + BODY + "大连市人力资源和社会保障局\n2023年5月8日\n", "辽宁省大连市"),
        # a county's office: its city
        ("惠东县人力资源和社会保障局关于开展就业见习的通知\n" + BODY, "广东省惠州市"),
        # a Party body names its place after 中共; a ministry is national
        ("中共惠州市委组织部关于做好就业见习工作的通知\n" + BODY, "广东省惠州市"),
        ("教育部关于做好2023届高校毕业生就业见习工作的通知\n" + BODY, "全国"),
        # the lexicon's city region stays as it is
        ("临清市人民政府关于做好就业见习工作的通知\n" + BODY, "山东省聊城市"),
    ],
)
def test_a_new_citys_document_gets_its_city_region(regions: RegionTable, text: str, region: str) -> None:
    assert detect_metadata(_paragraphs(text), {}, regions).region == region


def test_a_new_city_page_through_ingest_add(tmp_path: Path) -> None:
    """A maintainer adds a 惠州 人社局 news page with `policybot ingest --add`, with no other edit."""
    sources = tmp_path / "sources"
    sources.mkdir()
    config = write_kb_config(tmp_path, sources)
    page = tmp_path / "惠州市人社局_就业见习通知.html"
    shutil.copy(FIXTURES / page.name, page)
    runner = CliRunner()
    added = runner.invoke(app, ["--config", str(config), "ingest", "--add", str(page)])
    assert added.exit_code == 0, added.output
    assert (sources / page.name).is_file()
    listed = runner.invoke(app, ["--config", str(config), "ingest", "--json", str(sources / page.name)])
    document = json.loads(listed.stdout.splitlines()[0])["documents"][0]
    assert document["region"] == "广东省惠州市"
    assert document["date"] == "2022-03-14"  # the page's 发布时间, not the 落款
    assert document["issuer"] == "惠州市人力资源和社会保障局"
    assert document["number"] == "惠市人社〔2022〕18号"  # not the 粤人社规 number it cites
    assert document["numbers"] == ["惠市人社〔2022〕18号"]  # nor the 惠市人社〔2019〕 one it repeals
    assert document["title"].endswith("关于做好2022年就业见习工作的通知")
    assert not document["warnings"]


def test_a_page_info_line_naming_its_source_first_is_furniture(ingestor: Ingestor, tmp_path: Path) -> None:
    page = (FIXTURES / "惠州市人社局_就业见习通知.html").read_text(encoding="utf-8")
    info = "发布时间：2022-03-14 08:25:55　来源：惠州市人力资源和社会保障局　浏览次数：1682　【字体：大 中 小】"
    assert info in page
    variant = tmp_path / "来源在前.html"
    variant.write_text(
        page.replace(info, "来源：惠州市人力资源和社会保障局　发布时间：2022-03-14 08:25:55　浏览次数：1682")
    )
    report = ingestor.ingest_file(variant)
    document = report.documents[0]
    assert not [p.text for p in document.provisions if "浏览次数" in p.text or "来源" in p.text]
    assert not report.lost and not document.warnings
    assert (document.meta.date, document.meta.region) == ("2022-03-14", "广东省惠州市")
