"""The maintainer admin: uploads (bad ones refused with a Chinese reason and no change), preview and
metadata corrections, background rebuild and publish, rollback, removal, lexicon/catalogue reload, audit
log, and searches that keep working, each from one index version, during a rebuild."""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from retrieval.corpus import Corpus
from tests.staffkit import MAINTAINER, logged_in, login, make_app, make_settings
from webchat.admin import rebuilder_of
from webchat.app import retrieval_of, settings_of
from webchat.rebuild import RebuildPlan
from webchat.staff import staff_store_of
from webchat.uploads import UploadRefused, safe_filename

POLICY = """关于进一步做好退役军人就业创业工作的通知
银政发〔2022〕15号
各县（市、区）人民政府，市政府各部门：
为促进退役军人就业创业，现就有关事项通知如下。
一、加大创业扶持力度。对退役军人首次创办小微企业的，给予一次性开业补贴5000元。
二、开展适应性培训。对离开部队一年内的退役军人提供免费职业技能培训，培训期间给予生活补助。
三、拓宽就业渠道。鼓励国有企业拿出一定比例岗位定向招聘退役军人。
银川市人民政府
2022年3月1日
"""
NEW_NAME = "银川市退役军人就业创业通知.txt"
QUERY = "退役军人一次性开业补贴5000元"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"0" * (60 * 1024 * 1024))
    return buffer.getvalue()


def _scanned_pdf(tmp: Path) -> bytes:
    from reportlab.pdfgen import canvas

    path = tmp / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.circle(300, 400, 80, fill=1)
    pdf.save()
    return path.read_bytes()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    settings = make_settings(
        tmp_path_factory.mktemp("admin"), staff={"login_limit": "1000 per minute"}, ingest={"max_file_mb": 0.5}
    )
    yield make_app(settings)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return logged_in(app, MAINTAINER)


def _snapshot(app: Flask) -> dict[str, Any]:
    settings = settings_of(app)
    uploads = settings.paths.var / "uploads"
    return {
        "sources": sorted(p.name for p in settings.paths.sources.iterdir()),
        "meta": settings.paths.sources_meta.read_text(encoding="utf-8"),
        "uploads": sorted(p.name for p in uploads.iterdir()) if uploads.exists() else [],
        "current": retrieval_of(app).store.current(),
    }


def _upload(client: FlaskClient, files: list[tuple[str, bytes]]) -> Any:
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/admin/upload", data=data, content_type="multipart/form-data", follow_redirects=True)


def _wait(app: Flask, timeout: float = 120) -> dict[str, Any]:
    status = rebuilder_of(app).wait(timeout)
    return status.as_json()


def _search(client: FlaskClient, query: str) -> dict[str, Any]:
    reply = client.get("/api/search", query_string={"q": query, "k": 5})
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def test_safe_filename_keeps_chinese_and_drops_path_parts() -> None:
    assert safe_filename("广东省 就业\u0000规划.TXT") == "广东省_就业规划.txt"
    assert safe_filename("C:\\Users\\张三\\文件#2.docx") == "张三文件2.docx" or safe_filename(
        "C:\\Users\\张三\\文件#2.docx"
    ).endswith("文件2.docx")
    assert safe_filename("dir/子目录/通知.pdf") == "通知.pdf"
    assert safe_filename(".hidden.txt") == "hidden.txt"
    for bad, message in [
        ("../../x.txt", "上级目录"),
        ("..\\x.txt", "上级目录"),
        ("a.exe", "不支持"),
        ("noext", "不支持"),
    ]:
        with pytest.raises(UploadRefused, match=message):
            safe_filename(bad)


def test_bad_uploads_are_refused_in_chinese_and_change_nothing(admin: FlaskClient, app: Flask, tmp_path: Path) -> None:
    seed = settings_of(app).paths.sources / "002_b204cd96ef3811e9.txt"
    cases = [
        ("empty.txt", b"", "文件是空的"),
        ("big.txt", ("就业" * 300_000).encode("utf-8"), "文件过大"),
        ("bomb.docx", _zip_bomb(), "压缩炸弹"),
        ("junk.txt", os.urandom(4096), "不是可识别的文本"),
        ("scan.pdf", _scanned_pdf(tmp_path), "扫描件没有文字层"),
        ("../../x.txt", POLICY.encode("utf-8"), "上级目录"),
        ("副本.txt", seed.read_bytes(), "已有内容相同的文件"),
    ]
    before = _snapshot(app)
    for name, content, message in cases:
        html = _upload(admin, [(name, content)]).get_data(as_text=True)
        assert message in html, (name, html[-2000:])
        assert _snapshot(app) == before, name
    log = staff_store_of(app).audit_log(20)
    assert sum(1 for row in log if row.action == "upload_refused") >= len(cases)


def test_upload_preview_correct_publish_rollback_remove(admin: FlaskClient, app: Flask) -> None:
    settings = settings_of(app)
    first_version = retrieval_of(app).store.current()
    assert not _search(admin, QUERY)["results"] or "一次性开业补贴" not in _search(admin, QUERY)["results"][0]["text"]

    reply = _upload(admin, [(NEW_NAME, POLICY.encode("gbk"))])
    html = reply.get_data(as_text=True)
    assert "预览" in html and "银政发〔2022〕15号" in html and "一次性开业补贴5000元" in html
    batch = rebuilder_of(app).uploads.batches()[0]
    assert (settings.paths.var / "uploads" / batch.id / NEW_NAME).read_bytes() == POLICY.encode("gbk")
    assert not (settings.paths.sources / NEW_NAME).exists()

    meta_url = f"/admin/uploads/{batch.id}/meta"
    form = {"key": NEW_NAME, "title": "银川市退役军人就业创业通知", "number": "银政发〔2022〕15号", "issuer": ""}
    bad = admin.post(meta_url, data={**form, "date": "2022/03/01", "region": "宁夏"}, follow_redirects=True)
    assert "YYYY-MM-DD" in bad.get_data(as_text=True)
    bad = admin.post(meta_url, data={**form, "date": "2022-03-01", "region": "火星"}, follow_redirects=True)
    assert "未知地区" in bad.get_data(as_text=True)
    good = admin.post(
        meta_url,
        data={**form, "date": "2022-03-01", "region": "宁夏回族自治区银川市", "period": "十四五"},
        follow_redirects=True,
    )
    assert "已保存更正" in good.get_data(as_text=True)
    assert "银川市退役军人就业创业通知" in good.get_data(as_text=True)

    started = time.perf_counter()
    reply = admin.post(f"/admin/uploads/{batch.id}/publish", follow_redirects=True)
    assert "正在构建新的索引版本" in reply.get_data(as_text=True)
    status = _wait(app)
    seconds = time.perf_counter() - started
    assert status["state"] == "done", status
    print(f"publish of 5 seed files + 1 new: {seconds:.2f} s; steps {status['timings']}")
    assert admin.get("/admin/status.json").get_json()["state"] == "done"

    assert (settings.paths.sources / NEW_NAME).exists()
    assert not (settings.paths.var / "uploads" / batch.id).exists()
    entry = yaml.safe_load(settings.paths.sources_meta.read_text(encoding="utf-8"))[NEW_NAME]
    assert entry["title"] == "银川市退役军人就业创业通知" and entry["period"] == [2021, 2025]
    assert "region" not in entry  # 银川's city region was detected: only corrections are written
    assert "# Metadata overrides per source file" in settings.paths.sources_meta.read_text(encoding="utf-8")
    new_version = retrieval_of(app).store.current()
    assert new_version != first_version

    body = _search(admin, QUERY)
    top = body["results"][0]
    assert body["index_version"] == new_version
    assert "一次性开业补贴5000元" in top["text"] and top["doc"]["title"] == "银川市退役军人就业创业通知"
    assert top["doc"]["region"] == "宁夏回族自治区银川市" and top["doc"]["number"] == "银政发〔2022〕15号"
    console = admin.get("/console/", query_string={"q": QUERY}).get_data(as_text=True)
    assert "<mark>" in console and "银政发〔2022〕15号" in console

    page = admin.get("/admin/").get_data(as_text=True)
    for action in ("upload", "metadata", "publish"):
        assert f"<td>{action}</td>" in page
    assert NEW_NAME in page

    # the same content again is refused now that it is in the knowledge base
    assert "已有内容相同的文件" in _upload(admin, [("again.txt", POLICY.encode("gbk"))]).get_data(as_text=True)

    reply = admin.post("/admin/rollback", data={"version": first_version}, follow_redirects=True)
    assert "已回滚" in reply.get_data(as_text=True)
    assert retrieval_of(app).store.current() == first_version
    assert _search(admin, QUERY)["index_version"] == first_version
    assert all(r["doc"]["id"] != Path(NEW_NAME).stem for r in _search(admin, QUERY)["results"])
    admin.post("/admin/rollback", data={"version": new_version})

    reply = admin.post("/admin/documents/remove", data={"source": NEW_NAME}, follow_redirects=True)
    assert "正在删除" in reply.get_data(as_text=True)
    assert _wait(app)["state"] == "done"
    assert not (settings.paths.sources / NEW_NAME).exists()
    assert list((settings.paths.var / "removed").glob(f"*/{NEW_NAME}"))
    assert NEW_NAME not in (yaml.safe_load(settings.paths.sources_meta.read_text(encoding="utf-8")) or {})
    assert all(r["doc"]["id"] != Path(NEW_NAME).stem for r in _search(admin, QUERY)["results"])
    assert (
        admin.post("/admin/documents/remove", data={"source": "../config.yml"}, follow_redirects=True).status_code
        == 200
    )
    assert (Path(settings.config_dir) / "config.yml").exists()


def test_discard_an_upload(admin: FlaskClient, app: Flask) -> None:
    before = _snapshot(app)
    _upload(admin, [("待放弃.txt", POLICY.replace("5000", "6000").encode("utf-8"))])
    batch = rebuilder_of(app).uploads.batches()[-1]
    reply = admin.post(f"/admin/uploads/{batch.id}/discard", follow_redirects=True)
    assert "已放弃" in reply.get_data(as_text=True)
    assert _snapshot(app) == before
    assert admin.get("/admin/uploads/../../etc").status_code == 404
    assert admin.get("/admin/uploads/0123456789abcdef").status_code == 404


def test_lexicon_and_catalogue_reload_keep_the_old_ones_on_error(admin: FlaskClient, app: Flask) -> None:
    settings = settings_of(app)
    lexicon = settings.paths.lexicon
    good = lexicon.read_text(encoding="utf-8")
    lexicon.write_text(good + "\nterms: [unclosed\n", encoding="utf-8")
    try:
        html = admin.post("/admin/reload/lexicon", follow_redirects=True).get_data(as_text=True)
        assert "词库有误，未重新加载" in html
        assert _search(admin, "创业担保贷款")["results"]
    finally:
        lexicon.write_text(good, encoding="utf-8")
    old_searcher = retrieval_of(app).searcher
    html = admin.post("/admin/reload/lexicon", follow_redirects=True).get_data(as_text=True)
    assert "已重新加载词库" in html and retrieval_of(app).searcher is not old_searcher
    assert _search(admin, "创业担保贷款")["results"]

    policies = settings.paths.policies
    good = policies.read_text(encoding="utf-8")
    policies.write_text(good.replace("regions: [广东]", "regions: [火星]", 1), encoding="utf-8")
    try:
        html = admin.post("/admin/reload/catalogue", follow_redirects=True).get_data(as_text=True)
        assert "政策目录有误" in html and "火星" in html
        assert admin.post("/api/eligibility", json={"facts": {"region": "深圳"}}).status_code == 200
    finally:
        policies.write_text(good, encoding="utf-8")
    html = admin.post("/admin/reload/catalogue", follow_redirects=True).get_data(as_text=True)
    assert "已重新加载政策目录" in html


@pytest.mark.slow
def test_searches_during_a_rebuild_each_come_from_one_version(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, staff={"login_limit": "1000 per minute"})
    app = make_app(settings)
    store = retrieval_of(app).store
    old = store.current()
    client = app.test_client()
    login(client, MAINTAINER)
    reply = _upload(client, [(NEW_NAME, POLICY.encode("gbk"))])
    assert reply.status_code == 200
    batch = rebuilder_of(app).uploads.batches()[0]

    seen: list[tuple[str, list[str]]] = []
    errors: list[str] = []
    stop = threading.Event()
    queries = [QUERY, "创业担保贷款", "灵活就业人员参加养老保险", "就业见习补贴", "退役军人适应性培训"]

    def searcher() -> None:
        local = app.test_client()
        n = 0
        while not stop.is_set():
            reply = local.get("/api/search", query_string={"q": queries[n % len(queries)], "k": 10})
            n += 1
            if reply.status_code != 200:
                errors.append(f"{reply.status_code} {reply.get_data(as_text=True)[:200]}")
                continue
            body = reply.get_json()
            seen.append((body["index_version"], [r["id"] for r in body["results"]]))

    threads = [threading.Thread(target=searcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    assert rebuilder_of(app).start(RebuildPlan("publish", batch=batch), MAINTAINER)
    status = rebuilder_of(app).wait(120)
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()

    assert status.state == "done", status.message
    new = store.current()
    assert new != old
    versions = {version for version, _ in seen}
    print(f"during rebuild: {len(seen)} searches, {len(errors)} errors, versions seen {sorted(versions)}")
    assert not errors
    assert versions == {old, new}
    provisions = {v: {p.id for p in Corpus.load(store.path(v)).provisions} for v in versions}
    for version, ids in seen:
        assert set(ids) <= provisions[version], version  # no result from another version
    assert any(any(i.startswith(Path(NEW_NAME).stem) for i in ids) for v, ids in seen if v == new)
