"""The root ``policybot`` app and what its commands share: the settings the callback builds once, the
two consoles (results on stdout, messages on stderr), and the retrieval service and ingestor opened from
those settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from knowledge.regions import LexiconError, load_regions
from knowledge.settings import ConfigError, Settings, load_settings
from knowledge.sources import SourcesError, load_overrides
from retrieval.ingest.models import Document
from retrieval.ingest.pipeline import Ingestor
from retrieval.service import RetrievalService

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


def current_settings() -> Settings:
    """Return the settings the callback built for this invocation.

    Returns:
        The settings read from ``--config``, ``POLICYBOT_CONFIG`` or the repository's config.yml.
    """
    assert State.settings is not None, "callback builds the settings"
    return State.settings


def open_ingestor(settings: Settings) -> Ingestor:
    """Open the knowledge base's ingestor (regions from the lexicon, sources.yml overrides).

    Args:
        settings: the settings.

    Returns:
        The ingestor.

    Raises:
        typer.Exit: code 2, the lexicon or sources.yml is malformed (the reason is printed on stderr).
    """
    try:
        regions = load_regions(settings.paths.lexicon)
        overrides = load_overrides(settings.paths.sources_meta)
    except (LexiconError, SourcesError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return Ingestor(settings.ingest, regions, overrides)


def open_service() -> RetrievalService:
    """Open the retrieval service of this invocation's settings.

    Returns:
        The retrieval service (lexicon, index store, searcher).

    Raises:
        typer.Exit: code 2, the lexicon or sources.yml is malformed (the reason is printed on stderr).
    """
    try:
        return RetrievalService.from_settings(current_settings())
    except (LexiconError, SourcesError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def ingest_sources(settings: Settings) -> list[Document]:
    """Ingest every document of the knowledge base (``paths.sources``).

    Args:
        settings: the settings.

    Returns:
        The documents that ingested; files with errors are reported on stderr and skipped.
    """
    reports = open_ingestor(settings).ingest_paths([settings.paths.sources])
    for report in reports:
        if report.error:
            errors.print(f"[yellow]跳过 {Path(report.path).name}: {report.error}[/yellow]")
    return [doc for report in reports for doc in report.documents]
