"""Every supported format ingests; every bad file gets its own clear error and the batch goes on."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from knowledge.settings import Settings
from retrieval.ingest.models import Document, FileReport
from retrieval.ingest.pipeline import Ingestor

POLICY_LINES = [
    "某市人民政府关于促进高校毕业生就业的通知",
    "某政发〔2024〕3号",
    "各区人民政府，市政府各部门：",
    "一、就业见习",
    "对离校2年内未就业高校毕业生参加就业见习的，按规定给予就业见习补贴。",
    "二、创业扶持",
    "对首次创办小微企业的高校毕业生，给予一次性创业补贴。",
    "某市人民政府",
    "2024年3月1日",
]


def _texts(docs: list[Document]) -> list[str]:
    return [p.text for d in docs for p in d.provisions]


def _nothing_lost(report: FileReport) -> bool:
    """Every body character is in a provision or in a removed span with its reason."""
    return (
        report.lost == []
        and report.lost_chars == 0
        and all(s.reason != "lost" for d in report.documents for s in d.removed)
    )


def _seed_copy(settings: Settings, tmp_path: Path, name: str, encoding: str) -> Path:
    text = (settings.paths.sources / name).read_text(encoding="utf-8")
    target = tmp_path / name
    target.write_bytes(text.encode(encoding))
    return target


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("003_8c6e1d205613c0d2.txt", "gbk"),
        ("002_b204cd96ef3811e9.txt", "gbk"),
        ("000_1b7baaa7f5881d6d.txt", "gb18030"),  # Kangxi radicals are not in GBK
        ("004_0dc92ecbe2a20814.txt", "utf-8-sig"),
        ("003_8c6e1d205613c0d2.txt", "utf-16"),
    ],
)
def test_encoded_copy_ingests_to_the_same_provisions(
    settings: Settings, ingestor: Ingestor, tmp_path: Path, name: str, encoding: str
) -> None:
    original = ingestor.ingest_file(settings.paths.sources / name)
    copy = ingestor.ingest_file(_seed_copy(settings, tmp_path, name, encoding))
    assert copy.error is None
    assert [d.meta for d in copy.documents] == [d.meta for d in original.documents]
    assert [(p.id, p.text) for d in copy.documents for p in d.provisions] == [
        (p.id, p.text) for d in original.documents for p in d.provisions
    ]


def test_generated_pdf_ingests(ingestor: Ingestor, tmp_path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "policy.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 11)
    for i, line in enumerate(POLICY_LINES):
        pdf.drawString(50, 800 - 20 * i, line)
    pdf.save()

    report = ingestor.ingest_file(path)
    assert report.error is None
    (doc,) = report.documents
    assert doc.meta.number == "某政发〔2024〕3号"
    assert doc.meta.date == "2024-03-01"
    assert "对首次创办小微企业的高校毕业生，给予一次性创业补贴。" in _texts(report.documents)
    first = next(p for p in doc.provisions if "就业见习补贴" in p.text)
    assert first.section == ["一、就业见习"]
    assert _nothing_lost(report)


def test_generated_docx_ingests_with_its_table(ingestor: Ingestor, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in POLICY_LINES[:-2]:
        document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [
            ["补贴", "对象", "标准"],
            ["就业见习补贴", "离校2年内未就业高校毕业生", "按当地规定"],
            ["一次性创业补贴", "首次创业的高校毕业生", "按当地规定"],
        ]
    ):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph(POLICY_LINES[-2])
    document.add_paragraph(POLICY_LINES[-1])
    path = tmp_path / "policy.docx"
    document.save(str(path))

    report = ingestor.ingest_file(path)
    assert report.error is None
    texts = _texts(report.documents)
    assert "对离校2年内未就业高校毕业生参加就业见习的，按规定给予就业见习补贴。" in texts
    assert "就业见习补贴（对象：离校2年内未就业高校毕业生；标准：按当地规定）" in texts
    assert report.documents[0].meta.title == "某市人民政府关于促进高校毕业生就业的通知"
    assert _nothing_lost(report)


def test_markdown_with_front_matter(ingestor: Ingestor, tmp_path: Path) -> None:
    path = tmp_path / "notice.md"
    path.write_text(
        "---\ntitle: 某省关于灵活就业人员参加社会保险的通知\ndate: 2023-05-06\n---\n\n"
        "# 一、参保办法\n\n**灵活就业人员**可以按规定参加[基本养老保险](https://example.org)。\n",
        encoding="utf-8",
    )
    report = ingestor.ingest_file(path)
    assert report.error is None
    (doc,) = report.documents
    assert doc.meta.title == "某省关于灵活就业人员参加社会保险的通知"
    assert doc.meta.date == "2023-05-06"
    assert doc.meta.region == "未知"  # "某省" is no known place: flagged, not silently national
    assert any("region" in w for w in doc.warnings)
    assert [p.text for p in doc.provisions] == ["灵活就业人员可以按规定参加基本养老保险。"]
    assert doc.provisions[0].section == ["一、参保办法"]
    assert _nothing_lost(report)


def test_html_page_drops_scripts_and_chrome(ingestor: Ingestor, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>x</title><style>p{color:red}</style></head><body>"
        "<div class='nav'>首页 | 政策 | 登录</div><script>alert('x')</script>"
        "<p>广东省人民政府关于就业见习的通知</p><p>粤府〔2024〕1号</p>"
        "<p>各市要<a href='/x'>建立投诉处理机制</a>，及时处理见习纠纷。</p>"
        "<div class='footer'>版权所有</div></body></html>",
        encoding="utf-8",
    )
    report = ingestor.ingest_file(path)
    assert report.error is None
    texts = _texts(report.documents)
    assert texts == ["各市要建立投诉处理机制，及时处理见习纠纷。"]
    assert report.documents[0].meta.region == "广东"
    assert _nothing_lost(report)
    assert [(s.label, s.text) for s in report.documents[0].removed if s.reason == "page_nav"] == [
        ("页面导航", "首页 | 政策 | 登录"),
        ("页面导航", "版权所有"),
    ]


def _zip_bomb(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (60 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())


def _scanned_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # an image-like page with no text layer
    pdf.save()


BAD_FILES = {
    "empty.txt": (lambda p: p.write_bytes(b""), "文件是空的"),
    "blank.txt": (lambda p: p.write_bytes(b" \n\n \t"), "文件是空的"),
    "sheet.xlsx": (lambda p: p.write_bytes(b"PK\x03\x04junk"), "不支持的文件类型"),
    "junk.txt": (lambda p: p.write_bytes(os.urandom(4096)), "不是可识别的文本"),
    "scan.pdf": (_scanned_pdf, "扫描件没有文字层，请提供文字版"),
    "bomb.docx": (_zip_bomb, "压缩炸弹"),
    "fake.docx": (lambda p: p.write_text("这其实是文本", encoding="utf-8"), "不是有效的 Word(docx) 文档"),
    "broken.pdf": (lambda p: p.write_bytes(b"%PDF-1.4\n%%garbage"), "PDF 文件已损坏"),
}


def test_each_bad_file_gets_its_error_and_the_batch_goes_on(
    settings: Settings, ingestor: Ingestor, tmp_path: Path
) -> None:
    for name, (make, _) in BAD_FILES.items():
        make(tmp_path / name)
    good = _seed_copy(settings, tmp_path, "003_8c6e1d205613c0d2.txt", "gbk")
    paths = [tmp_path / name for name in BAD_FILES] + [good, tmp_path / "missing.txt"]

    reports = {Path(r.path).name: r for r in ingestor.ingest_paths(paths)}

    for name, (_, message) in BAD_FILES.items():
        assert reports[name].error is not None and message in reports[name].error, (name, reports[name].error)
        assert reports[name].documents == []
    assert reports["missing.txt"].error == "文件不存在"
    assert reports[good.name].error is None and len(reports[good.name].documents[0].provisions) > 100


def test_oversized_file_refused(settings: Settings, tmp_path: Path) -> None:
    from knowledge.regions import load_regions

    small = Ingestor(settings.ingest.model_copy(update={"max_file_mb": 0.01}), load_regions(settings.paths.lexicon))
    report = small.ingest_file(settings.paths.sources / "000_1b7baaa7f5881d6d.txt")
    assert report.error is not None and "文件过大" in report.error


def test_folder_ingest_skips_unsupported_names(settings: Settings, ingestor: Ingestor, tmp_path: Path) -> None:
    _seed_copy(settings, tmp_path, "004_0dc92ecbe2a20814.txt", "utf-8")
    (tmp_path / "notes.docx~").write_text("x", encoding="utf-8")
    reports = ingestor.ingest_paths([tmp_path])
    assert [Path(r.path).name for r in reports] == ["004_0dc92ecbe2a20814.txt"]
