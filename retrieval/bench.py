"""Benchmarks (``make bench``): medians and p95 over repeated runs, never asserted in unit tests."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.regions import load_regions
from knowledge.settings import Settings
from knowledge.sources import load_overrides
from retrieval.ingest.pipeline import Ingestor


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
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(name, runs, statistics.median(samples), p95, samples[0])


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
