"""The conversation evaluation's rules (``tests/evalchat.py``) on made-up replies, and one full run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import evalchat
from tests.evalchat import (
    answers_in_lead,
    asks_question,
    check_button,
    check_floors,
    contains,
    has_form_loop,
    honest_not_in_documents,
    normalise,
    pick_topic,
    says_period_passed,
    split_lead,
)
from tests.stack import MODEL

CITED = "符合条件的可以申领一次性补助。\n\n来源：《某某市促进就业办法》第三条\n详情以当地人社部门为准，可拨打12333。"


def reply(*texts: str, buttons: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    return [{"text": text, "buttons": buttons or []} for text in texts]


def test_normalise_drops_space_punctuation_and_symbols_after_nfkc() -> None:
    assert normalise("  补贴，标准：每人 ５００ 元！\n") == "补贴标准每人500元"
    assert normalise("《办法》“第一条”+¥％") == "办法第一条"
    assert contains("按规定给予 岗位补贴。", "给予岗位补贴")
    assert contains("ＡＢＣ培训", "abc培训".upper())
    assert not contains("按规定给予补贴", "给予岗位补贴")
    assert not contains("任何文字", "，。")  # a fragment that normalises to nothing matches nothing


def test_the_lead_is_the_first_non_empty_message_before_its_source_line() -> None:
    lead, rest = split_lead(reply("", "  ", CITED, "第二条消息"))
    assert lead == "符合条件的可以申领一次性补助。"
    assert rest.startswith("来源")
    for marker in ("依据：第五条", "   依据：第五条", "相关条文：\n· 另一条", "出处：某文件"):
        assert split_lead(reply(f"答案在这里\n{marker}"))[0] == "答案在这里"
    assert split_lead(reply("正文提到来源不限\n第二行")) == ("正文提到来源不限\n第二行", "")
    assert split_lead([]) == ("", "")
    assert answers_in_lead(reply(CITED), ["申领一次性补助"])
    assert not answers_in_lead(reply(CITED), ["某某市促进就业办法"])  # only in the source line
    assert not answers_in_lead(reply("别的话", CITED), ["申领一次性补助"])  # only in a later message


def test_not_in_documents_needs_routing_and_plain_words_or_no_provision() -> None:
    plain = "文件里没有写明具体金额。建议拨打12333咨询。"
    assert honest_not_in_documents(reply(plain))
    assert honest_not_in_documents(reply("这个问题不在我掌握的政策文件范围里。", "可以转人工。"))
    assert honest_not_in_documents(reply("这个我答不上来，请到当地经办机构窗口问问。"))  # no provision quoted
    assert not honest_not_in_documents(reply("文件没有明确规定。"))  # does not route the citizen
    assert not honest_not_in_documents(reply(CITED))  # a provision presented as the answer
    assert not honest_not_in_documents(reply("按《某某办法》执行，可拨打12333。"))  # quotes a document in the lead
    assert honest_not_in_documents(reply(CITED.replace("符合条件的", "文件未明确金额，符合条件的")))


def test_the_date_rule_wants_words_that_the_period_has_passed() -> None:
    assert says_period_passed(reply("该规划的实施期已经结束，现行做法请问12333。"))
    assert says_period_passed(reply("开头", "这个期限早 已 过 了"))
    assert says_period_passed(reply("那份文件已到期。"))
    assert not says_period_passed(reply("规划期为五年，到期前有效。"))
    assert not says_period_passed(reply("目前仍在执行。"))


def test_the_persona_driver_picks_a_topic_by_keywords() -> None:
    assert pick_topic("您在哪个城市？") == "region"
    assert pick_topic("您是哪年毕业的？") == "graduation"
    assert pick_topic("您现在有工作吗？") == "employment"
    assert pick_topic("您属于哪类人员？") == "groups"
    assert pick_topic("交过社保吗？") == "insurance"
    assert pick_topic("拿到证书了吗？") == "certificate"
    assert pick_topic("签合同了吗？") == "contract"
    assert pick_topic("家里是低保户吗？") == "poor"
    assert pick_topic("您开的是个体店吗？") == "business"
    assert pick_topic("您今年多少岁？") == "age"
    assert pick_topic("您喜欢什么颜色？") is None
    assert asks_question(reply("答案", "还想了解什么？"))
    assert not asks_question(reply("请问？", "好的，已记录。"))  # only the last message counts
    assert not asks_question([])
    offered = reply(
        "结果", buttons=[{"title": "转人工", "payload": "/human"}, {"title": "看看我能申请啥", "payload": "/go"}]
    )
    assert check_button(offered) == "/go"
    assert check_button(reply("结果", buttons=[{"title": "转人工", "payload": "/human"}])) is None


def test_a_form_loop_is_the_same_question_three_replies_in_a_row() -> None:
    asked = reply("请问您在哪个城市？")
    other = reply("您多大年纪？")
    assert has_form_loop([asked, asked, asked])
    answer = {"text": "政策文件里是这样写的：……"}
    assert has_form_loop([[answer, answer, {"text": "这个问题先跳过"}, answer]])  # one turn, the same answer thrice
    assert has_form_loop([other, asked, asked, asked, other])
    assert not has_form_loop([asked, asked, other, asked])
    assert not has_form_loop([reply("好的。"), reply("好的。"), reply("好的。")])  # not a question
    assert not has_form_loop([asked, [], asked, asked])


def test_floors_and_ceilings() -> None:
    figures = {"first_answer": 0.5, "form_loops": 2, "latency_p95_ms": 900}
    assert check_floors(figures, {"_note": "x", "first_answer": 0.5, "form_loops": 2, "personas": 0.9}) == []
    problems = check_floors(figures, {"first_answer": 0.6, "form_loops": 1, "latency_p95_ms": 800, "typo": 1})
    assert len(problems) == 4 and any("typo" in p for p in problems)


def test_a_missing_default_set_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "citizen_questions.jsonl").write_text('{"id": "a", "question": "问", "answers": ["答"]}\n')
    assert list(evalchat.load_sets(tmp_path, list(evalchat.SETS))) == ["questions"]  # another folder: what exists
    monkeypatch.setattr(evalchat, "DEFAULT_SETS", tmp_path)
    with pytest.raises(evalchat.EvalError, match=r"not_in_documents\.jsonl"):
        evalchat.load_sets(tmp_path, list(evalchat.SETS))


@pytest.mark.integration
def test_the_whole_evaluation_meets_its_floors(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The trained model and every citizen set must be there: this fails (never skips) when one is missing."""
    assert MODEL.exists(), f"{MODEL} is missing: run `make train`"
    for name in evalchat.SETS.values():
        assert (evalchat.DEFAULT_SETS / name).exists(), f"{evalchat.DEFAULT_SETS / name} is missing"
    stack = request.getfixturevalue("live_stack")
    out = tmp_path / "evalchat.json"
    code = evalchat.main(["--url", stack.url, "--out", str(out)])
    assert code == 0, json.loads(out.read_text(encoding="utf-8"))["problems"]
