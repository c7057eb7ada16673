"""The ``index`` commands (build, list, publish, roll back index versions) and the ``model`` command
(train the project's own embedding model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from retrieval.builder import BuildError
from retrieval.buildlock import BuildBusy
from retrieval.store import IndexStoreError
from webchat.cli.root import console, errors, open_service

index_app = typer.Typer(help="索引：构建、列出、回滚", no_args_is_help=True)
model_app = typer.Typer(help="向量模型", no_args_is_help=True)


@index_app.command("build")
def index_build(
    no_publish: Annotated[bool, typer.Option("--no-publish", help="只构建，不切换到新版本")] = False,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="已有发布的版本时什么也不做")] = False,
) -> None:
    """Build a new index version from knowledge/sources and publish it atomically."""
    service = open_service()
    if if_missing and service.store.current() is not None:
        console.print(f"已有索引版本 {service.store.current()}，无需构建。")
        return
    with console.status("正在构建索引（解析文档、BM25、训练向量模型、向量索引）…"):
        try:
            report, failed = service.build(publish=not no_publish)
        except BuildBusy as exc:
            errors.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        except BuildError as exc:
            errors.print(f"[red]索引构建失败：{exc}[/red]")
            raise typer.Exit(1) from exc
    for item in failed:
        errors.print(f"[yellow]跳过 {Path(item.path).name}: {item.error}[/yellow]")
    steps = "，".join(f"{name} {seconds:.1f}s" for name, seconds in report.timings.items())
    state = "已发布" if report.published else "未发布"
    console.print(
        f"索引版本 {report.version} {state}：{report.documents} 个文档，{report.provisions} 条条款；"
        f"向量模型 {report.model or '无'}，向量索引 {report.dense_index or '无'}；耗时 {steps}"
    )


@index_app.command("list")
def index_list() -> None:
    """List index versions; the current one is marked."""
    store = open_service().store
    current = store.current()
    table = Table("", "版本", "创建时间", "文档", "条款", "向量模型", "向量索引")
    for manifest in store.versions():
        mark = "*" if manifest.version == current else ""
        table.add_row(
            mark,
            manifest.version,
            manifest.created,
            str(manifest.documents),
            str(manifest.provisions),
            manifest.model or "—",
            manifest.dense_index or "—",
        )
    console.print(table)
    if current is None:
        console.print("尚未发布任何索引版本；运行 policybot index build。")
    hidden = [m.version for m in store.unpublished()]
    if hidden:
        console.print(
            f"未发布的版本（不参与回滚，下次发布时删除）：{'、'.join(hidden)}；用 policybot index publish 版本 发布"
        )


@index_app.command("publish")
def index_publish(version: Annotated[str, typer.Argument(help="要发布的版本（如 --no-publish 构建的）")]) -> None:
    """Publish a complete version built with --no-publish (checked against its manifest first)."""
    store = open_service().store
    try:
        with store.lock.hold():
            store.publish(version)
    except (IndexStoreError, BuildBusy) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已发布，当前索引版本为 {version}")


@index_app.command("rollback")
def index_rollback(
    version: Annotated[str | None, typer.Argument(help="目标版本；默认回到当前版本的上一个")] = None,
) -> None:
    """Publish an earlier index version again."""
    store = open_service().store
    try:
        with store.lock.hold():
            now = store.rollback(version)
    except (IndexStoreError, BuildBusy) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已回滚，当前索引版本为 {now}")


@model_app.command("train")
def model_train(
    out: Annotated[Path, typer.Option("--out", help="模型保存目录")] = Path("var/models/policybot-static-zh"),
) -> None:
    """Train the project's own embedding model from the knowledge base and lexicon."""
    from retrieval.dense.train import train_model
    from retrieval.tokenize import Tokenizer

    service = open_service()
    documents, _ = service.ingest_sources()
    provisions = [p for d in documents for p in d.provisions]
    with console.status("正在训练向量模型…"):
        report = train_model(
            [p.text for p in provisions],
            [p.section for p in provisions],
            service.lexicon,
            Tokenizer(service.lexicon),
            service.settings.model,
            out,
        )
    console.print(
        f"模型已保存到 {out}：词表 {report.vocabulary}，训练样本 {report.pairs} 对，"
        f"{report.epochs} 轮，{report.seconds:.1f} 秒，最终损失 {report.final_loss:.3f}"
    )
    console.print(f"在 config.yml 中设置 model.path: {out} 即可使用（或任何 sentence-transformers 模型目录）。")
