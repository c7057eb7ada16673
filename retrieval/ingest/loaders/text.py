"""Decode the bytes of a text file whose encoding is detected, not assumed."""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from retrieval.ingest.models import IngestError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings a Chinese government text plausibly comes in, besides UTF-8.
_CHINESE_FALLBACKS = ("gb18030", "big5")
_MAX_CONTROL_RATIO = 0.002


def decode_text(path: Path, data: bytes) -> str:
    """Decode ``data``: BOM, then strict UTF-8, then detection, then strict GB18030 / Big5.

    Args:
        path: the file, for error messages.
        data: raw bytes.

    Returns:
        The text with ``\\r\\n`` and ``\\r`` turned into ``\\n``.

    Raises:
        IngestError: the bytes are not text in any supported encoding (binary junk).
    """
    text = _decode(data)
    if text is None or _looks_binary(text):
        raise IngestError(path, "文件不是可识别的文本，也不是 PDF 或 Word 文档（可能是二进制文件或已损坏）")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding in {"gb18030", "gbk", "gb2312", "big5", "utf_16", "utf_8"}:
        return str(best)
    for encoding in _CHINESE_FALLBACKS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > max(2, len(text) * _MAX_CONTROL_RATIO)
