"""PDF files: the text layer, page by page; a scan without one is refused."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import DictionaryObject

from retrieval.ingest.loaders.base import LoadedText
from retrieval.ingest.models import IngestError

_MIN_TEXT_CHARS = 20


def too_many_chars(max_chars: int) -> str:
    """Return the refusal of a document whose text is longer than ``max_chars``."""
    return f"文件的文字过多（超过上限 {max_chars / 10000:g} 万字），请拆分后分别上传"


def load_pdf(path: Path, data: bytes, max_pages: int | None = None, max_chars: int | None = None) -> LoadedText:
    """Extract the text layer of a PDF.

    Args:
        path: the file, for messages.
        data: the PDF bytes.
        max_pages: a PDF with more pages is refused before any page is read.
        max_chars: extraction stops, and the PDF is refused, once its text grows past this.

    Returns:
        The text of all pages, pages separated by blank lines.

    Raises:
        IngestError: the PDF is damaged, encrypted, too long, or has no text layer (a scan).
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(path, "PDF 已加密，请提供未加密的文件")
        if max_pages is not None:
            # the declared count first: counting the page tree of a 3,000-page file takes seconds
            declared = _declared_pages(reader)
            count = declared if declared > max_pages else len(reader.pages)
            if count > max_pages:
                raise IngestError(path, f"PDF 共 {count} 页，超过上限 {max_pages} 页，请拆分后分别上传")
        pages: list[str] = []
        total = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            total += len(pages[-1])
            if max_chars is not None and total > max_chars:
                raise IngestError(path, too_many_chars(max_chars))
    except IngestError:
        raise
    except LimitReachedError as exc:
        raise IngestError(path, "PDF 中的数据解压后体积异常（疑似压缩炸弹），拒绝处理") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(path, f"PDF 文件已损坏，无法读取（{type(exc).__name__}）") from exc
    text = "\n\n".join(pages)
    if sum(1 for ch in text if not ch.isspace()) < _MIN_TEXT_CHARS:
        raise IngestError(path, "扫描件没有文字层，请提供文字版")
    return LoadedText(text=text, kind="pdf")


def _declared_pages(reader: PdfReader) -> int:
    """Return the page count the PDF's page tree declares (0 when it declares none)."""
    try:
        pages = reader.root_object["/Pages"].get_object()
        count = pages.get("/Count") if isinstance(pages, DictionaryObject) else None
        return int(count) if isinstance(count, int) else 0  # a NumberObject is an int
    except (KeyError, TypeError, ValueError, AttributeError):
        return 0
