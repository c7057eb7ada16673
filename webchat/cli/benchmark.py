"""The ``bench`` command: medians and p95 of ingest, index build, search, a synthetic 200k-provision
index, eligibility checks and scripted chats (what ``make bench`` runs). Registered on the root app in
``webchat.cli``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from knowledge.settings import Settings
from retrieval.evaluate import load_questions
from retrieval.service import RetrievalService
from webchat.cli.root import console, current_settings, errors, open_service


def bench(
    what: Annotated[str, typer.Argument(help="ingest | build | search | scale | eligibility | chat")] = "search",
    runs: Annotated[int, typer.Option("--runs", min=1, help="计时次数（search 为问题集重复轮数，chat 为对话数）")] = 20,
    size: Annotated[int, typer.Option("--size", min=1000, help="scale：合成语料的条款数")] = 200_000,
    url: Annotated[
        str | None, typer.Option("--url", help="chat：正在运行的 web 服务地址（默认取 web.host/port）")
    ] = None,
) -> None:
    """Run a benchmark and print medians and p95 (what `make bench` runs)."""
    import tempfile

    from retrieval import bench as benchmarks

    settings = current_settings()
    if what == "ingest":
        timings = benchmarks.bench_ingest(settings, runs)
    elif what == "build":
        with tempfile.TemporaryDirectory() as scratch:
            scratch_settings = settings.model_copy(
                update={"paths": settings.paths.model_copy(update={"index_root": Path(scratch)})}
            )
            service = RetrievalService.from_settings(scratch_settings)
            timings = [
                benchmarks.measure(
                    "index build, 5 documents, model training included", service.build, runs=runs, warmup=0
                )
            ]
    elif what == "search":
        service = open_service()
        questions = _bench_questions(settings)
        timings = benchmarks.bench_search(service.searcher, questions, runs)
        console.print(
            f"process RSS holding the index: {benchmarks.rss_mb():.0f} MB ({len(questions)} questions × {runs} rounds)"
        )
    elif what == "scale":
        with tempfile.TemporaryDirectory() as scratch:
            scratch_settings = settings.model_copy(
                update={"paths": settings.paths.model_copy(update={"index_root": Path(scratch)})}
            )
            service = RetrievalService.from_settings(scratch_settings)
            version, kind, seconds = benchmarks.build_synthetic_version(service, size)
            console.print(f"synthetic index {version}: {size} provisions, faiss {kind}, built in {seconds:.0f} s")
            timings = benchmarks.bench_search(service.searcher, _bench_questions(settings), runs)
            console.print(f"process RSS holding the {size}-provision index: {benchmarks.rss_mb():.0f} MB")
    elif what == "eligibility":
        from knowledge.service import EligibilityService

        service = open_service()
        documents, _ = service.ingest_sources()
        eligibility = EligibilityService.from_settings(
            settings, service.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
        )
        timings, conditions = benchmarks.bench_eligibility(eligibility, runs)
        console.print(f"conditions evaluated per request: up to {conditions}")
    elif what == "chat":
        from webchat.chatbench import ChatBenchError, bench_chat, widget_size

        target = url or f"http://{settings.web.host}:{settings.web.port}"
        try:
            timings, turns = bench_chat(target, runs)
        except (ChatBenchError, OSError) as exc:
            errors.print(f"[red]聊天基准失败（需要先 make run 启动全部服务）：{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"{runs} scripted conversations, {turns} turns through {target}/api/chat")
        for name, (raw, packed) in widget_size(Path(__file__).parent.parent / "static").items():
            console.print(f"{name}: {raw} bytes, {packed} bytes gzip")
    else:
        errors.print(f"[red]未知的基准项目 {what}；可选：ingest、build、search、scale、eligibility、chat[/red]")
        raise typer.Exit(2)
    for timing in timings:
        console.print(timing.line())


def _bench_questions(settings: Settings) -> list[tuple[str, str | None]]:
    files = [
        settings.config_dir / "knowledge" / "eval" / "colloquial_questions.jsonl",
        settings.config_dir.parent / "shared" / "eval" / "dev_questions.jsonl",
    ]
    return [(q.question, q.region) for f in files if f.exists() for q in load_questions(f)]
