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
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from knowledge.regions import LexiconError, load_regions
from knowledge.settings import ConfigError, Settings, load_settings
from knowledge.sources import SourcesError, load_overrides
from retrieval.builder import BuildError
from retrieval.buildlock import BuildBusy
from retrieval.citation import FINAL_WORD, source_line
from retrieval.evaluate import LEG_SETS, evaluate, load_questions
from retrieval.ingest.models import Document, DocumentMeta, FileReport
from retrieval.ingest.pipeline import Ingestor, expand_paths
from retrieval.search import SearchError, SearchResponse
from retrieval.service import RetrievalService
from retrieval.store import IndexStoreError
from webchat.serialize import response_json

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
            print(json.dumps(_with_validity(_report_json(report), report), ensure_ascii=False))
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


@app.command()
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

    settings = _settings()
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
        service = _service()
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

        service = _service()
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
        for name, (raw, packed) in widget_size(Path(__file__).parent / "static").items():
            console.print(f"{name}: {raw} bytes, {packed} bytes gzip")
    else:
        errors.print(f"[red]未知的基准项目 {what}；可选：ingest、build、search、scale、eligibility、chat[/red]")
        raise typer.Exit(2)
    for timing in timings:
        console.print(timing.line())


@app.command()
def check(
    facts: Annotated[str, typer.Option("--facts", help='事实 JSON，例如 \'{"region":"深圳","groups":["graduate"]}\'')],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与 POST /api/eligibility 相同）")] = False,
) -> None:
    """Which policies fit these facts: eligible, unknown (with what is missing) or ineligible, and why."""
    from knowledge.catalogue import CatalogueError
    from knowledge.facts import FACTS, FactError
    from knowledge.service import EligibilityService

    service = _service()
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


def _bench_questions(settings: Settings) -> list[tuple[str, str | None]]:
    files = [
        settings.config_dir / "knowledge" / "eval" / "colloquial_questions.jsonl",
        settings.config_dir.parent / "shared" / "eval" / "dev_questions.jsonl",
    ]
    return [(q.question, q.region) for f in files if f.exists() for q in load_questions(f)]


bot_app = typer.Typer(help="Rasa 机器人的派生文件", no_args_is_help=True)


@bot_app.command("export")
def bot_export(
    check_only: Annotated[bool, typer.Option("--check", help="只检查派生文件是否过期，不写入")] = False,
) -> None:
    """Regenerate bot/ files derived from the lexicon (jieba dictionary, lookups, synonyms, action lexicon)."""
    from knowledge.export import stale_files, write_derived

    service = _service()
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


index_app = typer.Typer(help="索引：构建、列出、回滚", no_args_is_help=True)
model_app = typer.Typer(help="向量模型", no_args_is_help=True)
user_app = typer.Typer(help="工作台账号（热线坐席、维护人员）", no_args_is_help=True)
app.add_typer(index_app, name="index")
app.add_typer(user_app, name="user")
app.add_typer(bot_app, name="bot")
app.add_typer(model_app, name="model")


def _service() -> RetrievalService:
    try:
        return RetrievalService.from_settings(_settings())
    except (LexiconError, SourcesError) as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@index_app.command("build")
def index_build(
    no_publish: Annotated[bool, typer.Option("--no-publish", help="只构建，不切换到新版本")] = False,
    if_missing: Annotated[bool, typer.Option("--if-missing", help="已有发布的版本时什么也不做")] = False,
) -> None:
    """Build a new index version from knowledge/sources and publish it atomically."""
    service = _service()
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
    store = _service().store
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
    store = _service().store
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
    store = _service().store
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

    service = _service()
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


def _read_password(password_stdin: bool) -> str:
    """Read a password from stdin (scripts) or ask for it twice, hidden."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"))


def _outcome(message: str, ok: bool) -> None:
    """Print a staff command's message; exit 1 on failure."""
    if not ok:
        errors.print(f"[red]{message}[/red]")
        raise typer.Exit(1)
    console.print(message)


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（脚本、CI 用），不提示输入")]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="登录用户名")],
    role: Annotated[str, typer.Option("--role", help="角色：maintainer（维护人员）或 agent（热线坐席）")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a staff account (creates the tables if missing); the password is asked twice, hidden."""
    from webchat.staffcli import add_user

    settings = _settings()
    _outcome(*add_user(settings, name, role, _read_password(password_stdin)))


@user_app.command("list")
def user_list() -> None:
    """List the staff accounts, disabled ones included."""
    from webchat.staffcli import list_users

    table = Table("用户名", "角色", "状态")
    for name, label, state in list_users(_settings()):
        table.add_row(name, label, state)
    console.print(table)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="登录用户名")]) -> None:
    """Disable an account: it can no longer log in and its open sessions end at once."""
    from webchat.staffcli import set_active

    _outcome(*set_active(_settings(), name, False))


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="登录用户名")]) -> None:
    """Enable a disabled account again (it logs in with its password as before)."""
    from webchat.staffcli import set_active

    _outcome(*set_active(_settings(), name, True))


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="登录用户名")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password for an account; its open sessions end at once."""
    from webchat.staffcli import set_password

    settings = _settings()
    _outcome(*set_password(settings, name, _read_password(password_stdin)))


@app.command()
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
    service = _service()
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


@app.command("eval")
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
    figures = evaluate(_service().searcher, questions, k=k, as_of=day)
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


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="监听地址（默认取 config.yml 的 web.host）")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口（默认取 web.port）")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="gunicorn 工作进程数（默认取 web.workers）")] = None,
) -> None:
    """Run the web app (chat, API, console, admin, health check) under gunicorn."""
    from retrieval.store import IndexStore
    from webchat.server import WebServer

    settings = _settings()
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


deploy_app = typer.Typer(help="部署：为当前部署模式生成 Rasa 等服务的配置", no_args_is_help=True)
app.add_typer(deploy_app, name="deploy")


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
        text = endpoints_yaml(_settings(), actions_url)
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
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("purge")
def privacy_purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只统计将删除的内容，不删除也不修改")] = False,
) -> None:
    """Delete conversations, feedback, Rasa events, audit lines and log files older than privacy.retention_days."""
    from sqlalchemy.exc import SQLAlchemyError

    from webchat.privacy import purge

    try:
        report = purge(_settings(), dry_run=dry_run)
    except SQLAlchemyError as exc:
        errors.print(f"[red]数据库无法访问，未做任何清理：{type(exc).__name__}（检查 database.url 和数据库服务）[/red]")
        raise typer.Exit(1) from exc
    for line in report.lines():
        console.print(line)


def _print_response(response: SearchResponse) -> None:
    if response.message:
        console.print(f"[yellow]{response.message}[/yellow]")
    for rank, result in enumerate(response.results, start=1):
        console.print(f"[bold]{rank}. {result.provision.text}[/bold]  [dim]({result.score:.3f})[/dim]")
        console.print(f"   [dim]{source_line(result.document, result.provision, response.as_of)}[/dim]")
        console.print(f"   [dim]{result.provision.id}[/dim]")


def _doc_json(doc: Document) -> dict[str, object]:
    from webchat.serialize import meta_fields

    return {"id": doc.meta.id, **meta_fields(doc.meta), "provisions": len(doc.provisions)}


def _with_validity(body: dict[str, object], report: FileReport) -> dict[str, object]:
    """Add each document's validity facts (effective, expiry and its basis, repealed, superseded_by)."""
    fields = {"effective", "expiry", "expiry_basis", "repealed", "superseded_by"}
    documents = body["documents"]
    assert isinstance(documents, list)
    for row, doc in zip(documents, report.documents, strict=True):
        row["validity"] = doc.meta.model_dump(include=fields)
    return body


def _validity_line(meta: DocumentMeta) -> str:
    """One line of a document's validity facts for the ingest table ("" when there are none)."""
    parts = []
    if meta.effective:
        parts.append(f"施行 {meta.effective}")
    if meta.expiry:
        basis = f"（{meta.expiry_basis}）" if meta.expiry_basis else ""
        parts.append(f"有效期至 {meta.expiry}{basis}")
    if meta.repealed:
        parts.append("已废止")
    if meta.superseded_by:
        parts.append(f"被{meta.superseded_by}替代")
    return "时效：" + " · ".join(parts) if parts else ""


def _report_json(report: FileReport) -> dict[str, object]:
    return {
        "file": Path(report.path).name,
        "error": report.error,
        "documents": [
            {
                **_doc_json(doc),
                "numbers": doc.meta.numbers,
                "duplicates_removed": doc.duplicates_removed,
                "warnings": doc.warnings,
                "policies": [p.model_dump() for p in doc.policies],
                "removed": [span.model_dump() for span in doc.removed],
            }
            for doc in report.documents
        ],
        "coverage": {
            "kept_chars": report.kept_chars,
            "removed_chars": report.removed_chars,
            "lost_chars": report.lost_chars,
            "lost": report.lost,
        },
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
                name,
                m.title,
                "、".join(m.numbers) or m.number or "—",
                m.region,
                period,
                str(len(doc.provisions)),
                str(doc.duplicates_removed),
            )
            if validity := _validity_line(m):
                table.add_row("", f"[dim]{validity}[/dim]", "", "", "", "", "")
            for warning in doc.warnings:
                table.add_row("", f"[yellow]提示：{warning}[/yellow]", "", "", "", "", "")
            for policy in doc.policies:
                groups = "、".join(policy.groups) or "—"
                cites = "、".join(policy.cites) or "—"
                line = f"政策清单：{policy.name}（服务对象：{groups}；栏目：{'、'.join(policy.fields)}；依据：{cites}）"
                table.add_row("", line, "", "", "", "", "")
    console.print(table)
    for report in reports:
        if not report.error:
            _print_coverage(report)
    ok = sum(1 for r in reports if not r.error)
    console.print(f"共 {len(reports)} 个文件：{ok} 个成功，{len(reports) - ok} 个失败。")


def _print_coverage(report: FileReport) -> None:
    """One line of where the file's text went, and every piece of real text that would be dropped."""
    name = Path(report.path).name
    labels = {span.reason: span.label for doc in report.documents for span in doc.removed}
    removed = "、".join(f"{labels.get(reason, reason)} {chars}" for reason, chars in report.removed_chars.items())
    console.print(
        f"{name}：正文 {report.kept_chars} 字进入条款；按原因删除 {sum(report.removed_chars.values())} 字"
        + (f"（{removed}）" if removed else "")
        + f"；丢失 {report.lost_chars} 字。",
        markup=False,
    )
    if report.lost:
        console.print(f"[yellow]警告：{name} 有 {len(report.lost)} 处正文未进入任何条款、将被丢弃：[/yellow]")
        for text in report.lost:
            console.print(f"  [yellow]“{escape(text)}”[/yellow]")


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


if __name__ == "__main__":  # python -m webchat.cli, as policybot
    main()
