"""Running and operating the service: ``serve`` (the web app under gunicorn), ``bot export`` (Rasa files
derived from the lexicon), ``deploy rasa-endpoints`` and ``privacy purge``. ``serve`` is registered on
the root app in ``webchat.cli``, with the sub-apps."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from webchat.cli.root import console, current_settings, errors, open_service


def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认取 config.yml 的 web.host）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认取 web.port）")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="gunicorn 工作进程数（默认取 web.workers）")] = None,
) -> None:
    """Run the web app (chat, API, console, admin, health check) under gunicorn."""
    from retrieval.store import IndexStore
    from webchat.server import WebServer

    settings = current_settings()
    if workers is not None:
        settings.web.workers = workers
    bind_host, bind_port = host or settings.web.host, port or settings.web.port
    if IndexStore(settings.paths.index_root).current() is None:
        errors.print("[yellow]索引尚未建立，请先运行 policybot index build（检索暂不可用）[/yellow]")
    try:
        server = WebServer(settings, bind_host, bind_port)
    except ValueError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(
        f"就业政策助手已启动（{settings.deployment.mode}，{settings.web.workers} 个工作进程）："
        f"打开 http://{bind_host}:{bind_port}/ 对话；健康检查 http://{bind_host}:{bind_port}/healthz"
    )
    server.run()


bot_app = typer.Typer(help="Rasa 机器人的派生文件", no_args_is_help=True)


@bot_app.command("export")
def bot_export(
    check_only: Annotated[bool, typer.Option("--check", help="只检查派生文件是否过期，不写入")] = False,
) -> None:
    """Regenerate bot/ files derived from the lexicon (jieba dictionary, lookups, synonyms, action lexicon)."""
    from knowledge.export import stale_files, write_derived

    service = open_service()
    root = service.settings.config_dir
    if check_only:
        stale = stale_files(service.lexicon, root)
        if stale:
            errors.print(f"[red]以下派生文件已过期，请运行 policybot bot export：{'、'.join(stale)}[/red]")
            raise typer.Exit(1)
        console.print("派生文件都是最新的。")
        return
    for path in write_derived(service.lexicon, root):
        console.print(f"已生成 {path.relative_to(root)}")


deploy_app = typer.Typer(help="部署：为当前部署模式生成 Rasa 等服务的配置", no_args_is_help=True)


@deploy_app.command("rasa-endpoints")
def deploy_rasa_endpoints(
    out: Annotated[Path | None, typer.Option("--out", help="写入此文件（默认打印到标准输出）")] = None,
    actions_url: Annotated[
        str | None, typer.Option("--actions-url", help="此 Rasa 副本调用的动作服务器（默认取 web.actions_url）")
    ] = None,
) -> None:
    """Write Rasa's endpoints.yml for the deployment mode (tracker store, lock store, action server)."""
    from webchat.rasaendpoints import EndpointsError, endpoints_yaml

    try:
        text = endpoints_yaml(current_settings(), actions_url)
    except EndpointsError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    # Created owner-only from the start: the file may hold the PostgreSQL and Redis passwords.
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, out)


privacy_app = typer.Typer(help="个人信息：按保留期限清理对话、评价和日志", no_args_is_help=True)


@privacy_app.command("purge")
def privacy_purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只统计将删除的内容，不删除也不修改")] = False,
) -> None:
    """Delete conversations, feedback, Rasa events, audit lines and log files older than privacy.retention_days."""
    from sqlalchemy.exc import SQLAlchemyError

    from webchat.privacy import purge

    try:
        report = purge(current_settings(), dry_run=dry_run)
    except SQLAlchemyError as exc:
        errors.print(f"[red]数据库无法访问，未做任何清理：{type(exc).__name__}（检查 database.url 和数据库服务）[/red]")
        raise typer.Exit(1) from exc
    for line in report.lines():
        console.print(line)
