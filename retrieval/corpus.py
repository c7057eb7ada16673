"""The provisions and documents of one index version, and the text each provision is indexed by."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.regions import RegionTable
from retrieval.ingest.models import Document, DocumentMeta, Provision
from retrieval.store import read_jsonl, write_jsonl

DOCUMENTS_FILE = "documents.jsonl"
PROVISIONS_FILE = "provisions.jsonl"


@dataclass
class Corpus:
    """Provisions in index order with their documents."""

    documents: dict[str, DocumentMeta]
    provisions: list[Provision]
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {p.id: i for i, p in enumerate(self.provisions)}

    @classmethod
    def from_documents(cls, documents: list[Document]) -> Corpus:
        """Flatten ingested documents into a corpus."""
        return cls(
            documents={d.meta.id: d.meta for d in documents},
            provisions=[p for d in documents for p in d.provisions],
        )

    def save(self, directory: Path) -> None:
        """Write documents.jsonl and provisions.jsonl into ``directory``."""
        write_jsonl(directory / DOCUMENTS_FILE, [m.model_dump(mode="json") for m in self.documents.values()])
        write_jsonl(directory / PROVISIONS_FILE, [p.model_dump(mode="json") for p in self.provisions])

    @classmethod
    def load(cls, directory: Path) -> Corpus:
        """Read a corpus written by ``save``."""
        metas = [DocumentMeta.model_validate(row) for row in read_jsonl(directory / DOCUMENTS_FILE)]
        provisions = [Provision.model_validate(row) for row in read_jsonl(directory / PROVISIONS_FILE)]
        return cls(documents={m.id: m for m in metas}, provisions=provisions)

    def index_of(self, provision_id: str) -> int | None:
        """Return the position of a provision, or None."""
        return self._by_id.get(provision_id)

    def get(self, provision_id: str) -> Provision | None:
        """Return a provision by id, or None."""
        index = self._by_id.get(provision_id)
        return None if index is None else self.provisions[index]


def indexed_text(provision: Provision, meta: DocumentMeta, regions: RegionTable, section_weight: int) -> str:
    """Return the text a provision is found by: its words, its section path, its region and plan.

    Args:
        provision: the provision.
        meta: its document.
        regions: to name the region the way users do (山东省聊城市 → 聊城).
        section_weight: how many times the section path is repeated (0 leaves it out).

    Returns:
        The text to tokenise for the lexical leg.
    """
    entry = regions.regions.get(meta.region)
    everyday = regions.everyday_name(meta.region)  # a dataset city region: 广东省惠州市 → 惠州
    region_names = " ".join(entry.aliases[:2]) if entry else " ".join(dict.fromkeys([everyday, meta.region]))
    plan = meta.plan_label or ""
    section = " ".join(provision.section)
    return " ".join([provision.text, *([section] * section_weight), region_names, plan])
