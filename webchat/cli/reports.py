"""How ``policybot ingest`` and ``policybot docs`` print documents and ingest reports: the JSON lines
and the results table with each file's coverage (where its text went, what would be lost)."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from retrieval.ingest.models import Document, DocumentMeta, FileReport
from webchat.cli.root import console


def doc_json(doc: Document) -> dict[str, object]:
    """Return a document's JSON line for ``policybot docs --json``: id, metadata and provision count.

    Args:
        doc: the document.

    Returns:
        The JSON object.
    """
    from webchat.serialize import meta_fields

    return {"id": doc.meta.id, **meta_fields(doc.meta), "provisions": len(doc.provisions)}


def with_validity(body: dict[str, object], report: FileReport) -> dict[str, object]:
    """Add each document's validity facts (effective, expiry and its basis, repealed, superseded_by).

    Args:
        body: the report's JSON (``report_json``).
        report: the report it was made from.

    Returns:
        ``body``, each of its documents with a ``validity`` object.
    """
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


def report_json(report: FileReport) -> dict[str, object]:
    """Return a file's JSON line for ``policybot ingest --json``.

    Args:
        report: what ingesting the file found.

    Returns:
        The file name, its error, its documents (metadata, numbers, duplicates, warnings, policies,
        removed spans) and where its text went.
    """
    return {
        "file": Path(report.path).name,
        "error": report.error,
        "documents": [
            {
                **doc_json(doc),
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


def print_reports(reports: list[FileReport]) -> None:
    """Print the ingest results table, each file's coverage line and a count of successes and failures.

    Args:
        reports: what ingesting each file found.
    """
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
