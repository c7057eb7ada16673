"""Turn a file of any supported kind into plain text lines, choosing the parser from its content."""

from __future__ import annotations

from pathlib import Path

from retrieval.ingest.loaders.base import LoadedText
from retrieval.ingest.loaders.docx import load_docx
from retrieval.ingest.loaders.html import html_to_text_and_chrome, looks_like_html
from retrieval.ingest.loaders.markdown import markdown_to_text, split_front_matter
from retrieval.ingest.loaders.pdf import load_pdf, too_many_chars
from retrieval.ingest.loaders.text import decode_text
from retrieval.ingest.models import IngestError

SUPPORTED_SUFFIXES = {".txt", ".text", ".html", ".htm", ".md", ".markdown", ".pdf", ".docx"}

__all__ = ["SUPPORTED_SUFFIXES", "LoadedText", "load_bytes", "load_file"]


def load_file(path: Path, max_bytes: int, max_pages: int | None = None, max_chars: int | None = None) -> LoadedText:
    """Read a document file and return its text.

    Args:
        path: the file.
        max_bytes: files larger than this are refused.
        max_pages: PDFs with more pages are refused.
        max_chars: documents with more characters of text are refused.

    Returns:
        The document's text with line breaks kept, plus any front-matter metadata.

    Raises:
        IngestError: the file is missing, empty, too large, too long, of an unsupported type, or unreadable.
    """
    if not path.is_file():
        raise IngestError(path, "文件不存在")
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(path, f"文件过大（{size / 1e6:.1f} MB），上限为 {max_bytes / 1e6:.0f} MB")
    return load_bytes(path.name, path.read_bytes(), max_bytes, max_pages, max_chars)


def load_bytes(
    name: str, data: bytes, max_bytes: int, max_pages: int | None = None, max_chars: int | None = None
) -> LoadedText:
    """Parse the bytes of a document named ``name``.

    The file name only decides whether the type is accepted at all; which parser runs is
    decided by the content (a PDF renamed .txt is read as a PDF, binary junk renamed .txt is refused).

    Args:
        name: the file's name, for messages and the suffix check.
        data: its content.
        max_bytes: size cap, also applied to what a compressed container expands to.
        max_pages: PDFs with more pages are refused before their text is extracted.
        max_chars: documents with more characters of text are refused.

    Returns:
        The extracted text and front-matter metadata.

    Raises:
        IngestError: with a Chinese reason naming what is wrong.
    """
    loaded = _load(Path(name), data, max_bytes, max_pages, max_chars)
    if max_chars is not None and len(loaded.text) > max_chars:
        raise IngestError(Path(name), too_many_chars(max_chars))
    return loaded


def _load(path: Path, data: bytes, max_bytes: int, max_pages: int | None, max_chars: int | None) -> LoadedText:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(path, f"不支持的文件类型“{suffix or '无扩展名'}”，请提供 txt、html、md、pdf 或 docx 文件")
    if not data.strip():
        raise IngestError(path, "文件是空的")
    if len(data) > max_bytes:
        raise IngestError(path, f"文件过大，上限为 {max_bytes / 1e6:.0f} MB")
    if data.startswith(b"%PDF-"):
        return load_pdf(path, data, max_pages, max_chars)
    if data.startswith(b"PK\x03\x04"):
        return load_docx(path, data, max_bytes)
    if suffix in {".pdf", ".docx"}:
        kind = "PDF" if suffix == ".pdf" else "Word(docx)"
        raise IngestError(path, f"文件内容不是有效的 {kind} 文档（可能已损坏或扩展名有误）")

    text = decode_text(path, data)
    front: dict[str, object] = {}
    if suffix in {".md", ".markdown"} or text.lstrip().startswith("---"):
        front, text = split_front_matter(text)
    if looks_like_html(text):
        page, chrome = html_to_text_and_chrome(text)
        return LoadedText(text=page, meta=front, kind="html", chrome=tuple(chrome))
    if suffix in {".md", ".markdown"}:
        return LoadedText(text=markdown_to_text(text), meta=front, kind="markdown")
    return LoadedText(text=text, meta=front, kind="text")
