"""Benchmarks (``make bench``): medians and p95 over repeated runs, never asserted in unit tests."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.regions import load_regions
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from knowledge.sources import load_overrides
from retrieval.ingest.pipeline import Ingestor
from retrieval.search import Searcher
from retrieval.service import RetrievalService


@dataclass(frozen=True)
class Timing:
    """Wall-clock figures of repeated runs, in milliseconds."""

    name: str
    runs: int
    median_ms: float
    p95_ms: float
    min_ms: float

    def line(self) -> str:
        """Return a one-line human summary."""
        return (
            f"{self.name}: median {self.median_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
            f"min {self.min_ms:.1f} ms over {self.runs} runs"
        )


def measure(name: str, action: Callable[[], object], runs: int, warmup: int = 1) -> Timing:
    """Run ``action`` ``warmup + runs`` times and summarise the timed runs.

    Args:
        name: label of the benchmark.
        action: the work to time.
        runs: timed repetitions.
        warmup: untimed repetitions first.

    Returns:
        Median, p95 and minimum in milliseconds.
    """
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return summarize(name, samples)


def bench_ingest(settings: Settings, runs: int = 20) -> list[Timing]:
    """Time ingesting the knowledge base: a cold first run (new ingestor) and warm repeated runs.

    Args:
        settings: the settings (sources, lexicon, overrides).
        runs: timed repetitions.

    Returns:
        The cold and warm timings.
    """

    def fresh() -> object:
        ingestor = Ingestor(
            settings.ingest, load_regions(settings.paths.lexicon), load_overrides(settings.paths.sources_meta)
        )
        return ingestor.ingest_paths([settings.paths.sources])

    cold = measure("ingest 5 seed files (first run in process)", fresh, runs=1, warmup=0)
    warm = measure("ingest 5 seed files (warm)", fresh, runs=runs)
    return [cold, warm]


def rss_mb() -> float:
    """Return this process' resident set size in MB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def bench_search(searcher: Searcher, questions: list[tuple[str, str | None]], rounds: int) -> list[Timing]:
    """Time warm searches (every leg) over ``questions`` repeated ``rounds`` times.

    Args:
        searcher: a searcher with its index published.
        questions: (question, region) pairs.
        rounds: how often the whole list is asked.

    Returns:
        One timing per leg setting; each sample is one question.
    """
    searcher.search("预热", k=5)
    out = []
    for label, legs in (("bm25", ("bm25",)), ("dense", ("dense",)), ("hybrid", ("bm25", "dense"))):
        samples = []
        for _ in range(rounds):
            for text, region in questions:
                start = time.perf_counter()
                searcher.search(text, k=10, region=region, legs=legs)
                samples.append((time.perf_counter() - start) * 1000)
        out.append(summarize(f"warm search {label} (k=10)", samples))
    return out


def summarize(name: str, samples: list[float]) -> Timing:
    """Return median, p95 and minimum of ``samples`` (milliseconds) as a ``Timing``."""
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(name, len(samples), statistics.median(samples), p95, samples[0])


def build_synthetic_version(service: RetrievalService, size: int, seed: int = 7) -> tuple[str, str, float]:
    """Publish a synthetic index of ``size`` provisions recombined from the real ones.

    Each synthetic provision joins the first half of one real provision with the second half of
    another; its BM25 tokens and its vector are made the same way (vector: normalised sum), so
    building stays fast while the index has the size, vocabulary and score distribution of a
    large real corpus.

    Args:
        service: wiring (store, lexicon, tokenizer, settings) of a scratch index root.
        size: number of provisions.
        seed: random seed.

    Returns:
        (version, faiss index type, build seconds).
    """
    import numpy as np

    from retrieval.builder import BM25_DIR, DENSE_DIR, MODEL_DIR, dense_text
    from retrieval.corpus import Corpus
    from retrieval.dense.encoder import Encoder
    from retrieval.dense.train import train_model
    from retrieval.dense.vectors import VectorIndex
    from retrieval.ingest.models import Provision
    from retrieval.lexical import LexicalIndex
    from retrieval.store import Manifest

    started = time.perf_counter()
    documents, _ = service.ingest_sources()
    real = [p for d in documents for p in d.provisions]
    tokenizer = service.searcher.tokenizer
    halves = [
        (tokenizer.tokens(p.text[: len(p.text) // 2]), tokenizer.tokens(p.text[len(p.text) // 2 :])) for p in real
    ]
    build_dir = service.store.new_build_dir()
    train_model(
        [p.text for p in real],
        [p.section for p in real],
        service.lexicon,
        tokenizer,
        service.settings.model,
        build_dir / MODEL_DIR,
    )
    encoder = Encoder(build_dir / MODEL_DIR)
    real_vectors = encoder.encode([dense_text(p.text, p.section) for p in real])
    rng = np.random.default_rng(seed)
    first, second = rng.integers(0, len(real), size), rng.integers(0, len(real), size)
    provisions, tokens = [], []
    for i, (a, b) in enumerate(zip(first.tolist(), second.tolist(), strict=True)):
        pa, pb = real[a], real[b]
        text = (pa.text[: len(pa.text) // 2] + pb.text[len(pb.text) // 2 :])[:300]
        provisions.append(
            Provision(id=f"{pa.doc_id}:syn{i}", doc_id=pa.doc_id, text=text, section=pa.section, position=i)
        )
        tokens.append(halves[a][0] + halves[b][1])
    vectors = real_vectors[first] + real_vectors[second]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    corpus = Corpus(documents={d.meta.id: d.meta for d in documents}, provisions=provisions)
    corpus.save(build_dir)
    (build_dir / BM25_DIR).mkdir()
    settings = service.settings.retrieval
    LexicalIndex.build(tokens, settings.bm25_k1, settings.bm25_b).save(build_dir / BM25_DIR)
    (build_dir / DENSE_DIR).mkdir()
    index = VectorIndex.build(vectors.astype(np.float32))
    index.save(build_dir / DENSE_DIR)
    version = service.store.new_version_name()
    manifest = Manifest(
        version=version,
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        documents=len(corpus.documents),
        provisions=size,
        model=MODEL_DIR,
        dense_index=index.kind,
    )
    service.store.commit(build_dir, manifest)
    service.store.publish(version)
    return version, index.kind, time.perf_counter() - started


def bench_eligibility(service: EligibilityService, runs: int) -> tuple[list[Timing], int]:
    """Time the eligibility engine on typical fact sets (validation included).

    Args:
        service: the catalogue and engine.
        runs: repetitions of each fact set.

    Returns:
        One timing over all requests, and the conditions evaluated per request (the largest).
    """
    cases: list[dict[str, object]] = [
        {},
        {"region": "深圳", "groups": ["graduate"], "years_since_graduation": 1, "employment_status": "unemployed"},
        {"region": "银川", "groups": ["flexible_worker", "woman"], "employment_status": "self_employed"},
        {
            "region": "临清",
            "groups": ["migrant_worker", "poor_household", "rural_resident"],
            "business_first_time": True,
            "business_operating_years": 0.5,
        },
        {
            "groups": ["enterprise_employee"],
            "unemployment_insurance_years": 3,
            "certificate_this_year": True,
            "years_to_retirement": 5,
            "overcapacity_industry": True,
        },
    ]
    samples = []
    most = 0
    for _ in range(runs):
        for facts in cases:
            start = time.perf_counter()
            verdict = service.check(facts)
            samples.append((time.perf_counter() - start) * 1000)
            most = max(most, verdict.conditions_evaluated)
    return [summarize(f"eligibility check, {len(service.catalogue)} policies", samples)], most
