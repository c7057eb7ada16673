"""PDF files: the text layer, page by page; a scan without one is refused."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from retrieval.ingest.loaders.base import LoadedText
from retrieval.ingest.models import IngestError

_MIN_TEXT_CHARS = 20


def load_pdf(path: Path, data: bytes) -> LoadedText:
    """Extract the text layer of a PDF.

    Args:
        path: the file, for messages.
        data: the PDF bytes.

    Returns:
        The text of all pages, pages separated by blank lines.

    Raises:
        IngestError: the PDF is damaged, encrypted, or has no text layer (a scan).
    """
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(path, "PDF 已加密，请提供未加密的文件")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(path, f"PDF 文件已损坏，无法读取（{type(exc).__name__}）") from exc
    text = "\n\n".join(pages)
    if sum(1 for ch in text if not ch.isspace()) < _MIN_TEXT_CHARS:
        raise IngestError(path, "扫描件没有文字层，请提供文字版")
    return LoadedText(text=text, kind="pdf")
