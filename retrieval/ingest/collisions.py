"""Whether a new document collides with one already in the knowledge base.

A document's id is its file name without the extension (``-N`` for the N-th document of a file), so
``x.txt`` and ``x.text`` — or ``x-2.txt`` and the second document of ``x.txt`` — would share an id, and
the index would cite one document's provisions with the other's metadata. Such a document, one whose
text is already there, or one claiming another document's 文号 is refused; the index build refuses
duplicate ids as the last line of defence (``duplicate_ids``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.docnames import book_title
from knowledge.textmatch import match_key
from retrieval.ingest.models import Document, DocumentMeta, Provision


@dataclass(frozen=True)
class KnownDocument:
    """What a document is recognised by: its id, its text and its 文号/title."""

    id: str
    source: str
    title: str
    number: str | None
    fingerprint: str

    @classmethod
    def of(cls, meta: DocumentMeta, provisions: Iterable[Provision]) -> KnownDocument:
        """Return how ``meta`` with these provisions is recognised."""
        return cls(meta.id, meta.source, meta.title, meta.number, fingerprint(provisions))


def fingerprint(provisions: Iterable[Provision]) -> str:
    """Return a digest of a document's text that ignores encoding, format, spacing and punctuation."""
    digest = hashlib.sha256()
    for provision in provisions:
        digest.update(match_key(provision.text).encode("utf-8") + b"\n")
    return digest.hexdigest()


def known_documents(documents: Iterable[Document]) -> list[KnownDocument]:
    """Return the recognition keys of ingested documents."""
    return [KnownDocument.of(d.meta, d.provisions) for d in documents]


def known_from_index(metas: Iterable[DocumentMeta], provisions: Iterable[Provision]) -> list[KnownDocument]:
    """Return the recognition keys of an index version's documents (its metas and provisions)."""
    by_doc: dict[str, list[Provision]] = {}
    for provision in provisions:
        by_doc.setdefault(provision.doc_id, []).append(provision)
    return [KnownDocument.of(meta, by_doc.get(meta.id, [])) for meta in metas]


def id_key(doc_id: str) -> str:
    """Return the form under which two ids (or file stems) are the same (case does not count)."""
    return doc_id.casefold()


def _replace_hint(known: KnownDocument) -> str:
    return f"如需用新文件替换它，请先在管理页“知识库文档”中删除 {known.source}，再上传新文件"


def identity_collision(new: Document, known: Iterable[KnownDocument]) -> str | None:
    """Return why ``new`` cannot join the knowledge base beside ``known`` (same id or same text), or None.

    Args:
        new: an ingested document (of an upload).
        known: the documents already there (and those uploaded before it).

    Returns:
        A Chinese sentence naming the document it collides with and how to replace it, or None.
    """
    mine = fingerprint(new.provisions)
    for other in known:
        if id_key(other.id) == id_key(new.meta.id):
            return (
                f"文件名（不含扩展名）与知识库中的 {other.source}（{book_title(other.title)}）相同，"
                "两者会得到同一个文档编号"
                f"“{other.id}”，引用信息会互相覆盖。请改名后重新上传；{_replace_hint(other)}"
            )
        if other.fingerprint == mine:
            name = book_title(other.title)
            return f"内容与知识库中的 {other.source}（{name}）相同，无需重复上传；{_replace_hint(other)}"
    return None


def claim_collision(meta: DocumentMeta, known: Iterable[KnownDocument]) -> str | None:
    """Return why ``meta`` claims another document's identity (same 文号, or same title without a
    different 文号), or None.

    Returns:
        A Chinese sentence naming the other document, what to correct, and how to replace it; or None.
    """
    number = match_key(meta.number or "")
    title = match_key(meta.title)
    for other in known:
        if other.id == meta.id:
            continue
        theirs = match_key(other.number or "")
        if number and number == theirs:
            what = f"文号 {meta.number} 与知识库中的 {other.source}（{book_title(other.title)}）相同"
        elif title and title == match_key(other.title) and not (number and theirs and number != theirs):
            what = f"标题{book_title(meta.title)}与知识库中的 {other.source} 相同"
        else:
            continue
        return f"{what}，一个文号（标题）只能对应一个文档。如识别有误，请在预览页更正；{_replace_hint(other)}"
    return None


def duplicate_ids(documents: Iterable[Document]) -> list[str]:
    """Return a Chinese sentence for every document id (compared without case) used more than once."""
    seen: dict[str, DocumentMeta] = {}
    problems = []
    for doc in documents:
        key = id_key(doc.meta.id)
        if key in seen:
            first = seen[key]
            problems.append(f"文档编号“{doc.meta.id}”重复：{first.source} 与 {doc.meta.source}")
        else:
            seen[key] = doc.meta
    return problems
