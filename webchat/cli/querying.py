"""The commands that ask the knowledge base: ``search`` (provisions for a question), ``eval`` (recall and
MRR over a question file) and ``check`` (which policies fit a person's facts). Registered on the root app
in ``webchat.cli``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from retrieval.citation import FINAL_WORD, source_line
from retrieval.evaluate import LEG_SETS, evaluate, load_questions
from retrieval.search import SearchError, SearchResponse
from webchat.cli.root import console, errors, open_service
from webchat.serialize import response_json


def search(
    question: Annotated[str | None, typer.Argument(help="问题")] = None,
    region: Annotated[str | None, typer.Option("--region", help="提问者所在地区，如 深圳、临清、宁夏")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="返回条数")] = 10,
    queries: Annotated[Path | None, typer.Option("--queries", help="JSONL 问题文件（id, question, region）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="每个问题输出一行 JSON")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="按哪一天判断文件时效（YYYY-MM-DD，默认今天）")] = None,
) -> None:
    """Search the published index for a question (or every question of a file), judging validity on --as-of."""
    from webchat.serialize import AsOfError, parse_as_of

    try:
        day = parse_as_of(as_of)
    except AsOfError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    service = open_service()
    if queries is not None:
        try:
            items: list[tuple[str | None, str, str | None]] = [
                (q.id, q.question, q.region) for q in load_questions(queries)
            ]
        except (OSError, ValueError) as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    elif question is not None:
        items = [(None, question, region)]
    else:
        errors.print("[red]请给出问题，或用 --queries 指定问题文件[/red]")
        raise typer.Exit(2)
    for qid, text, where in items:
        try:
            response = service.searcher.search(text, k=k, region=where or region, as_of=day)
        except SearchError as exc:
            if as_json:
                print(json.dumps({"id": qid, "error": exc.message, "results": []}, ensure_ascii=False))
                continue
            errors.print(f"[red]{exc.message}[/red]")
            raise typer.Exit(1) from exc
        if as_json:
            print(json.dumps({"id": qid, **response_json(response)}, ensure_ascii=False))
        else:
            _print_response(response)


def eval_command(
    file: Annotated[Path, typer.Argument(help="问题文件（与 dev_questions.jsonl 格式相同）")],
    k: Annotated[int, typer.Option("--k", min=1, max=100)] = 10,
    as_of: Annotated[str | None, typer.Option("--as-of", help="按哪一天判断文件时效（YYYY-MM-DD，默认今天）")] = None,
) -> None:
    """Recall@1/5/10 and MRR@10 per leg (bm25, dense, hybrid); the last line is the JSON of the figures."""
    from webchat.serialize import AsOfError, parse_as_of

    try:
        questions = load_questions(file)
        day = parse_as_of(as_of)
    except (OSError, ValueError, AsOfError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    figures = evaluate(open_service().searcher, questions, k=k, as_of=day)
    table = Table(
        "检索方式", "R@1", "R@5", "R@10", "MRR@10", "未进前5的问题", title=f"{file.name}（{len(questions)} 题）"
    )
    for leg in LEG_SETS:
        row = figures[leg]
        table.add_row(
            leg,
            f"{row['R@1']:.3f}",
            f"{row['R@5']:.3f}",
            f"{row['R@10']:.3f}",
            f"{row['MRR@10']:.3f}",
            " ".join(row["misses"]) or "—",
        )
    console.print(table)
    print(json.dumps(figures, ensure_ascii=False))


def check(
    facts: Annotated[str, typer.Option("--facts", help='事实 JSON，例如 \'{"region":"深圳","groups":["graduate"]}\'')],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与 POST /api/eligibility 相同）")] = False,
) -> None:
    """Which policies fit these facts: eligible, unknown (with what is missing) or ineligible, and why."""
    from knowledge.catalogue import CatalogueError
    from knowledge.facts import FACTS, FactError
    from knowledge.service import EligibilityService

    service = open_service()
    try:
        raw = json.loads(facts)
    except json.JSONDecodeError as exc:
        errors.print(f"[red]--facts 不是合法的 JSON：{exc}[/red]")
        raise typer.Exit(2) from exc
    documents, _ = service.ingest_sources()
    try:
        eligibility = EligibilityService.from_settings(
            service.settings, service.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
        )
        verdict = eligibility.check(raw)
    except CatalogueError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except FactError as exc:
        errors.print(f"[red]{exc.field}：{exc.message}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(eligibility.verdict_json(verdict), ensure_ascii=False))
        return
    labels = {
        "eligible": "[green]符合[/green]",
        "unknown": "[yellow]待确认[/yellow]",
        "ineligible": "[dim]不符合[/dim]",
    }
    table = Table("结果", "政策", "理由", "还需要", title="政策匹配结果")
    for result in verdict.results:
        missing = "、".join(FACTS[f].label for f in result.missing) or "—"
        table.add_row(labels[result.status], result.policy.name, "\n".join(result.reasons), missing)
    console.print(table)
    if verdict.next_fact:
        console.print(f"下一步建议询问：{FACTS[verdict.next_fact].question}")
    console.print(f"共评估 {len(verdict.results)} 项政策、{verdict.conditions_evaluated} 个条件。")
    console.print(FINAL_WORD)


def _print_response(response: SearchResponse) -> None:
    if response.message:
        console.print(f"[yellow]{response.message}[/yellow]")
    for rank, result in enumerate(response.results, start=1):
        console.print(f"[bold]{rank}. {result.provision.text}[/bold]  [dim]({result.score:.3f})[/dim]")
        console.print(f"   [dim]{source_line(result.document, result.provision, response.as_of)}[/dim]")
        console.print(f"   [dim]{result.provision.id}[/dim]")
