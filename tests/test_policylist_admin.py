"""A maintainer uploads a policy list in the admin: the preview lists the recognised policies with their
服务对象 and 文号; once published, search results carry the field and the 文号 (slow: two BM25 builds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.staffkit import MAINTAINER, logged_in, make_app, make_settings, upload_page
from webchat.admin import rebuilder_of

pytestmark = pytest.mark.slow
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "policylists" / "dalian_jiuye_zhengce_qingdan.html"


def test_preview_lists_the_policies_and_search_returns_field_and_cites(tmp_path: Path) -> None:
    app = make_app(make_settings(tmp_path))
    admin = logged_in(app, MAINTAINER)
    html = upload_page(admin, FIXTURE.name, FIXTURE.read_bytes())
    assert "识别为政策清单：7 项政策" in html
    assert "<td>一次性吸纳就业补贴</td><td>企业和用人单位、高校毕业生</td>" in html
    assert "辽人社发〔2024〕12号" in html and "【一次性吸纳就业补贴】补贴标准：按照吸纳人数每人1000元" in html

    batch = rebuilder_of(app).uploads.batches()[0]
    admin.post(f"/admin/uploads/{batch.id}/publish")
    assert rebuilder_of(app).wait(120).as_json()["state"] == "done"
    reply = admin.get("/api/search", query_string={"q": "以工代训补贴每人每月补多少", "k": 3}).get_json()
    best = reply["results"][0]
    assert best["field"] == "补贴标准" and best["cites"] == ["辽人社发〔2023〕8号"], best
    assert best["text"].startswith("【以工代训补贴】补贴标准：")
