"""Uploads that would tie up the server are refused quickly, in Chinese, leaving nothing behind: a PDF
of thousands of pages, a PDF with too much text, a PDF whose text takes minutes to extract (time
limit), a small HTML file whose parse tree fills the memory (memory limit). Normal PDFs and Word files
still stage, and the preview is served from the staged report instead of ingesting again."""

from __future__ import annotations

import io
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from knowledge.settings import Settings
from tests.staffkit import MAINTAINER, logged_in, make_app, make_settings, upload_page
from webchat.app import retrieval_of, settings_of

MAX_CHARS = 20_000
TIMEOUT_S = 10.0  # generous: the worker starts in 1–3 s on a loaded machine
SEED = "004_0dc92ecbe2a20814.txt"


def _blank_pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _text_pdf(pages: int, lines: int) -> bytes:
    """A PDF whose pages each show ``lines`` lines of text (compressed, so the file stays small)."""
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    font_ref = writer._add_object(font)
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref})}
        )
        content = DecodedStreamObject()
        content.set_data(b"BT /F1 12 Tf 72 720 Td " + b"(Employment policy text for testing. ) Tj T* " * lines + b"ET")
        page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _seed_pdf(settings: Settings, tmp: Path) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp / "seed.pdf"
    pdf = canvas.Canvas(str(path))
    lines = [line for line in (settings.paths.sources / SEED).read_text(encoding="utf-8").splitlines() if line.strip()]
    for start in range(0, 120, 40):  # the head and the first chapters, three pages
        pdf.setFont("STSong-Light", 9)
        for i, line in enumerate(lines[start : start + 40]):
            pdf.drawString(30, 800 - 19 * i, line.strip()[:60])
        pdf.showPage()
    pdf.save()
    return path.read_bytes()


def _seed_docx(settings: Settings) -> bytes:
    import docx

    document = docx.Document()
    for line in (settings.paths.sources / SEED).read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    # a revised edition: the same text alone is refused as a duplicate of the published document
    document.add_paragraph("附：各市、县（区）可结合实际制定具体实施办法。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = make_settings(
        tmp_path_factory.mktemp("limits"),
        staff={"login_limit": "1000 per minute"},
        ingest={"max_chars": MAX_CHARS, "worker_timeout_s": TIMEOUT_S, "worker_memory_mb": 256, "max_file_mb": 5},
    )
    yield make_app(settings)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return logged_in(app, MAINTAINER)


def _snapshot(app: Flask) -> dict[str, Any]:
    settings = settings_of(app)
    var = settings.paths.var
    return {
        "sources": sorted(p.name for p in settings.paths.sources.iterdir()),
        "uploads": sorted(p.name for p in (var / "uploads").iterdir()) if (var / "uploads").exists() else [],
        "current": retrieval_of(app).store.current(),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize(
    ("name", "make", "message", "within_s"),
    [
        ("3000页.pdf", lambda: _blank_pdf(3000), "PDF 共 3000 页，超过上限 500 页", 15),
        ("长文.pdf", lambda: _text_pdf(40, 60), "文字过多", 15),
        # stopped at the time limit or the memory limit, whichever this machine reaches first
        ("慢页.pdf", lambda: _text_pdf(1, 400_000), "请拆分后重新上传，或改为上传文字版", TIMEOUT_S + 10),
    ],
    ids=["many-pages", "much-text", "slow-page"],
)
def test_an_upload_that_would_tie_up_the_server_is_refused_quickly(
    admin: FlaskClient, app: Flask, name: str, make: Any, message: str, within_s: float
) -> None:
    content = make()
    assert len(content) < 400_000  # small files, as in the probe
    before = _snapshot(app)
    started = time.monotonic()
    html = upload_page(admin, name, content)
    elapsed = time.monotonic() - started
    assert message in html, html[-1500:]
    assert elapsed < within_s
    assert _snapshot(app) == before  # nothing half-written: no batch, no stray folder, no source


@pytest.mark.slow
def test_a_file_that_fills_the_memory_is_stopped_at_the_memory_limit(app: Flask, tmp_path: Path) -> None:
    """A 3.4 MB HTML page of 150,000 tags: its parse tree outgrows a 256 MB worker, the web process is untouched."""
    from retrieval.ingest.worker import BoundedIngestor

    settings = settings_of(app)
    limits = settings.ingest.model_copy(update={"worker_timeout_s": 120.0})
    ingestor = BoundedIngestor(limits, retrieval_of(app).lexicon.region_table)
    path = tmp_path / "标签.html"
    path.write_text("<html><body>" + "<p><span>就</span></p>" * 150_000 + "</body></html>", encoding="utf-8")
    report = ingestor.ingest_file(path)
    assert report.error is not None and "内存超过上限（256 MB）" in report.error


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_normal_pdf_or_word_file_stages_and_its_preview_is_not_ingested_again(
    admin: FlaskClient, app: Flask, tmp_path: Path, kind: str
) -> None:
    settings = settings_of(app)
    content = _seed_pdf(settings, tmp_path) if kind == "pdf" else _seed_docx(settings)
    before = _children_cpu()
    reply = admin.post(
        "/admin/upload",
        data={"files": [(io.BytesIO(content), f"宁夏就业规划.{kind}")]},
        content_type="multipart/form-data",
    )
    staged = _children_cpu()
    assert reply.status_code == 302
    if "/admin/uploads/" not in reply.headers["Location"]:
        pytest.fail(admin.get(reply.headers["Location"]).get_data(as_text=True)[-3000:])
    assert staged > before  # staging ran the bounded worker
    for _ in range(3):
        page = admin.get(reply.headers["Location"]).get_data(as_text=True)
        assert "宁夏回族自治区就业促进" in page and "宁政办发〔2021〕96号" in page
    assert _children_cpu() == staged  # the previews came from the cached report: no worker ran
    batch_id = reply.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    admin.post(f"/admin/uploads/{batch_id}/discard")
