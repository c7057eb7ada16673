"""The dependency audit (tools/depaudit): OSV matching on real advisories of the PyPA snapshot, triage, CLI.

The advisories are read from the offline snapshot beside the repository (``../shared/advisory-db``), as
``make audit`` reads them; none is rewritten by hand.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from packaging.version import Version

from tools.depaudit.cli import run
from tools.depaudit.locks import LockError, normalise, read_lock
from tools.depaudit.matching import Advisory, parse_advisory, why_affected

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT.parent / "shared" / "advisory-db"

pytestmark = pytest.mark.skipif(not (SNAPSHOT / "vulns").is_dir(), reason=f"离线漏洞库快照 {SNAPSHOT} 不存在")


def record(package: str, advisory_id: str) -> dict[str, Any]:
    path = SNAPSHOT / "vulns" / package / f"{advisory_id}.yaml"
    data: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CBaseLoader)
    return data


def advisory(package: str, advisory_id: str) -> Advisory:
    return parse_advisory(record(package, advisory_id))


def affected(adv: Advisory, package: str, version: str) -> str | None:
    return why_affected(adv, package, Version(version))


# --- matching on real advisories ---------------------------------------------------------------------------


def test_range_flags_versions_inside_and_not_the_fixed_version_or_later() -> None:
    adv = advisory("aiohttp", "PYSEC-2024-24")  # ECOSYSTEM: introduced 1.0.5, fixed 3.9.2
    assert (affected(adv, "aiohttp", "3.9.1") or "").startswith("range")
    assert (affected(adv, "aiohttp", "3.9.1.post7") or "").startswith("range")  # not listed: the range decides
    assert (affected(adv, "aiohttp", "1.0.5") or "").startswith("range")  # introduced is inclusive
    assert affected(adv, "aiohttp", "1.0.4") is None
    assert affected(adv, "aiohttp", "3.9.2") is None
    assert affected(adv, "aiohttp", "3.9.5") is None  # what rasa.lock pins


def test_versions_are_ordered_by_pep_440_not_as_strings() -> None:
    adv = advisory("jinja2", "PYSEC-2019-217")  # introduced 0, fixed 2.10.1
    assert affected(adv, "jinja2", "2.9.99") is not None  # "2.9.99" > "2.10.1" as strings
    assert affected(adv, "jinja2", "2.10") is not None
    assert affected(adv, "jinja2", "2.10.1") is None
    assert affected(adv, "jinja2", "2.11.0") is None


def test_last_affected_is_inclusive() -> None:
    adv = advisory("py", "PYSEC-2022-42969")  # introduced 0, last_affected 1.11.0 (no fix)
    assert (affected(adv, "py", "1.11.0") or "").startswith("range")
    assert affected(adv, "py", "1.11.0rc1") is not None  # a pre-release of it comes before it
    assert affected(adv, "py", "1.11.0.post1") is None
    assert affected(adv, "py", "1.11.1") is None


def test_pre_releases_are_ordered_before_their_release() -> None:
    # django: introduced 1.9, fixed 1.9.8; introduced 1.10a0, fixed 1.10rc1
    adv = advisory("django", "PYSEC-2016-2")
    assert affected(adv, "django", "1.10b1") is not None
    assert affected(adv, "django", "1.10a0") is not None
    assert affected(adv, "django", "1.10rc1") is None
    assert affected(adv, "django", "1.10") is None
    assert affected(adv, "django", "1.9.7") is not None
    assert affected(adv, "django", "1.9.8") is None
    # ipython: fixed 6.0.0rc1, then introduced again at the final 6.0.0 until 7.16.3
    ipy = advisory("ipython", "PYSEC-2022-12")
    assert affected(ipy, "ipython", "6.0.0b3") is not None
    assert affected(ipy, "ipython", "6.0.0rc1") is None
    assert affected(ipy, "ipython", "6.0.0") is not None
    assert affected(ipy, "ipython", "7.16.3") is None
    assert affected(ipy, "ipython", "8.0.1") is None


def test_explicit_versions_list_without_a_range() -> None:
    adv = advisory("gratient", "PYSEC-2024-1")  # no ECOSYSTEM range, versions: ["0.5"]
    assert affected(adv, "gratient", "0.5") == "listed version"
    assert affected(adv, "gratient", "0.5.0") == "listed version"  # PEP 440: 0.5 == 0.5.0
    assert affected(adv, "gratient", "0.5.1") is None
    assert affected(adv, "gratient", "0.4") is None


def test_withdrawn_advisories_and_other_packages_match_nothing() -> None:
    withdrawn = advisory("redis", "PYSEC-2023-73")  # introduced 0, no fix — but withdrawn
    assert withdrawn.withdrawn
    assert affected(withdrawn, "redis", "4.6.0") is None
    assert affected(advisory("aiohttp", "PYSEC-2024-24"), "aiohttp-session", "3.9.1") is None


def test_package_names_are_normalised(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("# pins\nJinja2==2.10\nruamel.YAML==0.17.21\ntyping_extensions==4.16.0\n", encoding="utf-8")
    pins = read_lock(lock)
    assert [p.key for p in pins] == ["jinja2", "ruamel-yaml", "typing-extensions"]
    assert affected(advisory("jinja2", "PYSEC-2019-217"), pins[0].key, pins[0].version) is not None


def test_a_lock_line_that_is_not_an_exact_pin_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text("aiohttp>=3.9\n", encoding="utf-8")
    with pytest.raises(LockError, match="不是精确版本锁定"):
        read_lock(lock)


# --- the command: source and date, triage, exit status ------------------------------------------------------


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    """A snapshot folder holding a few real advisory files copied unchanged, and the real SNAPSHOT.md."""
    db = tmp_path / "db"
    for package, ids in {"aiohttp": ["PYSEC-2024-24", "PYSEC-2024-26"], "jinja2": ["PYSEC-2019-217"]}.items():
        (db / "vulns" / package).mkdir(parents=True)
        for advisory_id in ids:
            shutil.copy(SNAPSHOT / "vulns" / package / f"{advisory_id}.yaml", db / "vulns" / package)
    shutil.copy(SNAPSHOT / "SNAPSHOT.md", db / "SNAPSHOT.md")
    return db


def audit(tmp_path: Path, db: Path, lock: str, triage: str | None, *extra: str) -> int:
    (tmp_path / "app.lock").write_text(lock, encoding="utf-8")
    triage_file = tmp_path / "triage.yml"
    if triage is not None:
        triage_file.write_text(triage, encoding="utf-8")
    args = ["--lock", str(tmp_path / "app.lock"), "--db", str(db), "--triage", str(triage_file)]
    return run([*args, *(extra or ["--offline"])])


def test_untriaged_finding_fails_and_the_source_and_date_are_printed(
    tmp_path: Path, small_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\nJinja2==3.1.6\n", None) == 1
    out = capsys.readouterr().out
    assert "漏洞数据来源：离线快照" in out and "日期 2024-10-10" in out
    assert "2024-10-10 之后发布的漏洞公告不在此快照中" in out
    assert "未处理的漏洞" in out and "PYSEC-2024-24" in out and "修复版本 3.9.2" in out
    assert "发现 2 项" in out and "PYSEC-2024-26" in out  # aiohttp's two; Jinja2 3.1.6 is past 2.10.1
    assert "Jinja2==3.1.6" not in out


def test_triaged_finding_passes_and_a_stale_entry_warns(
    tmp_path: Path, small_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    triage = """findings:
  - id: CVE-2024-23334          # an alias of PYSEC-2024-24 names the same flaw
    package: aiohttp
    decision: not-reachable
    reason: 不使用 aiohttp 提供静态文件。
  - id: PYSEC-2024-26
    package: aiohttp
    decision: accepted
    reason: 仅本机回环地址可达。
  - id: PYSEC-2019-217
    package: Jinja2
    decision: accepted
    reason: 旧记录。
  - id: CVE-2025-53643          # published after the snapshot: cannot be checked against it, not stale
    package: aiohttp
    decision: not-reachable
    reason: 不运行 aiohttp 服务器。
"""
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\nJinja2==3.1.6\n", triage) == 0
    out = capsys.readouterr().out
    assert "已处理 · 用法上不可达" in out and "已处理 · 接受风险" in out
    assert "处理记录已过期（PYSEC-2019-217 / jinja2" in out
    assert "未核对：1 条" in out and "CVE-2025-53643/aiohttp" in out and "CVE-2025-53643 / aiohttp" not in out
    assert "审计通过" in out


def test_upgraded_entry_that_still_matches_fails(tmp_path: Path, small_db: Path) -> None:
    triage = "findings:\n  - {id: PYSEC-2024-24, package: aiohttp, decision: upgraded, to: 3.9.2}\n"
    assert audit(tmp_path, small_db, "aiohttp==3.9.2\n", triage) == 0  # upgraded: the fix holds
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\n", triage) == 1  # the upgrade was undone


def test_a_decision_without_reason_is_refused(
    tmp_path: Path, small_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    triage = "findings:\n  - {id: PYSEC-2024-24, package: aiohttp, decision: accepted}\n"
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\n", triage) == 2
    assert "必须写明理由" in capsys.readouterr().err


class _FakeOsv(BaseHTTPRequestHandler):
    """A local stand-in for api.osv.dev: real snapshot records; GHSA copies of them as OSV also serves."""

    answers: ClassVar[dict[tuple[str, str], list[str]]] = {}
    records: ClassVar[dict[str, dict[str, Any]]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        queries = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["queries"]
        keys = [(q["package"]["name"], q["version"]) for q in queries]
        self._send({"results": [{"vulns": [{"id": i} for i in self.answers.get(k, [])]} for k in keys]})

    def do_GET(self) -> None:
        self._send(self.records[self.path.rsplit("/", 1)[1]])


@pytest.fixture
def fake_osv() -> Iterator[str]:
    pysec = record("aiohttp", "PYSEC-2024-24")
    ghsa = dict(pysec, id="GHSA-5h86-8mv2-jq9f", aliases=["CVE-2024-23334", "PYSEC-2024-24"])
    _FakeOsv.records = {r["id"]: r for r in (pysec, ghsa, record("jinja2", "PYSEC-2019-217"))}
    _FakeOsv.answers = {("jinja2", "2.4.1"): ["PYSEC-2019-217"], ("aiohttp", "3.9.1"): [ghsa["id"], pysec["id"]]}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOsv)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_online_source_is_used_when_reachable_and_aliases_count_once(
    tmp_path: Path, small_db: Path, fake_osv: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\n", None, "--osv-url", fake_osv) == 1
    out = capsys.readouterr().out
    assert f"漏洞数据来源：OSV 在线服务 {fake_osv}" in out
    assert "发现 1 项" in out and "PYSEC-2024-24" in out  # the GHSA record is the same flaw


def test_unreachable_or_empty_service_falls_back_to_the_snapshot(
    tmp_path: Path, small_db: Path, fake_osv: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\n", None, "--osv-url", "http://127.0.0.1:9/v1") == 1
    assert "不可达" in capsys.readouterr().out
    _FakeOsv.answers = {}  # a mirror that knows nothing must not pass as "no findings"
    assert audit(tmp_path, small_db, "aiohttp==3.9.1\n", None, "--osv-url", fake_osv) == 1
    out = capsys.readouterr().out
    assert "不能采信" in out and "漏洞数据来源：离线快照" in out and "PYSEC-2024-24" in out


@pytest.mark.slow
def test_each_snapshot_folder_holds_only_its_own_package() -> None:
    """The audit reads only the folders of pinned packages: sound only if no advisory sits under another."""
    misplaced = []
    for path in sorted((SNAPSHOT / "vulns").glob("*/*.yaml")):
        adv = parse_advisory(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CBaseLoader))
        if {entry.key for entry in adv.affected} - {normalise(path.parent.name)}:
            misplaced.append(path.name)
    assert misplaced == []


def test_withdrawn_matches_are_named_not_counted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "rasa.lock").write_text("redis==4.6.0\naiohttp==3.9.5\n", encoding="utf-8")
    args = ["--lock", str(tmp_path / "rasa.lock"), "--db", str(SNAPSHOT), "--triage", str(tmp_path / "none.yml")]
    assert run([*args, "--offline"]) == 0
    out = capsys.readouterr().out
    assert "发现 0 项" in out and "不计入：PYSEC-2022-43059/aiohttp, PYSEC-2023-73/redis" in out


@pytest.mark.slow
def test_the_real_lock_files_are_fully_triaged(capsys: pytest.CaptureFixture[str]) -> None:
    """What ``make audit`` checks, against the whole snapshot: every finding of both locks has a decision."""
    args = ["--db", str(SNAPSHOT), "--triage", str(ROOT / "requirements" / "audit-triage.yml"), "--offline"]
    locks = ["--lock", str(ROOT / "requirements" / "app.lock"), "--lock", str(ROOT / "requirements" / "rasa.lock")]
    assert run([*locks, *args]) == 0, capsys.readouterr().out
    assert "处理记录已过期" not in capsys.readouterr().out
