"""``python -m tools.depaudit``: audit the lock files, print the source and its date, fail on untriaged findings.

Exit status: 0 every finding has a decision; 1 a finding has none (or is marked upgraded but still matches);
2 the audit could not run (a lock or the triage file is malformed, no advisory source can be used).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.depaudit import triage
from tools.depaudit.locks import LockError, Pin, read_lock
from tools.depaudit.sources import Finding, OsvOnline, Snapshot, Source, SourceError

DEFAULT_LOCKS = ("requirements/app.lock", "requirements/rasa.lock")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.depaudit", description="依赖漏洞审计（OSV 在线或离线快照）")
    parser.add_argument("--lock", action="append", type=Path, help="锁定文件（可重复；默认两个 requirements/*.lock）")
    parser.add_argument("--db", type=Path, default=Path("../shared/advisory-db"), help="离线 OSV 快照目录")
    parser.add_argument("--triage", type=Path, default=Path("requirements/audit-triage.yml"), help="处理记录文件")
    parser.add_argument("--osv-url", default="https://api.osv.dev/v1", help="OSV API 地址（可指向镜像）")
    parser.add_argument("--timeout", type=float, default=5.0, help="在线查询每个请求的超时（秒）")
    parser.add_argument("--offline", action="store_true", help="不尝试在线服务，只用离线快照")
    parser.add_argument("--markdown", action="store_true", help="另外输出 README 用的发现与处理表（Markdown）")
    return parser


def _collect(args: argparse.Namespace, pins: list[Pin]) -> tuple[Source, list[Finding]]:
    """Returns the source used and its findings: OSV online when reachable, else the snapshot."""
    online = OsvOnline(args.osv_url, args.timeout)
    problem = None if args.offline else online.probe()
    if not args.offline and problem is None:
        try:
            return online.source(), online.findings(pins)
        except SourceError as exc:
            print(f"警告：{exc}；改用离线快照。")
    elif problem is not None:
        print(f"OSV 在线服务 {args.osv_url} {problem}，改用离线快照。")
    snapshot = Snapshot(args.db, {pin.key for pin in pins})
    return snapshot.source(str(args.db), pins), snapshot.findings(pins)


def _line(finding: Finding) -> str:
    pin, advisory = finding.pin, finding.advisory
    aliases = ", ".join(a for a in advisory.aliases if a.startswith("CVE-")) or ", ".join(advisory.aliases[:1])
    fixed = f"修复版本 {', '.join(finding.fixed)}" if finding.fixed else "尚无修复版本"
    return f"[{pin.lock}] {pin.name}=={pin.version}  {advisory.id}（{aliases}）  {fixed}；{finding.reason}"


def markdown(outcome: triage.Outcome) -> str:
    """Returns the README table of decisions: one row per entry, with what the source said about it."""

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    rows = ["| advisory | package (lock) | decision | this audit | reason |", "|---|---|---|---|---|"]
    for finding, entry in outcome.triaged:
        pin = finding.pin
        status = f"matches {pin.version}; fixed in {', '.join(finding.fixed) or '—'}"
        rows.append(f"| {entry.id} | {pin.name} ({pin.lock}) | {entry.decision} | {status} | {cell(entry.reason)} |")
    for label, entries in (("not in source", outcome.unchecked), ("fixed", outcome.upgraded), ("stale", outcome.stale)):
        for entry in entries:
            where = f"{entry.key} ({entry.lock or 'all'})"
            rows.append(f"| {entry.id} | {where} | {entry.decision} | {label} | {cell(entry.reason)} |")
    return "\n".join(rows)


def run(argv: list[str] | None = None) -> int:
    """Runs the audit with command-line arguments ``argv``.

    Returns:
        The exit status (0 all findings triaged, 1 some not, 2 the audit could not run).
    """
    args = _parser().parse_args(argv)
    try:
        pins = [pin for path in args.lock or [Path(p) for p in DEFAULT_LOCKS] for pin in read_lock(path)]
        entries = triage.load(args.triage)
        source, findings = _collect(args, pins)
    except (LockError, triage.TriageError, SourceError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        print("NOT AUDITED：依赖没有经过漏洞审计。", file=sys.stderr)
        return 2
    label = "OSV 在线服务" if source.kind == "online" else "离线快照"
    print(f"漏洞数据来源：{label} {source.location}，日期 {source.date}")
    if source.note:
        print(f"注意：{source.note}")
    locks = sorted({p.lock for p in pins})
    print(f"检查了 {len(pins)} 个锁定版本（{', '.join(locks)}），发现 {len(findings)} 项漏洞公告。")
    if source.withdrawn:
        print(f"已撤回的公告按版本会匹配，但不计入：{', '.join(source.withdrawn)}")
    outcome = triage.reconcile(findings, entries, source)
    for finding, entry in outcome.triaged:
        print(f"  已处理 · {triage.DECISIONS[entry.decision]}：{_line(finding)}")
    for entry in outcome.stale:
        print(f"警告：处理记录已过期（{entry.id} / {entry.key} 不再匹配任何锁定版本），请从 {args.triage} 删除。")
    if outcome.unchecked:
        names = ", ".join(f"{e.id}/{e.key}" for e in outcome.unchecked)
        count = len(outcome.unchecked)
        print(f"未核对：{count} 条处理记录的公告不在此数据来源中（快照之后发布或只有 GHSA 编号）：{names}")
    for finding, entry in outcome.still_affected:
        print(f"失败：{entry.id} 标记为已升级，但锁定版本仍受影响：{_line(finding)}")
    for finding in outcome.untriaged:
        print(f"失败：未处理的漏洞（请升级，或在 {args.triage} 中写明处理决定）：{_line(finding)}")
    if args.markdown:
        print(markdown(outcome))
    if outcome.ok:
        print(f"审计通过：{len(outcome.triaged)} 项均有处理记录（来源：{label}，日期 {source.date}）。")
        return 0
    failed = len(outcome.untriaged) + len(outcome.still_affected)
    print(f"审计失败：{failed} 项没有有效的处理记录（来源：{label}，日期 {source.date}）。")
    return 1
