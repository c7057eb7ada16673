"""Build a new index version from ingested documents and publish it atomically."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge.lexicon import Lexicon
from knowledge.settings import Settings
from retrieval.corpus import Corpus, indexed_text
from retrieval.ingest.collisions import duplicate_ids
from retrieval.ingest.models import Document
from retrieval.lexical import LexicalIndex
from retrieval.store import IndexStore, Manifest, write_jsonl
from retrieval.tokenize import Tokenizer

MODEL_DIR = "model"
BM25_DIR = "bm25"
QUESTIONS_DIR = "bm25_questions"  # BM25 over each provision's doc2query questions (document expansion)
QUESTIONS_FILE = "doc2query.jsonl"  # the questions themselves, as indexed: {"id", "questions"} per provision
DENSE_DIR = "dense"


class BuildError(Exception):
    """The index could not be built; nothing was published."""


@dataclass(frozen=True)
class BuildReport:
    """What a build produced and how long each step took (seconds)."""

    version: str
    documents: int
    provisions: int
    model: str | None
    dense_index: str | None
    timings: dict[str, float]
    published: bool


def dense_text(text: str, section: list[str]) -> str:
    """Return what the dense leg embeds for a provision: the innermost heading, then the text."""
    return f"{section[-1]} {text}" if section else text


def build_index(
    settings: Settings,
    lexicon: Lexicon,
    documents: list[Document],
    store: IndexStore,
    publish: bool = True,
    train_model: bool | None = None,
    tokenizer: Tokenizer | None = None,
) -> BuildReport:
    """Build an index version: corpus files, BM25 files, model (trained or referenced), faiss index.

    Args:
        settings: retrieval, model and index settings.
        lexicon: terms, synonyms, stop words, regions.
        documents: the ingested documents.
        store: where versions live.
        publish: switch the CURRENT pointer to the new version when done.
        train_model: force (True) or skip (False) training; None trains when no model path is configured.
        tokenizer: a tokenizer to reuse (its jieba dictionary is already loaded); a new one when None.

    Returns:
        The build report.

    Raises:
        BuildError: no provisions, two documents share an id, or a configured model path is unusable.
    """
    if problems := duplicate_ids(documents):
        # one id for two documents would cite one's provisions with the other's 文号 and title
        raise BuildError("；".join(problems) + "。请给其中一个文件改名（文件名不含扩展名时也不能相同）后重新构建")
    corpus = Corpus.from_documents(documents)
    if not corpus.provisions:
        raise BuildError("没有可索引的条款：知识库为空或所有文件解析失败")
    timings: dict[str, float] = {}
    build_dir = store.new_build_dir()
    try:
        started = time.perf_counter()
        corpus.save(build_dir)
        tokenizer = tokenizer or Tokenizer(lexicon)
        regions = lexicon.region_table
        texts = [
            indexed_text(p, corpus.documents[p.doc_id], regions, settings.retrieval.section_weight)
            for p in corpus.provisions
        ]
        bm25 = LexicalIndex.build(
            [tokenizer.tokens(t) for t in texts], settings.retrieval.bm25_k1, settings.retrieval.bm25_b
        )
        (build_dir / BM25_DIR).mkdir()
        bm25.save(build_dir / BM25_DIR)
        written = _written_questions(settings)
        if settings.retrieval.doc2query_weight > 0 and written:
            _build_questions(settings, corpus, tokenizer, build_dir, written)
        timings["bm25"] = time.perf_counter() - started

        model_ref: str | None = None
        dense_kind: str | None = None
        if settings.index.dense:
            asked = written if settings.model.doc2query_pairs else {}
            model_ref, dense_kind = _build_dense(
                settings, lexicon, corpus, tokenizer, build_dir, timings, train_model, asked
            )

        version = store.new_version_name()
        manifest = Manifest(
            version=version,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            documents=len(corpus.documents),
            provisions=len(corpus.provisions),
            model=model_ref,
            dense_index=dense_kind,
            settings=settings.retrieval.model_dump(mode="json"),
        )
        store.commit(build_dir, manifest)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    if publish:
        try:
            store.publish(version)
        except BaseException:
            store.discard(version)  # a build that cannot be published is not left behind
            raise
        store.prune(settings.index.keep_versions)
    timings["total"] = sum(timings.values())
    return BuildReport(version, len(corpus.documents), len(corpus.provisions), model_ref, dense_kind, timings, publish)


def _written_questions(settings: Settings) -> dict[str, list[str]]:
    """The doc2query questions of ``paths.doc2query`` (read once per build), by provision id."""
    from retrieval.expansion import ExpansionError, load_questions

    try:
        return load_questions(settings.paths.doc2query)
    except ExpansionError as exc:
        raise BuildError(str(exc)) from exc


def _build_questions(
    settings: Settings, corpus: Corpus, tokenizer: Tokenizer, build_dir: Path, questions: dict[str, list[str]]
) -> None:
    """Index each provision's doc2query questions as a BM25 field of its own, and keep them in the version."""
    # a provision without questions gets one token no query holds, so every row has a document
    tokens = [tokenizer.tokens(" ".join(questions.get(p.id, []))) or ["\u2400"] for p in corpus.provisions]
    index = LexicalIndex.build(tokens, settings.retrieval.bm25_k1, settings.retrieval.bm25_b)
    (build_dir / QUESTIONS_DIR).mkdir()
    index.save(build_dir / QUESTIONS_DIR)
    # the version keeps the questions it indexed, so serving and rollback never read the live folder
    rows = [{"id": p.id, "questions": questions[p.id]} for p in corpus.provisions if p.id in questions]
    write_jsonl(build_dir / QUESTIONS_FILE, rows)


def _build_dense(
    settings: Settings,
    lexicon: Lexicon,
    corpus: Corpus,
    tokenizer: Tokenizer,
    build_dir: Path,
    timings: dict[str, float],
    train_model: bool | None,
    questions: dict[str, list[str]],
) -> tuple[str, str]:
    from retrieval.dense.encoder import Encoder, EncoderError
    from retrieval.dense.vectors import VectorIndex

    started = time.perf_counter()
    texts = [p.text for p in corpus.provisions]
    sections = [p.section for p in corpus.provisions]
    if train_model or (train_model is None and settings.model.path is None):
        from retrieval.dense.train import train_model as train

        pairs = [questions.get(p.id, []) for p in corpus.provisions]
        train(texts, sections, lexicon, tokenizer, settings.model, build_dir / MODEL_DIR, pairs)
        model_path, model_ref = build_dir / MODEL_DIR, MODEL_DIR
        timings["model_training"] = time.perf_counter() - started
    else:
        assert settings.model.path is not None
        model_path, model_ref = settings.model.path, str(settings.model.path)
    try:
        encoder = Encoder(model_path)
    except EncoderError as exc:
        raise BuildError(str(exc)) from exc
    started = time.perf_counter()
    vectors = encoder.encode([dense_text(t, s) for t, s in zip(texts, sections, strict=True)])
    index = VectorIndex.build(vectors)
    (build_dir / DENSE_DIR).mkdir()
    index.save(build_dir / DENSE_DIR)
    timings["dense_index"] = time.perf_counter() - started
    return model_ref, index.kind
