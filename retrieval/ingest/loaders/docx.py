"""Word .docx files: paragraphs and tables in body order; zip bombs refused before parsing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from retrieval.ingest.loaders.base import LoadedText
from retrieval.ingest.models import IngestError

_MAX_EXPANSION = 100  # a real document rarely compresses better than 10:1


def load_docx(path: Path, data: bytes, max_bytes: int) -> LoadedText:
    """Extract the text of a .docx document.

    Args:
        path: the file, for messages.
        data: the zip bytes.
        max_bytes: what the archive may expand to at most.

    Returns:
        One line per paragraph; table rows as tab-separated cells.

    Raises:
        IngestError: not a Word document, damaged, or suspiciously compressed (zip bomb).
    """
    import docx  # python-docx; imported here so the CLI starts fast

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise IngestError(path, "Word 文档已损坏，无法读取") from exc
    if "word/document.xml" not in names:
        raise IngestError(path, "文件是压缩包而不是 Word(docx) 文档")
    if expanded > max_bytes or expanded > _MAX_EXPANSION * max(len(data), 1):
        raise IngestError(path, "文档解压后体积异常（疑似压缩炸弹），拒绝处理")

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on malformed XML
        raise IngestError(path, "Word 文档已损坏，无法读取") from exc

    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                        for cell in row.iterchildren()
                        if cell.tag.endswith("}tc")
                    ]
                    lines.append("\t".join(cells))
    text = "\n".join(lines)
    if not text.strip():
        raise IngestError(path, "Word 文档中没有文字")
    return LoadedText(text=text, kind="docx")
