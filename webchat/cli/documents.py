"""The document commands: ``ingest`` (parse files, optionally add them to the knowledge base), ``docs``
(list the documents) and ``show`` (one provision). Registered on the root app in ``webchat.cli``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from knowledge.settings import Settings
from retrieval.citation import source_line
from retrieval.ingest.models import FileReport
from retrieval.ingest.pipeline import expand_paths
from webchat.cli.reports import doc_json, print_reports, report_json, with_validity
from webchat.cli.root import console, current_settings, errors, ingest_sources, open_ingestor


def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="文件或目录；默认为知识库 sources 目录")] = None,
    add: Annotated[bool, typer.Option("--add", help="把解析成功的文件复制到知识库 sources 目录")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="每个文件输出一行 JSON")] = False,
) -> None:
    """Parse documents into provisions and print what was found per document."""
    settings = current_settings()
    targets = expand_paths(paths or [settings.paths.sources])
    ingestor = open_ingestor(settings)
    reports: list[FileReport] = []
    with Progress(
        TextColumn("[bold]解析[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
        disable=as_json or not errors.is_terminal,
    ) as progress:
        task = progress.add_task("", total=len(targets))
        for path in targets:
            progress.update(task, description=path.name)
            reports.append(ingestor.ingest_file(path))
            progress.advance(task)

    if as_json:
        for report in reports:
            print(json.dumps(with_validity(report_json(report), report), ensure_ascii=False))
    else:
        print_reports(reports)
    if add:
        _add_to_sources(settings, reports)
    if any(report.error for report in reports):
        raise typer.Exit(1)


def docs(as_json: Annotated[bool, typer.Option("--json", help="每个文档输出一行 JSON")] = False) -> None:
    """List the documents of the knowledge base with their metadata."""
    documents = ingest_sources(current_settings())
    if as_json:
        for doc in documents:
            print(json.dumps(doc_json(doc), ensure_ascii=False))
        return
    table = Table("ID", "标题", "文号", "发布机关", "日期", "地区", "规划期", "条款数")
    for doc in documents:
        m = doc.meta
        period = f"{m.period[0]}–{m.period[1]}" if m.period else "—"
        table.add_row(
            m.id, m.title, m.number or "—", m.issuer or "—", m.date or "—", m.region, period, str(len(doc.provisions))
        )
    console.print(table)


def show(provision_id: Annotated[str, typer.Argument(help="条款 ID，如 000_1b7baaa7f5881d6d:3f2a…")]) -> None:
    """Show one provision: its text, section path, neighbouring sentences and citation."""
    documents = ingest_sources(current_settings())
    for doc in documents:
        by_id = {p.id: p for p in doc.provisions}
        if provision_id in by_id:
            provision = by_id[provision_id]
            console.print(f"[bold]{provision.text}[/bold]")
            console.print(f"章节: {' / '.join(provision.section) or '（正文）'}")
            if provision.prev_id:
                console.print(f"[dim]上文: {by_id[provision.prev_id].text}[/dim]")
            if provision.next_id:
                console.print(f"[dim]下文: {by_id[provision.next_id].text}[/dim]")
            console.print(f"来源: {source_line(doc.meta, provision)}")
            return
    errors.print(f"[red]找不到条款 {provision_id}（可用 policybot search 查找条款 ID）[/red]")
    raise typer.Exit(1)


def _add_to_sources(settings: Settings, reports: list[FileReport]) -> None:
    sources = settings.paths.sources
    sources.mkdir(parents=True, exist_ok=True)
    existing = {p.read_bytes() for p in sources.iterdir() if p.is_file()}
    for report in reports:
        path = Path(report.path)
        if report.error or path.parent.resolve() == sources.resolve():
            continue
        if path.read_bytes() in existing:
            console.print(f"[yellow]{path.name} 已在知识库中，未重复添加[/yellow]")
            continue
        if (sources / path.name).exists():
            console.print(f"[red]知识库中已有同名文件 {path.name}，请改名后再添加[/red]")
            continue
        shutil.copy2(path, sources / path.name)
        console.print(f"已添加 {path.name}；运行 policybot index build 使其生效。")
