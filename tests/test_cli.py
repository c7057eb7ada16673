"""The policybot command line as a maintainer uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import write_kb_config
from webchat.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def test_docs_json_lists_six_documents_with_spec_fields() -> None:
    result = runner.invoke(app, ["docs", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 6
    for row in rows:
        assert set(row) == {"id", "title", "number", "issuer", "date", "region", "period", "provisions"}
        assert row["provisions"] > 50
    by_id = {row["id"]: row for row in rows}
    assert by_id["004_0dc92ecbe2a20814"]["period"] == [2021, 2025]
    assert by_id["002_b204cd96ef3811e9"]["period"] is None


def test_show_prints_text_section_context_and_citation() -> None:
    from knowledge.settings import load_settings
    from webchat.cli import ingest_sources

    provision = next(
        p
        for d in ingest_sources(load_settings())
        for p in d.provisions
        if "就业见习补贴范围扩大到离校2年内未就业高校毕业生" in p.text
    )
    result = runner.invoke(app, ["show", provision.id])
    assert result.exit_code == 0, result.output
    assert "就业见习补贴范围扩大到离校2年内未就业高校毕业生" in result.stdout
    assert "三、抓好高校毕业生就业创业" in result.stdout
    assert "上文" in result.stdout and "下文" in result.stdout
    assert "粤府〔2017〕101号" in result.stdout and "适用地区 广东" in result.stdout


def test_show_unknown_id_is_a_clear_error() -> None:
    result = runner.invoke(app, ["show", "nope:123"])
    assert result.exit_code == 1
    assert "找不到条款" in result.output


def test_ingest_reports_bad_files_and_exits_nonzero(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    shutil.copy(ROOT / "knowledge/sources/004_0dc92ecbe2a20814.txt", tmp_path / "ningxia.txt")
    result = runner.invoke(app, ["ingest", "--json", str(tmp_path / "empty.txt"), str(tmp_path / "ningxia.txt")])
    assert result.exit_code == 1
    rows = {row["file"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["empty.txt"]["error"] == "文件是空的"
    assert rows["ningxia.txt"]["documents"][0]["number"] == "宁政办发〔2021〕96号"


def test_ingest_add_copies_into_sources_and_refuses_duplicates(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    config = write_kb_config(tmp_path, sources)
    new = tmp_path / "new.txt"
    shutil.copy(ROOT / "knowledge/sources/003_8c6e1d205613c0d2.txt", new)
    first = runner.invoke(app, ["--config", str(config), "ingest", "--add", str(new)])
    assert first.exit_code == 0, first.output
    assert (sources / "new.txt").read_bytes() == new.read_bytes()
    again = runner.invoke(app, ["--config", str(config), "ingest", "--add", str(new)])
    assert "已在知识库中" in again.output


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "policybot"
    result = subprocess.run(
        [str(script), "docs", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POLICYBOT_CONFIG": str(ROOT / "config.yml")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6


def test_index_build_search_eval_and_rollback_from_the_command_line(tmp_path: Path) -> None:
    env = {"POLICYBOT_PATHS__INDEX_ROOT": str(tmp_path), "POLICYBOT_INDEX__DENSE": "false"}
    from unittest import mock

    with mock.patch.dict(os.environ, env):
        built = runner.invoke(app, ["index", "build"])
        assert built.exit_code == 0, built.output
        assert "已发布" in built.stdout
        runner.invoke(app, ["index", "build"])
        listed = runner.invoke(app, ["index", "list"])
        assert listed.stdout.count("v20") >= 2 and "*" in listed.stdout

        found = runner.invoke(app, ["search", "创业担保贷款贴息", "--k", "3", "--json"])
        assert found.exit_code == 0, found.output
        row = json.loads(found.stdout)
        assert len(row["results"]) == 3 and "创业担保贷款" in row["results"][0]["text"]

        questions = tmp_path / "q.jsonl"
        questions.write_text(
            json.dumps(
                {"id": "a", "question": "离校未就业高校毕业生实名制帮扶", "answers": ["实名制"]}, ensure_ascii=False
            )
            + "\n"
            + json.dumps({"id": "b", "question": "灵活就业人员参加养老保险", "region": "银川"}, ensure_ascii=False)
            + "\n",
            encoding="utf-8",
        )
        batch = runner.invoke(app, ["search", "--queries", str(questions), "--k", "2", "--json"])
        ids = [json.loads(line)["id"] for line in batch.stdout.splitlines()]
        assert ids == ["a", "b"]

        evaluated = runner.invoke(app, ["eval", str(questions)])
        figures = json.loads(evaluated.stdout.splitlines()[-1])
        assert figures["questions"] == 2 and set(figures) >= {"bm25", "dense", "hybrid"}

        rolled = runner.invoke(app, ["index", "rollback"])
        assert rolled.exit_code == 0 and "已回滚" in rolled.stdout
        empty = runner.invoke(app, ["search", ""])
        assert empty.exit_code == 1 and "请输入" in empty.output
