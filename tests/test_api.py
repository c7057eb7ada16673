"""The HTTP surface: GET /api/search and GET /healthz through the Flask test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from knowledge.settings import load_settings
from retrieval.service import RetrievalService
from webchat.app import create_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    root = tmp_path_factory.mktemp("index")
    settings = load_settings(
        ROOT / "config.yml",
        paths={"index_root": str(root), "var": str(root / "var")},
        index={"dense": False},
        web={"rasa_url": "http://127.0.0.1:9", "actions_url": "http://127.0.0.1:9", "health_timeout_s": 0.2},
    )
    RetrievalService.from_settings(settings).build()
    app = create_app(settings, {"TESTING": True})
    with app.test_client() as test_client:
        yield test_client


def test_search_returns_the_spec_shape(client: FlaskClient) -> None:
    reply = client.get("/api/search", query_string={"q": "就业见习补贴范围扩大到离校2年内", "k": 3, "region": "深圳"})
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["query"] == "就业见习补贴范围扩大到离校2年内"
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert set(first) >= {"id", "text", "score", "section", "doc"}
    assert set(first["doc"]) == {"id", "title", "number", "region", "date", "period"}
    assert first["doc"]["number"] == "粤府〔2017〕101号"
    assert "就业见习补贴范围扩大到离校2年内未就业高校毕业生" in first["text"]
    assert "粤府〔2017〕101号" in first["citation"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "请输入"),
        ({"q": "补贴", "k": "abc"}, "k 必须"),
        ({"q": "补贴", "k": "0"}, "k 必须"),
        ({"q": "补贴", "k": "500"}, "k 必须"),
        ({"q": "问" * 5000}, "问题太长"),
    ],
)
def test_bad_search_requests_get_a_chinese_400(client: FlaskClient, params: dict[str, str], message: str) -> None:
    reply = client.get("/api/search", query_string=params)
    assert reply.status_code == 400
    assert message in reply.get_json()["error"]


def test_unanswerable_question_is_flagged(client: FlaskClient) -> None:
    body = client.get("/api/search", query_string={"q": "今天天气怎么样"}).get_json()
    assert body["reliable"] is False and "12333" in body["message"]


def test_healthz_reports_index_and_down_services(client: FlaskClient) -> None:
    reply = client.get("/healthz")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["index_version"].startswith("v")
    assert body["bot"] == "down" and body["actions"] == "down"
    assert body["status"] == "degraded"


def test_unknown_route_answers_in_chinese(client: FlaskClient) -> None:
    reply = client.get("/api/nothing-here")
    assert reply.status_code == 404 and reply.get_json()["error"] == "没有这个地址"


def test_search_without_an_index_is_503(tmp_path: Path) -> None:
    settings = load_settings(ROOT / "config.yml", paths={"index_root": str(tmp_path)}, index={"dense": False})
    app = create_app(settings, {"TESTING": True})
    reply = app.test_client().get("/api/search", query_string={"q": "补贴"})
    assert reply.status_code == 503 and "索引尚未建立" in reply.get_json()["error"]
