"""Citations a person can read: no internal document id ("001_56e23e5e4973f7b9") reaches a citizen or an
agent on any path a citation or document reference takes, and a title quoting another title is not
rendered as 《…《…》》. Every seed document and every catalogue policy is cited at least once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from bot.actions.messages import answer_messages, composed_messages, eligibility_messages
from knowledge.docnames import UNNAMED, book_title, document_name
from knowledge.facts import EMPLOYMENT_STATUS, GROUPS
from tests.staffkit import AGENT, MAINTAINER, logged_in, make_app, make_settings, upload_page
from webchat.app import settings_of
from webchat.botclient import merge_reply
from webchat.cli import ingest_sources

INTERNAL_ID = re.compile(r"\d{3}_[0-9a-f]{16}")
NESTED = re.compile(r"《[^《》\n]*《[^《》\n]*》[^《》\n]*》")  # 《…《…》…》
# Keys whose values are identifiers for programs (links, feedback, the console's filter), not text shown.
ID_KEYS = {"id", "doc", "policy_id", "provision_id", "prev_id", "next_id", "also_in", "policy"}
ASKED = {"query", "question"}  # the asker's own words, echoed
LABELS = json.loads((Path(__file__).resolve().parent.parent / "bot/actions/lexicon.json").read_text("utf-8"))
# Citizens' situations under which every policy of the catalogue is judged, with reasons, in some run.
SITUATIONS: list[dict[str, Any]] = [{}] + [
    {"region": region, "groups": list(GROUPS), "employment_status": status, "years_since_graduation": 1}
    for region in ("广东", "临清", "银川", "深圳")
    for status in EMPLOYMENT_STATUS
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield make_app(make_settings(tmp_path_factory.mktemp("cite")))


def _shown(value: Any, key: str = "") -> Iterator[str]:
    """The strings of a JSON reply that a person reads (identifier fields aside)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ASKED and not (k in ID_KEYS and (isinstance(v, str) or k == "also_in")):
                yield from _shown(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _shown(v, key)
    elif isinstance(value, str):
        yield value


def _page_text(html: str) -> str:
    return BeautifulSoup(html, "html.parser").get_text("\n")


def _widget(bot_messages: list[dict[str, Any]]) -> list[str]:
    """What the chat widget shows of bot messages, sent as Rasa's REST channel sends them."""
    raw: list[dict[str, Any]] = []
    for message in bot_messages:
        raw.append({"text": message.get("text", ""), "buttons": message.get("buttons") or []})
        if message.get("custom"):
            raw.append({"custom": message["custom"]})
    reply = merge_reply(raw)
    return [
        part
        for m in reply.messages
        for part in (m["text"], *(b["title"] for b in m["buttons"]), *(v for c in m["citations"] for v in c.values()))
    ]


def _questions(app: Flask) -> list[str]:
    """Questions that reach every seed document: the opening words of its first provisions."""
    questions: list[str] = []
    for doc in ingest_sources(settings_of(app)):
        questions.extend(p.text[:24] for p in doc.provisions[:40:8])
    return questions


def _outputs(app: Flask) -> Iterator[tuple[str, str]]:
    """(path, text a person reads) for every path a citation or document reference takes."""
    client = app.test_client()
    agent: FlaskClient = logged_in(app, AGENT)
    for question in _questions(app):
        answer = client.post("/api/answer", json={"question": question, "context": {}}).get_json()
        yield "/api/answer", "\n".join(_shown(answer))
        yield "bot: answer from /api/answer → widget", "\n".join(_widget(composed_messages(answer, offer=True)))
        found = client.get("/api/search", query_string={"q": question}).get_json()
        yield "/api/search", "\n".join(_shown(found))
        yield "bot: answer from /api/search → widget", "\n".join(_widget(answer_messages(found)))
        yield "/console search", _page_text(agent.get("/console/", query_string={"q": question}).get_data(as_text=True))
    listing = client.get("/api/policies").get_json()
    yield "/api/policies", "\n".join(_shown(listing))
    for policy in listing["policies"]:
        yield "/api/policies/<id>", "\n".join(_shown(client.get(f"/api/policies/{policy['id']}").get_json()))
    for facts in SITUATIONS:
        verdict = client.post("/api/eligibility", json={"facts": facts}).get_json()
        yield "/api/eligibility (reasons, citations)", "\n".join(_shown(verdict))
        yield "bot: eligibility → widget", "\n".join(_widget(eligibility_messages(verdict, LABELS)))
        page = agent.post("/console/eligibility", data=facts).get_data(as_text=True)
        yield "/console/eligibility", _page_text(page)


@pytest.mark.slow
def test_no_internal_document_id_and_no_nested_title_reaches_a_person(app: Flask) -> None:
    cited: set[str] = set()
    problems: list[str] = []
    for path, text in _outputs(app):
        if match := INTERNAL_ID.search(text):
            problems.append(f"{path}：内部文档编号 {match.group()}：…{text[max(0, match.start() - 40) : match.end()]}")
        if match := NESTED.search(text):
            problems.append(f"{path}：书名号嵌套：{text[match.start() : match.end() + 30]}")
        cited.update(re.findall(r"《([^《》]+)》", text))
    assert problems == [], "\n".join(dict.fromkeys(problems))
    # the paths did cite documents, among them the one with no 文号 (by its title, quoted title in 〈〉)
    assert "国务院印发〈“十四五”就业促进规划〉" in cited
    assert "国务院关于做好当前和今后一段时期就业创业工作的意见" in cited


@pytest.mark.slow
def test_the_upload_preview_and_the_admin_show_titles_without_nesting(app: Flask) -> None:
    admin = logged_in(app, MAINTAINER)
    page = upload_page(
        admin,
        "某市转发通知.txt",
        "某市人民政府办公室关于转发《某省就业见习管理办法》的通知\n某政办发〔2025〕11号\n"
        "各县（市、区）人民政府，市政府各部门：\n现将《某省就业见习管理办法》转发给你们，请结合实际认真贯彻执行。\n"
        "某市人民政府办公室\n2025年6月3日\n".encode(),
    )
    assert NESTED.search(_page_text(page)) is None


def test_a_document_is_named_by_title_and_number_never_by_its_id() -> None:
    assert book_title("国务院印发《“十四五”就业促进规划》") == "《国务院印发〈“十四五”就业促进规划〉》"
    assert document_name("国务院印发《“十四五”就业促进规划》", None) == "《国务院印发〈“十四五”就业促进规划〉》"
    assert (
        document_name("聊城市“十三五”促进就业规划", "聊政发〔2017〕71号")
        == "《聊城市“十三五”促进就业规划》聊政发〔2017〕71号"
    )
    assert document_name("", None, "国发〔2017〕28号") == "国发〔2017〕28号"
    assert document_name("", None, "001_56e23e5e4973f7b9") == UNNAMED
    assert document_name("001_56e23e5e4973f7b9", None) == UNNAMED  # a title that fell back to the file name
