"""The ``policybot`` command line: ingest documents, list them, show a provision."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from knowledge.regions import LexiconError, load_regions
from knowledge.settings import ConfigError, Settings, load_settings
from knowledge.sources import SourcesError, load_overrides
from retrieval.citation import source_line
from retrieval.ingest.models import Document, FileReport
from retrieval.ingest.pipeline import Ingestor, expand_paths

app = typer.Typer(help="就业政策助手 命令行工具", no_args_is_help=True, add_completion=False)
console = Console(soft_wrap=True)
errors = Console(stderr=True)


class State:
    """Settings built once at the entry point, shared by the commands."""

    settings: Settings | None = None


@app.callback()
def _main(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="配置文件（默认为仓库根目录的 config.yml，或环境变量 POLICYBOT_CONFIG）"),
    ] = None,
) -> None:
    path = config or (Path(os.environ["POLICYBOT_CONFIG"]) if os.environ.get("POLICYBOT_CONFIG") else None)
    try:
        State.settings = load_settings(path, env=os.environ)
    except ConfigError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _settings() -> Settings:
    assert State.settings is not None, "callback builds the settings"
    return State.settings


def _ingestor(settings: Settings) -> Ingestor:
    try:
        regions = load_regions(settings.paths.lexicon)
        overrides = load_overrides(settings.paths.sources_meta)
    except (LexiconError, SourcesError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return Ingestor(settings.ingest, regions, overrides)


def ingest_sources(settings: Settings) -> list[Document]:
    """Ingest every document of the knowledge base (``paths.sources``).

    Args:
        settings: the settings.

    Returns:
        The documents that ingested; files with errors are reported on stderr and skipped.
    """
    reports = _ingestor(settings).ingest_paths([settings.paths.sources])
    for report in reports:
        if report.error:
            errors.print(f"[yellow]跳过 {Path(report.path).name}: {report.error}[/yellow]")
    return [doc for report in reports for doc in report.documents]


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="文件或目录；默认为知识库 sources 目录")] = None,
    add: Annotated[bool, typer.Option("--add", help="把解析成功的文件复制到知识库 sources 目录")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="每个文件输出一行 JSON")] = False,
) -> None:
    """Parse documents into provisions and print what was found per document."""
    settings = _settings()
    targets = expand_paths(paths or [settings.paths.sources])
    ingestor = _ingestor(settings)
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
            print(json.dumps(_report_json(report), ensure_ascii=False))
    else:
        _print_reports(reports)
    if add:
        _add_to_sources(settings, reports)
    if any(report.error for report in reports):
        raise typer.Exit(1)


@app.command()
def docs(as_json: Annotated[bool, typer.Option("--json", help="每个文档输出一行 JSON")] = False) -> None:
    """List the documents of the knowledge base with their metadata."""
    documents = ingest_sources(_settings())
    if as_json:
        for doc in documents:
            print(json.dumps(_doc_json(doc), ensure_ascii=False))
        return
    table = Table("ID", "标题", "文号", "发布机关", "日期", "地区", "规划期", "条款数")
    for doc in documents:
        m = doc.meta
        period = f"{m.period[0]}–{m.period[1]}" if m.period else "—"
        table.add_row(
            m.id, m.title, m.number or "—", m.issuer or "—", m.date or "—", m.region, period, str(len(doc.provisions))
        )
    console.print(table)


@app.command()
def show(provision_id: Annotated[str, typer.Argument(help="条款 ID，如 000_1b7baaa7f5881d6d:3f2a…")]) -> None:
    """Show one provision: its text, section path, neighbouring sentences and citation."""
    documents = ingest_sources(_settings())
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


def _doc_json(doc: Document) -> dict[str, object]:
    m = doc.meta
    return {
        "id": m.id,
        "title": m.title,
        "number": m.number,
        "issuer": m.issuer,
        "date": m.date,
        "region": m.region,
        "period": list(m.period) if m.period else None,
        "provisions": len(doc.provisions),
    }


def _report_json(report: FileReport) -> dict[str, object]:
    return {
        "file": Path(report.path).name,
        "error": report.error,
        "documents": [
            {**_doc_json(doc), "duplicates_removed": doc.duplicates_removed, "warnings": doc.warnings}
            for doc in report.documents
        ],
    }


def _print_reports(reports: list[FileReport]) -> None:
    table = Table("文件", "文档", "文号", "地区", "规划期", "条款", "去重", title="解析结果")
    for report in reports:
        name = Path(report.path).name
        if report.error:
            table.add_row(name, f"[red]错误：{report.error}[/red]", "", "", "", "", "")
            continue
        for doc in report.documents:
            m = doc.meta
            period = f"{m.period[0]}–{m.period[1]}" if m.period else "—"
            table.add_row(
                name, m.title, m.number or "—", m.region, period, str(len(doc.provisions)), str(doc.duplicates_removed)
            )
            for warning in doc.warnings:
                table.add_row("", f"[yellow]提示：{warning}[/yellow]", "", "", "", "", "")
    console.print(table)
    ok = sum(1 for r in reports if not r.error)
    console.print(f"共 {len(reports)} 个文件：{ok} 个成功，{len(reports) - ok} 个失败。")


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


def main() -> None:
    """Entry point of the ``policybot`` console script."""
    try:
        app()
    except BrokenPipeError:  # `policybot docs --json | head`
        sys.stderr.close()
