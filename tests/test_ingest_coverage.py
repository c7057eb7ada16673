"""No text lost: every body character of every seed and ingest fixture ends up in a provision or in a
removed span with its reason; real text that would be dropped is a warning in `policybot ingest` and in
the upload preview."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.textmatch import match_key
from retrieval.ingest.coverage import ledger
from retrieval.ingest.loaders import SUPPORTED_SUFFIXES, load_file
from retrieval.ingest.models import Document, DocumentMeta
from retrieval.ingest.normalize import normalize_with_residue
from retrieval.ingest.pipeline import Ingestor
from retrieval.ingest.removed import LOST, REASONS, explain, visible_chars
from tests.staffkit import MAINTAINER, logged_in, make_app, make_settings, upload_page
from webchat.cli import app as cli

ROOT = Path(__file__).resolve().parent.parent
SEED_FOLDERS = [ROOT / "knowledge" / "sources", ROOT.parent / "shared" / "seeds"]
FIXTURES = ROOT / "tests" / "fixtures"


def _checked_files() -> list[Path]:
    seeds = {p.resolve() for folder in SEED_FOLDERS if folder.is_dir() for p in folder.iterdir() if p.is_file()}
    fixtures = {p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES}
    return sorted(seeds | fixtures)


@pytest.mark.parametrize("path", _checked_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_body_character_is_in_a_provision_or_removed_with_its_reason(ingestor: Ingestor, path: Path) -> None:
    report = ingestor.ingest_file(path)
    assert report.error is None
    assert report.lost == [] and report.lost_chars == 0
    spans = [s for doc in report.documents for s in doc.removed]
    assert all(s.reason in REASONS and s.reason != LOST and s.label == REASONS[s.reason] for s in spans)
    assert not any("将被丢弃" in w for doc in report.documents for w in doc.warnings)
    # The figures add up to the file's own text, counted here without the pipeline: what the loader
    # extracted (after character clean-up) plus the page furniture it left out.
    loaded = load_file(path, 50_000_000)
    text, residue = normalize_with_residue(loaded.text)
    chrome = [normalize_with_residue(block)[0] for block in loaded.chrome]
    source_chars = visible_chars(text) + sum(map(visible_chars, residue)) + sum(map(visible_chars, chrome))
    assert report.kept_chars + sum(report.removed_chars.values()) + report.lost_chars == source_chars
    assert report.kept_chars > 0 and all(chars > 0 for chars in report.removed_chars.values())
    # and every removed span is text of that file, not an invention
    everything = match_key(text + "".join(residue) + "".join(chrome))
    assert all(match_key(s.text) in everything for s in spans)


def test_removed_spans_name_page_furniture_duplicates_and_document_head(ingestor: Ingestor) -> None:
    report = ingestor.ingest_file(FIXTURES / "ingest" / "惠州市就业见习补贴申领通知.html")
    (doc,) = report.documents
    by_reason: dict[str, list[str]] = {}
    for s in doc.removed:
        by_reason.setdefault(s.label, []).append(s.text)
    assert any("当前位置：首页" in t for t in by_reason["页面导航"])
    assert any("网站标识码" in t for t in by_reason["页面导航"])
    assert by_reason["文号"] == ["惠市人社函〔2025〕21号"]
    assert by_reason["主送机关"] == ["各县（区）人力资源和社会保障局，各有关单位："]
    assert by_reason["重复段落"] == [
        "离校2年内未就业高校毕业生和16—24岁失业青年在我市就业见习基地参加见习的，按规定给予见习单位就业见习补贴。"
    ]
    texts = [p.text for p in doc.provisions]
    assert sum("按规定给予见习单位就业见习补贴" in t for t in texts) == 1
    assert not any("网站标识码" in t or "当前位置" in t for t in texts)


def test_a_sentence_starting_like_an_addressee_is_kept_whole(ingestor: Ingestor) -> None:
    """ "各县（市、区）要…位置：" opens a sentence; it is not the notice's addressee and is not cut off."""
    report = ingestor.ingest_file(FIXTURES / "ingest" / "某市稳就业通知.txt")
    texts = [p.text for d in report.documents for p in d.provisions]
    assert any(t.startswith("各县（市、区）要把稳就业摆在更加突出的位置：建立重点群体就业帮扶台账") for t in texts)
    assert "本通知自2026年1月1日起施行，有效期至2027年12月31日。" in texts
    (doc,) = report.documents
    assert [s.label for s in doc.removed if s.text.startswith("各")] == ["主送机关"]


def test_a_date_cut_from_its_sentence_is_lost_text_not_a_signature() -> None:
    """The head a sentence loses is explained on its own: a signature date is furniture, "本通知自<date>"
    (what "本通知自2026年1月1日起施行" used to lose) is real text."""
    meta = DocumentMeta(id="x", title="某市人民政府关于促进就业的通知", issuer="某市人民政府", source="x.txt")
    spans = explain(["本通知自2026年1月1日", "某市人民政府2025年12月1日", "各地要做好以下工作："], meta)
    assert [(s.text, s.reason) for s in spans] == [
        ("本通知自2026年1月1日", LOST),
        ("某市人民政府2025年12月1日", "signature"),
        ("各地要做好以下工作：", LOST),
    ]


def test_the_ledger_flags_text_removed_without_a_recorded_reason(seed_documents: dict[str, Document]) -> None:
    doc = seed_documents["003_8c6e1d205613c0d2"]
    addressee = next(s for s in doc.removed if s.reason == "addressee")
    dropped = next(p for p in doc.provisions if "四单式培训" in p.text)
    silent = doc.model_copy(
        update={
            "removed": [s for s in doc.removed if s is not addressee],
            "provisions": [p for p in doc.provisions if p is not dropped],
        }
    )
    account = ledger([addressee.text, dropped.text], [silent], [])
    assert any("市属开发区管委会" in t for t in account.lost)
    assert any("四单式培训" in t for t in account.lost)
    assert ledger([addressee.text, dropped.text], [doc], []).lost == []


# A page as a local 人社 site publishes it: its list items carry no final punctuation, and one of them
# ends like a title ("…实施方案"), so segmentation drops it as if it were the notice's title.
DROPPING_PAGE = """<html><head><title>申领就业见习补贴需要哪些材料</title></head><body>
<div class="nav">首页 | 办事指南 | 政策解读</div>
<div class="content">
<h2>临清市人力资源和社会保障局关于做好就业见习补贴申领工作的通知</h2>
<p>一、申领材料</p>
<ul><li>就业见习补贴申请表</li><li>见习单位与见习人员签订的见习协议和见习实施方案</li></ul>
<p>二、办理地点</p>
<p>见习单位向临清市公共就业和人才服务中心提交材料，审核通过后按月拨付补贴。</p>
</div></body></html>
"""
DROPPED = "见习单位与见习人员签订的见习协议和见习实施方案"


def test_ingest_command_warns_when_real_text_would_be_dropped(tmp_path: Path) -> None:
    page = tmp_path / "临清见习补贴材料.html"
    page.write_text(DROPPING_PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(page)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "警告：临清见习补贴材料.html 有 1 处正文未进入任何条款、将被丢弃" in result.output
    assert f"“{DROPPED}”" in result.output
    figures = re.search(r"正文 (\d+) 字进入条款；按原因删除 (\d+) 字（(.+?)）；丢失 (\d+) 字", result.output)
    assert figures and "页面导航" in figures.group(3) and int(figures.group(4)) == len(DROPPED)


@pytest.mark.slow
def test_upload_preview_lists_removed_spans_and_warns_about_dropped_text(tmp_path: Path) -> None:
    admin = logged_in(make_app(make_settings(tmp_path)), MAINTAINER)
    html = upload_page(admin, "临清见习补贴材料.html", DROPPING_PAGE.encode("utf-8"))
    assert "发布后将不会出现在任何条款中" in html
    assert re.search(r'<li class="lost"><span class="meta">\[正文（将被丢弃）\]</span> ' + DROPPED, html)
    assert "[页面导航]</span> 首页 | 办事指南 | 政策解读" in html
    clean = upload_page(admin, "某市稳就业通知.txt", (FIXTURES / "ingest" / "某市稳就业通知.txt").read_bytes())
    assert "[主送机关]</span> 各县（市、区）人民政府，市政府各部门，各直属机构：" in clean
    assert "[落款]</span> 某市人民政府办公室" in clean
    assert "发布后将不会出现在任何条款中" not in clean
