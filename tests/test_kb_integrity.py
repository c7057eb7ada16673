"""The knowledge base keeps one document per id: an upload that collides with a published document (by
id, by text, by 文号) is refused through the real admin endpoint and changes nothing, and the index build
refuses two documents under one id (issue 18, item 1)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from retrieval.builder import BuildError
from retrieval.service import RetrievalService
from tests.staffkit import MAINTAINER, logged_in, make_app, make_settings, upload_page
from tests.test_admin import POLICY
from webchat.admin import rebuilder_of
from webchat.app import retrieval_of, settings_of

SEED = "000_1b7baaa7f5881d6d.txt"  # 国发〔2017〕10号
FAKE = """关于调整就业补贴发放标准的通知
人社假发〔2026〕1号
各县（市、区）人民政府，市政府各部门：
为规范补贴发放，现就有关事项通知如下。
一、即日起停止发放一次性创业补贴，已经提出的申请不再受理。
二、就业见习补贴一律改为每月100元，见习人员自行承担社会保险费。
三、本通知由发布单位负责解释，此前规定与本通知不一致的以本通知为准。
某市人民政府
2026年1月5日
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = make_settings(tmp_path_factory.mktemp("integrity"), staff={"login_limit": "1000 per minute"})
    yield make_app(settings)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return logged_in(app, MAINTAINER)


def _flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html, re.S)


def _state(app: Flask) -> dict[str, Any]:
    settings = settings_of(app)
    uploads = settings.paths.var / "uploads"
    return {
        "sources": sorted(p.name for p in settings.paths.sources.iterdir()),
        "meta": settings.paths.sources_meta.read_text(encoding="utf-8"),
        "uploads": sorted(p.name for p in uploads.iterdir()) if uploads.exists() else [],
        "current": retrieval_of(app).store.current(),
    }


def _cited_numbers(client: FlaskClient, query: str) -> set[str | None]:
    body = client.get("/api/search", query_string={"q": query, "k": 10}).get_json()
    return {r["doc"]["number"] for r in body["results"] if r["doc"]["id"] == Path(SEED).stem}


def test_an_upload_named_like_a_published_document_is_refused(admin: FlaskClient, app: Flask) -> None:
    """The probe: ``<seed stem>.text`` beside ``<seed stem>.txt`` took over 国发〔2017〕10号's citations."""
    before = _state(app)
    assert _cited_numbers(admin, "十三五 促进就业规划 城镇新增就业") == {"国发〔2017〕10号"}
    for name in (Path(SEED).stem + ".text", Path(SEED).stem.upper() + ".html", "002_b204cd96ef3811e9-2.txt"):
        html = upload_page(admin, name, FAKE.encode("utf-8"))
        assert "未上传" in html and "同一个文档编号" in html and "请先在管理页" in html, (name, _flashes(html))
        assert _state(app) == before, name
    assert _cited_numbers(admin, "十三五 促进就业规划 城镇新增就业") == {"国发〔2017〕10号"}


def test_the_same_text_under_another_name_is_refused(admin: FlaskClient, app: Flask) -> None:
    before = _state(app)
    seed = (settings_of(app).paths.sources / SEED).read_bytes()
    copy = b"\xef\xbb\xbf" + seed.replace(b"\n", b"\r\n")  # other bytes (BOM, CRLF), the same text
    html = upload_page(admin, "十三五促进就业规划-副本.txt", copy)
    assert "未上传" in html and f"内容与知识库中的 {SEED}" in html, _flashes(html)
    assert _state(app) == before


def test_an_upload_claiming_a_published_文号_is_not_published_until_corrected(admin: FlaskClient, app: Flask) -> None:
    claimed = FAKE.replace("人社假发〔2026〕1号", "国发〔2017〕10号")
    html = upload_page(admin, "调整补贴通知.txt", claimed.encode("utf-8"))
    assert "发布前需要处理" in html and "文号 国发〔2017〕10号" in html, _flashes(html)
    batch = rebuilder_of(app).uploads.batches()[-1]
    before = _state(app)
    admin.post(f"/admin/uploads/{batch.id}/publish")
    status = rebuilder_of(app).wait(120)
    assert status.state == "failed" and "文号 国发〔2017〕10号" in status.message, status.message
    assert {k: v for k, v in _state(app).items()} == before
    assert _cited_numbers(admin, "十三五 促进就业规划 城镇新增就业") == {"国发〔2017〕10号"}
    admin.post(f"/admin/uploads/{batch.id}/discard")


def test_the_index_build_refuses_two_documents_under_one_id(app: Flask) -> None:
    settings = settings_of(app)
    twin = settings.paths.sources / (Path(SEED).stem + ".text")
    shutil.copy2(settings.paths.sources / "002_b204cd96ef3811e9.txt", twin)  # placed by hand, bypassing the admin
    try:
        before = retrieval_of(app).store.current()
        with pytest.raises(BuildError, match=r"文档编号“000_1b7baaa7f5881d6d”重复"):
            RetrievalService.from_settings(settings).build()
        assert retrieval_of(app).store.current() == before
    finally:
        twin.unlink()


@contextmanager
def unwritable(directory: Path) -> Iterator[None]:
    """Make ``directory`` refuse new files for real: ``chattr +i`` as root (root ignores modes), else 0555."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("chattr is needed to make a directory unwritable for root")
        if subprocess.run(["chattr", "+i", str(directory)], capture_output=True).returncode != 0:
            pytest.skip("this filesystem does not support the immutable attribute")
        undo = ["chattr", "-i", str(directory)]
    else:
        mode = directory.stat().st_mode
        directory.chmod(0o555)
        undo = ["chmod", oct(mode & 0o7777)[2:], str(directory)]
    try:
        with pytest.raises(PermissionError):
            (directory / "probe.txt").write_text("x")
        yield
    finally:
        subprocess.run(undo, check=True)


def test_a_publish_whose_file_copy_fails_leaves_no_version_behind(admin: FlaskClient, app: Flask) -> None:
    """Issue 18 item 5: the version built before a failed copy stayed, servable and offered for rollback."""
    settings = settings_of(app)
    store = retrieval_of(app).store
    upload_page(admin, "银川市退役军人就业创业通知.txt", POLICY.encode("utf-8"))
    batch = rebuilder_of(app).uploads.batches()[-1]
    before = _state(app)
    listed = [m.version for m in store.versions()]
    folders = sorted(p.name for p in store.versions_dir.iterdir())

    with unwritable(settings.paths.sources):
        admin.post(f"/admin/uploads/{batch.id}/publish")
        status = rebuilder_of(app).wait(120)
    assert status.state == "failed" and "当前索引版本未改变" in status.message, status.message
    assert _state(app) == before  # sources, sources.yml, the staged upload and CURRENT as they were
    assert [m.version for m in store.versions()] == listed and store.unpublished() == []
    assert sorted(p.name for p in store.versions_dir.iterdir()) == folders  # nothing left on disk either
    page = admin.get("/admin/").get_data(as_text=True)
    assert set(re.findall(r"v\d{8}-\d{6}-\d{6}", page)) == set(listed)
    reply = admin.post("/admin/rollback", data={"version": "v20990101-000000-000000"}, follow_redirects=True)
    assert "不存在" in reply.get_data(as_text=True)

    # the same upload publishes once the folder can be written again
    admin.post(f"/admin/uploads/{batch.id}/publish")
    assert rebuilder_of(app).wait(120).state == "done"
    assert [m.version for m in store.versions()] == [*listed, store.current()]
    body = admin.get("/api/search", query_string={"q": "退役军人一次性开业补贴5000元", "k": 3}).get_json()
    assert body["results"][0]["doc"]["number"] == "银政发〔2022〕15号"
