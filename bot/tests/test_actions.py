"""Actions against the real running web app API, with tracker fixtures and CollectingDispatcher."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionCheckEligibility, ActionTriageRequest
from actions.answers import NOT_AN_ANSWER, ActionAnswerQuestion, ActionSmallTalk
from actions.api import UNAVAILABLE
from actions.budgets import SKIPPED
from actions.conversation import FACT_SLOTS, conversation_context, facts_of, stated_facts, with_stated_facts
from actions.form_facts import FARMING
from actions.form_groups import NO_GROUP
from actions.forms import ValidateEligibilityForm
from actions.handoff import ActionHumanHandoff
from actions.messages import HUMAN, OFFER
from tests.conftest import BOT, make_tracker


def test_answer_cites_the_source(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(
        dispatcher, make_tracker("我是送外卖的，能按灵活就业交社保吗", intent="ask_flexible_insurance"), {}
    )
    text = dispatcher.messages[0]["text"]
    assert "灵活就业" in text and "来源：《" in text and "12333" in text
    assert dispatcher.messages[0]["custom"]["citations"]


def test_an_answer_leads_with_a_provision_that_applies_where_the_citizen_is(api_url: str) -> None:
    """A rider in 银川: the 广东 provision ranks high for the words, but the answer is a national or 宁夏 one."""
    dispatcher = CollectingDispatcher()
    question = "我在银川送外卖 没签劳动合同 能自己交养老保险吗"
    ActionAnswerQuestion().run(dispatcher, make_tracker(question, intent="ask_flexible_insurance"), {})
    text = dispatcher.messages[0]["text"]
    source = text.split("来源：")[1].split("\n")[0]
    assert "适用地区 全国" in source or "适用地区 宁夏" in source, source
    assert "广东" not in text.split("来源：")[0]
    # another region's provision, where listed, is marked as such
    for line in text.split("相关条文：")[-1].splitlines():
        if "广东" in line:
            assert line.startswith("· （广东的政策，仅供参考）"), line


def test_a_question_remembers_the_facts_it_states(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    events = ActionAnswerQuestion().run(
        dispatcher, make_tracker("毕业一年了还没找到工作，在深圳有什么补贴", intent="ask_graduate_subsidy"), {}
    )
    facts = {e["name"]: e["value"] for e in events}
    assert facts["region"] in ("深圳", "广东") and facts["employment_status"] == "unemployed"
    assert facts["years_since_graduation"] == 1
    assert dispatcher.messages[0]["custom"]["citations"], "the question is still answered"


def test_an_answer_to_another_question_is_not_called_unclear(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    result = form.validate_groups("银川", dispatcher, make_tracker("银川", requested_slot="groups"), {})
    assert result == {"groups": None, "retried_facts": ["groups"]} and dispatcher.messages == []
    again = form.validate_groups(
        "银川", dispatcher, make_tracker("银川", requested_slot="groups", slots={"retried_facts": ["groups"]}), {}
    )
    assert again["skipped_facts"] == ["groups"], "the same question is never asked a third time"
    unclear = CollectingDispatcher()
    form.validate_groups("啊啊啊", unclear, make_tracker("啊啊啊", requested_slot="groups"), {})
    assert "没听明白" in unclear.messages[0]["text"]


def test_a_fact_heard_in_passing_keeps_its_earlier_value_and_nothing_is_said_about_it() -> None:
    """ "在家种地带娃 没出去打工" answers 就业状态: the 打工 the NLU hears there must neither erase the groups
    given before ("就是农村妇女") nor bring the groups question back with "没听明白您的身份"."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    text = "在家种地带娃 没出去打工"
    events = [
        {"event": "slot", "name": "groups", "value": ["woman"]},
        {"event": "user", "text": text},
        {"event": "slot", "name": "groups", "value": "打工"},
    ]
    tracker = make_tracker(text, requested_slot="employment_status", events=events)
    assert form.validate_groups("打工", dispatcher, tracker, {}) == {"groups": ["woman"]}
    assert dispatcher.messages == [], "no hint about a question that was not asked"
    # raw text a slot mapping left before the form started is no answer: cleared, so the form asks it
    raw = [{"event": "slot", "name": "groups", "value": ["散工"]}, {"event": "user", "text": "/check_eligibility"}]
    starting = make_tracker("/check_eligibility", events=raw)
    assert form.validate_groups(["散工"], dispatcher, starting, {}) == {"groups": None}
    # the question that was asked still gets its one retry with a hint
    asked = make_tracker("嗯嗯嗯", requested_slot="employment_status")
    result = form.validate_employment_status("嗯嗯嗯", dispatcher, asked, {})
    assert result["employment_status"] is None and result["retried_facts"] == ["employment_status"]
    assert dispatcher.messages and "没有工作" in dispatcher.messages[0]["text"]


def test_raw_text_left_in_a_fact_before_the_form_started_is_cleared_so_it_is_asked() -> None:
    """ "出去打工人家嫌岁数大" opened the conversation: a slot mapping left "打工" in 身份, and the form took it as
    answered and gave results without asking anything."""
    form = ValidateEligibilityForm()
    tracker = make_tracker(
        "/check_eligibility", slots={"groups": ["打工"], "region": "聊城"}, intent="check_eligibility"
    )
    events = asyncio.run(form.get_extraction_events(CollectingDispatcher(), tracker, {}))
    assert SlotSet("groups", None) in events
    assert SlotSet("region", None) not in events, "a canonical value stays"
    mixed = make_tracker(
        "/check_eligibility", slots={"groups": ["打工人", "migrant_worker"]}, intent="check_eligibility"
    )
    assert SlotSet("groups", ["migrant_worker"]) in asyncio.run(
        form.get_extraction_events(CollectingDispatcher(), mixed, {})
    )


def test_working_ones_own_land_answers_the_status_question_without_a_retry() -> None:
    """ "我喺屋企耕田 老公打散工" to 就业状态 got "请问您现在是没有工作、在上班…" twice: farming is none of the
    three statuses. It is said back, the status is left unknown and never asked again, and an asker whose
    groups are known is counted as living in the countryside."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    text = "我喺屋企耕田 老公打散工"
    earlier = [{"event": "slot", "name": "groups", "value": ["poor_household"]}, {"event": "user", "text": text}]
    tracker = make_tracker(text, requested_slot="employment_status", events=earlier)
    result = form.validate_employment_status(None, dispatcher, tracker, {})
    assert result["employment_status"] is None and result["skipped_facts"] == ["employment_status"]
    assert result["groups"] == ["poor_household", "rural_resident"]
    assert [m["text"] for m in dispatcher.messages] == [FARMING]
    # the husband's 打散工, heard by the NLU as a group, is not the asker's
    nlu = [{"entity": "group", "value": "flexible_worker", "start": 9, "end": 12}]
    passing = make_tracker(text, requested_slot="employment_status", events=earlier, entities=nlu)
    heard = form.validate_groups(["poor_household", "flexible_worker"], CollectingDispatcher(), passing, {})
    assert "flexible_worker" not in (heard.get("groups") or []) + (heard.get("heard_groups") or [])
    assert "poor_household" in (heard.get("groups") or []) + (heard.get("heard_groups") or [])
    # groups not asked yet stay unasked-for: the form still asks them
    fresh = form.validate_employment_status(
        None, CollectingDispatcher(), make_tracker("在家种地", requested_slot="employment_status"), {}
    )
    assert "groups" not in fresh and fresh["skipped_facts"] == ["employment_status"]
    # a wish to farm is not farming, and a mother at home is not working
    wish = CollectingDispatcher()
    wanted = form.validate_employment_status(
        None, wish, make_tracker("想搞大棚种菜", requested_slot="employment_status"), {}
    )
    assert wanted.get("retried_facts") == ["employment_status"] and FARMING not in str(wish.messages)
    home = make_tracker("在家带孩子", requested_slot="employment_status")
    assert form.validate_employment_status(None, CollectingDispatcher(), home, {}) == {
        "employment_status": "unemployed"
    }


def test_an_answer_the_nlu_took_for_a_goodbye_is_read_as_an_answer_not_asked_for_ever() -> None:
    """ "东莞南城 屋企就喺度" to 是否在基层工作 was read as goodbye: no slot mapping took it, and the form asked
    the same question nine times. It is now validated as the answer (a hint, then a skip); a real goodbye
    is left to the rules."""
    form = ValidateEligibilityForm()
    text = "东莞南城 屋企就喺度"
    misheard = make_tracker(text, intent="goodbye", requested_slot="grassroots_job")
    events = asyncio.run(form.get_extraction_events(CollectingDispatcher(), misheard, {}))
    assert SlotSet("grassroots_job", text) in events
    hinted = CollectingDispatcher()
    result = form.validate_grassroots_job(text, hinted, misheard, {})
    assert result.get("grassroots_job") is None and "东莞不属于中西部地区" in hinted.messages[0]["text"]
    bye = make_tracker("好的谢谢 再见", intent="goodbye", requested_slot="grassroots_job")
    events = asyncio.run(form.get_extraction_events(CollectingDispatcher(), bye, {}))
    assert not any(e.get("name") == "grassroots_job" for e in events)


def test_a_group_denied_in_the_answer_to_the_groups_question_is_not_the_askers() -> None:
    """ "…唔系应届生" to 您属于下面哪类人员: the NLU hears 应届生 as 高校毕业生, and graduates' policies were
    listed for a cook. The text reading knows it is denied; a button's choice is kept as it is."""
    form = ValidateEligibilityForm()
    nlu = [{"entity": "group", "value": "graduate", "start": 8, "end": 11}]
    typed = make_tracker("做咗八年厨师 唔系应届生", requested_slot="groups", entities=nlu)
    result = form.validate_groups(["graduate"], CollectingDispatcher(), typed, {})
    assert "graduate" not in (result.get("groups") or [])
    button = make_tracker('/inform{"groups": ["graduate"]}', requested_slot="groups", entities=nlu)
    assert form.validate_groups(["graduate"], CollectingDispatcher(), button, {})["groups"] == ["graduate"]


def test_groups_heard_before_the_form_are_still_asked_once_for_others(api_url: str) -> None:
    """ "今年啱啱大专毕业…屋企喺乡下好穷": 高校毕业生 was heard in the opening, so the groups question was never
    asked and the 建档立卡 family (求职创业补贴) never came up. The heard groups are held aside, stand as the
    asker's meanwhile, the question is asked first, saying them back, and the answer adds to them."""
    from actions.ask_actions import ASK_ACTIONS

    form = ValidateEligibilityForm()
    # the form starts: Rasa validates the groups filled before it (the opening question's)
    start = make_tracker(
        "/check_eligibility", slots={"groups": ["graduate"], "region": "广州"}, intent="check_eligibility"
    )
    opening = form.validate_groups(["graduate"], CollectingDispatcher(), start, {})
    assert opening == {"groups": None, "heard_groups": ["graduate"]}
    held = {"groups": None, "heard_groups": ["graduate"], "region": "广州"}
    assert facts_of(make_tracker("x", slots=held))["groups"] == ["graduate"], "they stand meanwhile"
    assert (
        asyncio.run(form.required_slots([], CollectingDispatcher(), make_tracker("x", slots=held), {}))[0] == "groups"
    )
    ask = next(a for a in ASK_ACTIONS if a().name() == "action_ask_groups")()
    asking = CollectingDispatcher()
    ask.run(asking, make_tracker("x", slots=held), {})
    assert "高校毕业生" in asking.messages[0]["text"] and "还属于" in asking.messages[-1]["text"]
    assert "毕业" not in asking.messages[-1]["text"], "the question itself is about groups alone"
    titles = [b["title"] for b in asking.messages[-1]["buttons"]]
    assert "没有了" in titles and "高校毕业生" not in titles
    # the answer adds to them; "没有了" or "跳过" keeps them
    answer = make_tracker("屋企系建档立卡户", slots=held, requested_slot="groups")
    added = form.validate_groups("屋企系建档立卡户", CollectingDispatcher(), answer, {})
    assert added == {"groups": ["graduate", "poor_household"]}
    for text in ("没有了", "跳过"):
        done = form.validate_groups(
            text, CollectingDispatcher(), make_tracker(text, slots=held, requested_slot="groups"), {}
        )
        assert done == {"groups": ["graduate"]}, text
    # asked once only: after the question, a group said in passing adds to the answer, not held aside again
    asked = [
        {"event": "slot", "name": "requested_slot", "value": "groups"},
        {"event": "slot", "name": "groups", "value": ["graduate"]},
        {"event": "user", "text": "我是女的"},
    ]
    later = make_tracker("我是女的", slots={"requested_slot": "employment_status"}, events=asked)
    assert form.validate_groups(["woman"], CollectingDispatcher(), later, {}) == {"groups": ["graduate", "woman"]}


def test_a_rural_or_hard_up_asker_is_asked_whether_the_family_is_a_poor_one(api_url: str) -> None:
    """A graduate who said "屋企喺乡下好穷" was never asked about 建档立卡, so 求职创业补贴 never came up:
    the form asks it once groups are answered, and the answer joins the groups."""
    form = ValidateEligibilityForm()
    asked = [{"event": "slot", "name": "requested_slot", "value": "groups"}]
    hard_up = [{"event": "user", "text": "大专毕业 屋企喺乡下好穷 有冇补帖"}, *asked]
    graduate = {"groups": ["graduate"], "region": "广州"}
    tracker = make_tracker("没有了", slots=graduate, events=hard_up)
    assert "poverty" in asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, {}))
    calm = make_tracker("没有了", slots=graduate, events=[{"event": "user", "text": "大专毕业 有冇补帖"}, *asked])
    assert "poverty" not in asyncio.run(form.required_slots([], CollectingDispatcher(), calm, {}))
    rural = make_tracker("x", slots={"groups": ["rural_resident"]}, events=asked)
    assert "poverty" in asyncio.run(form.required_slots([], CollectingDispatcher(), rural, {}))
    poor = make_tracker("x", slots={"groups": ["rural_resident", "low_income"]}, events=asked)
    assert "poverty" not in asyncio.run(form.required_slots([], CollectingDispatcher(), poor, {}))
    # the answers
    for text, groups in (
        ("系建档立卡户 有本簿嘅", ["graduate", "poor_household"]),
        ("吃着低保", ["graduate", "low_income"]),
    ):
        answer = make_tracker(text, slots=graduate, requested_slot="poverty")
        assert form.validate_poverty(text, CollectingDispatcher(), answer, {}) == {"poverty": True, "groups": groups}
    no = make_tracker("不是", slots=graduate, requested_slot="poverty", intent="deny")
    assert form.validate_poverty("不是", CollectingDispatcher(), no, {}) == {"poverty": False}
    unsure = make_tracker("不清楚", slots=graduate, requested_slot="poverty", intent="dont_know")
    assert form.validate_poverty("不清楚", CollectingDispatcher(), unsure, {})["skipped_facts"] == ["poverty"]
    # a skipped poverty question is the form's own: the results still come (the API knows no such fact)
    results = CollectingDispatcher()
    ActionCheckEligibility().run(results, make_tracker("好了", slots={**graduate, "skipped_facts": ["poverty"]}), {})
    assert "根据您提供的情况" in results.messages[0]["text"], results.messages[0]["text"]
    skipped = {**graduate, "skipped_facts": ["poverty"], "retried_facts": []}
    assert asyncio.run(form.required_slots([], CollectingDispatcher(), make_tracker("x", slots=skipped), {})) != []


def test_none_of_the_groups_is_an_answer_and_a_fact() -> None:
    """ "普通后生仔 冇乜身份" to 身份: no "没听明白", no retry, and the check knows no group applies."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    text = "普通后生仔 冇乜身份"
    result = form.validate_groups(text, dispatcher, make_tracker(text, requested_slot="groups"), {})
    assert result == {"groups": []} and dispatcher.messages[0]["text"] == NO_GROUP
    assert facts_of(make_tracker("", slots={"groups": []}))["groups"] == []
    # groups said earlier stand
    earlier = [{"event": "slot", "name": "groups", "value": ["woman"]}, {"event": "user", "text": "都不是"}]
    kept = form.validate_groups(
        "都不是", CollectingDispatcher(), make_tracker("都不是", requested_slot="groups", events=earlier), {}
    )
    assert kept == {"groups": ["woman"]}


def test_an_age_given_for_the_years_to_retirement_is_asked_again() -> None:
    form = ValidateEligibilityForm()
    for reply in ("55", "今年五十五岁了"):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(reply, requested_slot="years_to_retirement")
        result = form.validate_years_to_retirement(reply, dispatcher, tracker, {})
        assert result["years_to_retirement"] is None and result["retried_facts"] == ["years_to_retirement"], reply
        assert "不是年龄" in dispatcher.messages[0]["text"]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("还有五年", requested_slot="years_to_retirement")
    assert form.validate_years_to_retirement("还有五年", dispatcher, tracker, {}) == {"years_to_retirement": 5}


def test_unanswerable_question_offers_a_human(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, make_tracker("北京的公积金贷款利率是多少", intent="ask_policy"), {})
    message = dispatcher.messages[0]
    lead = message["text"].split("来源：")[0]
    assert "没有写明" in lead and ("12329" in lead or "12333" in lead), "says plainly it is not stated, and routes"
    assert any(b["payload"] == "/request_human" for b in message["buttons"])


def test_api_down_gives_a_friendly_message_quickly(api_url: str) -> None:
    saved = os.environ["POLICYBOT_API_URL"]
    os.environ["POLICYBOT_API_URL"] = "http://127.0.0.1:9"
    try:
        dispatcher = CollectingDispatcher()
        started = time.monotonic()
        ActionAnswerQuestion().run(dispatcher, make_tracker("创业担保贷款", intent="ask_startup_loan"), {})
        assert time.monotonic() - started < 5
        assert dispatcher.messages[0]["text"] == UNAVAILABLE
    finally:
        os.environ["POLICYBOT_API_URL"] = saved


def test_eligibility_lists_what_fits_with_reasons(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"region": "深圳", "groups": ["graduate"], "employment_status": "unemployed", "years_since_graduation": 1.0}
    ActionCheckEligibility().run(dispatcher, make_tracker("好了", slots=slots), {})
    first = dispatcher.messages[0]["text"]
    assert "就业见习补贴" in first and "理由" in first and "粤府〔2017〕101号" in first
    # where to apply is said once, under the policies shown
    assert first.count("怎么申请：") == 1 and "12333" in first.split("怎么申请：")[1]


def test_a_veteran_is_told_where_to_apply(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    slots = {"region": "中卫", "groups": ["veteran"], "employment_status": "unemployed", "business_first_time": True}
    ActionCheckEligibility().run(dispatcher, make_tracker("好了", slots=slots), {})
    assert "退役军人服务中心" in dispatcher.messages[0]["text"].split("怎么申请：")[1]


def test_eligible_policies_past_the_first_four_are_named(api_url: str) -> None:
    """A returning migrant worker founding a business fits more than four policies: the ones not shown in
    full are named, so the citizen can ask about them (before, only "另有 N 项" was said)."""
    dispatcher = CollectingDispatcher()
    slots = {
        "region": "聊城",
        "groups": ["migrant_worker", "rural_resident"],
        "employment_status": "unemployed",
        "business_first_time": True,
    }
    ActionCheckEligibility().run(dispatcher, make_tracker("好了", slots=slots), {})
    first = dispatcher.messages[0]["text"]
    shown = first.count("✅")
    assert shown == 4, first
    rest = first.split("另外您可能还符合：")[1].split("。")[0]
    names = rest.split("等 ")[0].split("、")
    assert len(names) >= 2 and all(name and name not in first.split("另外")[0] for name in names), rest


def test_form_asks_what_decides_most_and_stops_when_settled(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    first = asyncio.run(form.required_slots([], dispatcher, make_tracker("我能申请什么"), {}))
    assert first in (["groups"], ["region"])
    skipped = {"skipped_facts": list(FACT_SLOTS)}
    assert asyncio.run(form.required_slots([], dispatcher, make_tracker("x", slots=skipped), {})) == []


def test_after_results_the_user_can_ask_to_be_asked_more(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    seven = {
        "region": "深圳",
        "groups": ["graduate"],
        "employment_status": "unemployed",
        "years_since_graduation": 1.0,
        "business_first_time": True,
        "grassroots_job": False,
        "enlisting": False,
    }
    assert asyncio.run(form.required_slots([], dispatcher, make_tracker("x", slots=seven), {})) == []
    shown = [{"event": "action", "name": "action_check_eligibility"}]
    more = asyncio.run(form.required_slots([], dispatcher, make_tracker("继续补充情况", slots=seven, events=shown), {}))
    assert len(more) == 1 and more[0] not in seven, "pressing 继续补充情况 asks a further question"


def test_natural_answers_fill_the_facts(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("去年刚毕业", requested_slot="years_since_graduation")
    assert form.validate_years_since_graduation("去年刚毕业", dispatcher, tracker, {}) == {
        "years_since_graduation": 1.0
    }
    tracker = make_tracker("我在深圳", requested_slot="region")
    assert form.validate_region("我在深圳", dispatcher, tracker, {}) == {"region": "深圳"}
    tracker = make_tracker("我是退伍的", requested_slot="groups")
    assert form.validate_groups("我是退伍的", dispatcher, tracker, {}) == {"groups": ["veteran"]}


def test_a_negated_job_is_not_read_as_having_one(api_url: str) -> None:
    """ "家里没人在上班" names 上班 but says nobody works: never recorded as 在职."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    text = "我们家里没人在上班"
    other = make_tracker(text, requested_slot="groups")
    assert form.validate_employment_status("employed", dispatcher, other, {}) == {"employment_status": None}
    # nothing learnt, and nothing lost: an answer given before stands
    before = [
        {"event": "slot", "name": "employment_status", "value": "self_employed"},
        {"event": "user", "text": text},
        {"event": "slot", "name": "employment_status", "value": "employed"},
    ]
    kept = make_tracker(text, requested_slot="groups", events=before)
    assert form.validate_employment_status("employed", dispatcher, kept, {}) == {"employment_status": "self_employed"}
    asked = make_tracker(text, requested_slot="employment_status")
    assert form.validate_employment_status("employed", dispatcher, asked, {}) == {"employment_status": "unemployed"}
    assert "employment_status" not in stated_facts("俺们两口子都不上班了 想问问有啥政策")
    assert stated_facts("我在厂里上班")["employment_status"] == "employed"


def test_groups_heard_later_add_to_the_earlier_ones(api_url: str) -> None:
    """The opening said 湖南过来的 (migrant); "在厂里上班" said later adds 企业职工 and loses nothing."""
    form = ValidateEligibilityForm()
    events = [
        {"event": "slot", "name": "groups", "value": ["enterprise_employee", "migrant_worker"]},
        {"event": "user", "text": "还在厂里上班"},
        {"event": "slot", "name": "groups", "value": ["enterprise_employee"]},
    ]
    tracker = make_tracker("还在厂里上班", requested_slot="employment_status", events=events)
    result = form.validate_groups(["enterprise_employee"], CollectingDispatcher(), tracker, {})
    # the groups question was not asked yet: they are held for it (and stand meanwhile)
    assert result == {"groups": None, "heard_groups": ["enterprise_employee", "migrant_worker"]}
    asked = [{"event": "slot", "name": "requested_slot", "value": "groups"}, *events]
    tracker = make_tracker("还在厂里上班", requested_slot="employment_status", events=asked)
    assert form.validate_groups(["enterprise_employee"], CollectingDispatcher(), tracker, {}) == {
        "groups": ["enterprise_employee", "migrant_worker"]
    }


def test_a_denied_business_said_to_another_question_keeps_the_earlier_answer(api_url: str) -> None:
    """ "不想做生意" said to "第一次创业吗" names 做生意; the extractor's self_employed must not replace 在职."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    earlier = [
        {"event": "slot", "name": "employment_status", "value": "employed"},
        {"event": "user", "text": "不想做生意"},
        # what the extractor took from this message comes after it
        {"event": "slot", "name": "employment_status", "value": "self_employed"},
    ]
    tracker = make_tracker("不想做生意", requested_slot="business_first_time", events=earlier)
    assert form.validate_employment_status("self_employed", dispatcher, tracker, {}) == {
        "employment_status": "employed"
    }
    # said to the employment question itself it answers nothing: asked once more
    asked = make_tracker("不想做生意", requested_slot="employment_status")
    assert form.validate_employment_status("self_employed", dispatcher, asked, {}).get("employment_status") is None
    # a business that is stated is taken
    stated = make_tracker("我自己开店做生意", requested_slot="business_first_time", events=earlier)
    assert form.validate_employment_status("self_employed", dispatcher, stated, {}) == {
        "employment_status": "self_employed"
    }


def test_a_word_taken_for_a_place_in_another_answer_asks_nothing_and_keeps_the_known_place(api_url: str) -> None:
    """Answering 身份 with "从大山沟里迁出来的", whose 大山沟 the NLU may tag as a place: no "没听明白是哪个地方",
    no question about the place, and the place said before stays."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    text = "从大山沟里迁出来的"
    before = [
        {"event": "slot", "name": "region", "value": "银川"},
        {"event": "slot", "name": "region", "value": "大山沟"},
    ]
    tracker = make_tracker(text, requested_slot="groups", events=before)
    assert form.validate_region("大山沟", dispatcher, tracker, {}) == {"region": "银川"}
    assert dispatcher.messages == []
    asked = make_tracker("大山沟", requested_slot="region")
    form.validate_region("大山沟", dispatcher, asked, {})
    assert any("没听明白是哪个地方" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_place_answers_the_central_western_question(api_url: str) -> None:
    """ "在四川绵阳" answers 是否在中西部地区工作; an eastern place is asked once more, saying why."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    west = make_tracker("在四川绵阳", requested_slot="grassroots_job")
    assert form.validate_grassroots_job("在四川绵阳", dispatcher, west, {}) == {"grassroots_job": True}
    east = make_tracker("在江苏", requested_slot="grassroots_job")
    result = form.validate_grassroots_job("在江苏", dispatcher, east, {})
    assert result["grassroots_job"] is None
    assert any("不属于中西部地区" in (m.get("text") or "") for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "starts"), [("好的", True), ("行 帮我看看吧", True), ("那吴忠呢", False), ("好 那贷款呢", False)]
)
def test_a_yes_to_the_offer_starts_the_check_but_a_follow_up_read_as_yes_is_answered(text: str, starts: bool) -> None:
    """After "要我帮您看看…吗？" a yes starts the check; "那吴忠呢", which the NLU may read as a yes, does not."""
    events = ActionTriageRequest().run(CollectingDispatcher(), make_tracker(text, intent="affirm"), {})
    assert events == [SlotSet("wants_check", starts)]


def test_bad_answers_are_asked_again_and_skips_are_respected(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("啥意思", requested_slot="years_since_graduation")
    assert form.validate_years_since_graduation("啥意思", dispatcher, tracker, {}) == {
        "years_since_graduation": None,
        "retried_facts": ["years_since_graduation"],
    }
    assert "毕业" in dispatcher.messages[-1]["text"]
    tracker = make_tracker("不知道", requested_slot="region")
    assert form.validate_region("不知道", dispatcher, tracker, {}) == {"region": None, "skipped_facts": ["region"]}


def test_raw_text_in_a_slot_is_validated_not_sent(api_url: str) -> None:
    """An answer like "我在深圳" to the groups question is re-asked, never passed on as a group."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("我在深圳", requested_slot="groups", slots={"groups": "我在深圳", "region": "深圳"})
    tracker.events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "我在深圳"},
        {"event": "slot", "name": "groups", "value": "我在深圳"},
        {"event": "slot", "name": "region", "value": "深圳"},
    ]
    events = asyncio.run(form.get_validation_events(dispatcher, tracker, {"slots": {}, "forms": {}}))
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert values.get("groups") is None and values.get("region") == "深圳"
    # The region was understood, so the user is not told they were unclear; the form asks groups again.
    assert not any("没听明白" in (m.get("text") or "") for m in dispatcher.messages)


def test_a_message_fills_every_fact_it_states(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("我在深圳 去年刚毕业 还没找到工作", requested_slot="groups")
    events = asyncio.run(form.get_extraction_events(dispatcher, tracker, {"slots": {}, "forms": {}}))
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert values["region"] == "深圳" and values["years_since_graduation"] == 1.0
    assert values["employment_status"] == "unemployed"


# --- a topic question in the middle of the form is answered, and the form resumes -------------------
# "退伍军人创业担保贷款怎么申请" asked while the form waited for another fact was once taken as a form
# answer: its group entity filled a slot, so the form did not reject the message and the question was
# never answered. Rasa's own slot extraction and the form's validation are both checked here (the test
# stories cannot show it: `rasa test` emulates the form's rejection instead of running the form).

MID_FORM_QUESTION = "退伍军人创业担保贷款怎么申请"


def _rasa_extraction(intent: str) -> list:
    """Run Rasa's action_extract_slots with the real domain on a message sent mid-form."""
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(BOT / "domain.yml"))
    message = UserUttered(
        MID_FORM_QUESTION,
        intent={"name": intent, "confidence": 1.0},
        entities=[{"entity": "group", "value": "veteran", "start": 0, "end": 4}],
    )
    tracker = DialogueStateTracker.from_events(
        "t",
        [
            ActionExecuted("action_listen"),
            ActiveLoop("eligibility_form"),
            SlotSet("requested_slot", "employment_status"),
            ActionExecuted("action_listen"),
            message,
        ],
        slots=domain.slots,
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    events = asyncio.run(ActionExtractSlots(None).run(CollectingOutputChannel(), nlg, tracker, domain))
    return [e.key for e in events if isinstance(e, SlotSet)]


def test_a_mid_form_question_fills_no_slot_so_the_form_lets_it_be_answered() -> None:
    assert _rasa_extraction("ask_startup_loan") == []
    assert "groups" in _rasa_extraction("inform"), "an answer still fills the slots it states"


def test_an_answer_the_nlu_took_for_a_request_is_taken_as_the_answer() -> None:
    """ "还没开始 准备回老家弄个小作坊" answers "是第一次创业吗" even when the NLU reads it as check_eligibility."""
    form = ValidateEligibilityForm()
    tracker = make_tracker(
        "还没开始 准备回老家弄个小作坊", intent="check_eligibility", requested_slot="business_first_time"
    )
    events = asyncio.run(form.get_extraction_events(CollectingDispatcher(), tracker, {"slots": {}, "forms": {}}))
    assert SlotSet("business_first_time", True) in events
    question = make_tracker("创业担保贷款怎么申请啊", intent="ask_startup_loan", requested_slot="business_first_time")
    assert asyncio.run(form.get_extraction_events(CollectingDispatcher(), question, {"slots": {}, "forms": {}})) == []


def test_the_form_takes_nothing_from_a_question(api_url: str) -> None:
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        MID_FORM_QUESTION,
        intent="ask_startup_loan",
        requested_slot="employment_status",
        entities=[{"entity": "group", "value": "veteran"}],
    )
    assert asyncio.run(form.get_extraction_events(dispatcher, tracker, {"slots": {}, "forms": {}})) == []
    # the rule answers it, and remembers the facts it states for the form
    events = ActionAnswerQuestion().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["citations"] and "创业担保贷款" in dispatcher.messages[0]["text"]
    facts = {
        e["name"]: e["value"]
        for e in events
        if e["event"] == "slot"
        and e["name"] not in ("topic", "previous_question", "previous_provision", "retried_facts")
    }
    assert facts == {"groups": ["veteran"]}


def test_a_question_the_nlu_took_for_an_answer_is_answered_not_called_unclear(api_url: str) -> None:
    form = ValidateEligibilityForm()
    for slot, validate in (
        ("business_first_time", form.validate_business_first_time),
        ("employment_status", form.validate_employment_status),
        ("years_since_graduation", form.validate_years_since_graduation),
    ):
        dispatcher = CollectingDispatcher()
        text = "那创业担保贷款去哪申请啊"
        result = validate(text, dispatcher, make_tracker(text, intent="nlu_fallback", requested_slot=slot), {})
        assert result == {slot: None, "retried_facts": [slot]}, "answered, and counted as one reply not understood"
        assert len(dispatcher.messages) == 1 and dispatcher.messages[0]["custom"]["citations"], slot


def test_question_intents_match_the_domain() -> None:
    import yaml

    from actions.forms import QUESTION_INTENTS

    slots = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))["slots"]
    for name in ("region", "groups", "employment_status"):
        mapping = next(m for m in slots[name]["mappings"] if m["type"] == "from_entity")
        assert set(mapping["not_intent"]) == QUESTION_INTENTS, name


def test_any_dont_know_answer_skips_the_fact(api_url: str) -> None:
    """Not only the words of SKIP_WORDS: whatever the NLU reads as dont_know ("没印象了") skips."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("没印象了", intent="dont_know", requested_slot="unemployment_insurance_years")
    result = form.validate_unemployment_insurance_years("没印象了", dispatcher, tracker, {})
    assert result == {"unemployment_insurance_years": None, "skipped_facts": ["unemployment_insurance_years"]}
    assert dispatcher.messages == []


def test_facts_known_before_the_form_are_kept_not_read_again_from_its_first_message(api_url: str) -> None:
    """ "那我能申请哪些政策" started the form after a question had told us 去年毕业: the validator read the
    graduation year from that message, said "请告诉我您哪年毕业", and lost the fact."""
    form = ValidateEligibilityForm()
    dispatcher = CollectingDispatcher()
    known = {
        "region": "深圳",
        "groups": ["graduate"],
        "employment_status": "unemployed",
        "years_since_graduation": 1.0,
        "business_first_time": False,
        "unemployment_insurance_years": 3.0,
    }
    for text in ("那我能申请哪些政策", "我也不知道能申请啥"):
        tracker = make_tracker(text, slots=known, intent="check_eligibility")
        tracker.events = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text},
            *({"event": "slot", "name": n, "value": v} for n, v in known.items()),
        ]
        events = asyncio.run(form.get_validation_events(dispatcher, tracker, {"slots": {}, "forms": {}}))
        # kept, the groups held for the groups question the form still asks once
        held = {**known, "groups": None, "heard_groups": ["graduate"]}
        assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"} == held, text
    assert dispatcher.messages == []


def test_handoff_also_answers_the_question_asked_with_it(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionHumanHandoff().run(
        dispatcher, make_tracker("灵活就业人员怎么交养老保险 能转人工吗", intent="request_human"), {}
    )
    texts = [m["text"] for m in dispatcher.messages]
    assert texts[-1].startswith(HUMAN)
    assert any(b["payload"] == "tel:12333" for b in dispatcher.messages[-1]["buttons"])
    assert len(texts) >= 2 and "养老保险" in texts[0]
    assert any("来源" in t for t in texts[:-1])


def test_a_reply_in_the_form_misheard_as_a_request_for_a_person_counts_against_the_budget(api_url: str) -> None:
    """ "厂里让待岗" to 就业状态 was read as 转人工 and answered as a question with no retry budget: the form asked
    the same question twelve times. It is now a reply not understood: asked once more, then skipped."""
    events = _asked_once_more_then_skipped(ActionHumanHandoff(), "车间让我们歇着等通知", "request_human")
    assert {"event": "slot", "name": "retried_facts", "value": ["employment_status"]} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def _asked_once_more_then_skipped(action: Action, text: str, intent: str) -> list[dict[str, Any]]:
    """Run ``action`` on a reply to the employment question, then on the same reply once more: the first time
    the form is handed back (to ask again), the second time the fact is skipped. Returns the first events."""
    tracker = make_tracker(text, intent=intent, requested_slot="employment_status")
    first = action.run(CollectingDispatcher(), tracker, {})
    assert (first[-1]["event"], first[-1]["name"]) == ("followup", "eligibility_form")
    again = make_tracker(
        text, intent=intent, requested_slot="employment_status", slots={"retried_facts": ["employment_status"]}
    )
    events = action.run(CollectingDispatcher(), again, {})
    assert any(e.get("name") == "skipped_facts" and "employment_status" in e["value"] for e in events)
    return first


def test_handoff_alone_is_only_the_way_to_a_person(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionHumanHandoff().run(dispatcher, make_tracker("帮我转人工 电话多少", intent="request_human"), {})
    texts = [m["text"] for m in dispatcher.messages]
    assert len(texts) == 1 and texts[0].startswith(HUMAN) and "工作日" in texts[0], texts


def test_a_short_follow_up_is_read_against_the_topic(api_url: str) -> None:
    first = CollectingDispatcher()
    events = ActionAnswerQuestion().run(first, make_tracker("创业担保贷款怎么申请", intent="ask_startup_loan"), {})
    topic = next(e["value"] for e in events if e["name"] == "topic")
    follow = CollectingDispatcher()
    ActionAnswerQuestion().run(follow, make_tracker("那宁夏呢", intent="inform", slots={"topic": topic}), {})
    text = follow.messages[0]["text"]
    assert "接着您刚才问的" in text and "创业担保贷款" in text.split("来源：")[0]
    assert "适用地区 宁夏" in text or "适用地区 全国" in text


def test_an_answer_remembers_the_provision_it_led_with_for_the_next_follow_up(api_url: str) -> None:
    first = CollectingDispatcher()
    events = ActionAnswerQuestion().run(first, make_tracker("长期失业的人有什么帮扶", intent="inform"), {})
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["previous_provision"] == first.messages[0]["custom"]["citations"][0]["id"]
    tracker = make_tracker("那广东呢", intent="inform", slots=slots)
    assert conversation_context(tracker)["previous_provision"] == slots["previous_provision"]


def test_an_answer_offers_the_check_instead_of_starting_it(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(
        dispatcher, make_tracker("我是宁夏的农村妇女 想创业 有没有贷款支持", intent="inform"), {}
    )
    assert "妇女创业担保贷款" in dispatcher.messages[0]["text"].split("来源：")[0]
    offer = dispatcher.messages[-1]
    assert "帮您看看" in offer["text"] and offer["buttons"][0]["payload"] == "/check_eligibility"


def test_an_answer_says_when_its_plan_period_has_ended(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, make_tracker("聊城的内部退养政策还有效吗", intent="ask_policy"), {})
    lead = dispatcher.messages[0]["text"].split("来源：")[0]
    assert "已结束" in lead or "已过" in lead, lead


def test_an_answer_not_understood_twice_is_skipped_never_asked_a_third_time(api_url: str) -> None:
    form = ValidateEligibilityForm()
    first = CollectingDispatcher()
    result = form.validate_groups("啊啊啊", first, make_tracker("啊啊啊", requested_slot="groups"), {})
    assert result == {"groups": None, "retried_facts": ["groups"]} and "没听明白" in first.messages[0]["text"]
    second = CollectingDispatcher()
    tracker = make_tracker("嗯嗯嗯", requested_slot="groups", slots={"retried_facts": ["groups"]})
    result = form.validate_groups("嗯嗯嗯", second, tracker, {})
    assert result["skipped_facts"] == ["groups"] and result["groups"] is None
    assert "跳过" in second.messages[0]["text"]


def test_a_question_the_nlu_took_for_a_handoff_request_is_answered(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionHumanHandoff().run(dispatcher, make_tracker("厂里要搬走了 我还能学点啥新手艺", intent="request_human"), {})
    assert "来源：" in dispatcher.messages[0]["text"] and not dispatcher.messages[0]["text"].startswith(HUMAN)


def test_the_check_is_offered_once_per_conversation(api_url: str) -> None:
    first = CollectingDispatcher()
    ActionAnswerQuestion().run(first, make_tracker("送外卖的能交养老保险吗", intent="ask_flexible_insurance"), {})
    assert first.messages[-1]["text"] == OFFER
    later = CollectingDispatcher()
    offered = [{"event": "bot", "text": OFFER}]
    ActionAnswerQuestion().run(
        later, make_tracker("新就业形态劳动者能参加养老保险吗", intent="ask_flexible_insurance", events=offered), {}
    )
    assert all(m["text"] != OFFER for m in later.messages)
    assert any(b["payload"] == "/check_eligibility" for b in later.messages[0]["buttons"]), "still one tap away"


def test_small_talk_that_is_really_a_question_is_answered(api_url: str) -> None:
    asked = CollectingDispatcher()
    ActionSmallTalk().run(
        asked, make_tracker("宁夏现在的就业形势怎么样 是不是比以前好找工作了", intent="bot_challenge"), {}
    )
    assert "来源：" in asked.messages[0]["text"] or "政策文件" in asked.messages[0]["text"]
    robot = CollectingDispatcher()
    ActionSmallTalk().run(robot, make_tracker("你是机器人吗", intent="bot_challenge"), {})
    assert robot.messages[0]["response"] == "utter_iamabot"


def test_a_question_the_nlu_took_for_a_greeting_or_goodbye_is_answered(api_url: str) -> None:
    for text, intent in (("那要去办个啥证明", "goodbye"), ("孩子想去外省打工 有人带么", "greet")):
        asked = CollectingDispatcher()
        ActionSmallTalk().run(asked, make_tracker(text, intent=intent), {})
        assert asked.messages and asked.messages[0].get("response") is None, (text, asked.messages)
        assert "12333" in asked.messages[0]["text"] or "政策文件" in asked.messages[0]["text"], asked.messages
    for text, intent, response in (("你好", "greet", "utter_greet"), ("好的谢谢 再见", "goodbye", "utter_goodbye")):
        polite = CollectingDispatcher()
        ActionSmallTalk().run(polite, make_tracker(text, intent=intent), {})
        assert [m.get("response") for m in polite.messages] == [response], text


def test_a_reply_answered_as_a_question_twice_in_the_form_skips_the_fact(api_url: str) -> None:
    """The form never asks the same question a third time, even when each reply reads as a question."""
    first = CollectingDispatcher()
    tracker = make_tracker("打短工的能交养老保险吗", intent="ask_policy", requested_slot="employment_status")
    events = ActionAnswerQuestion().run(first, tracker, {})
    assert {"event": "slot", "name": "retried_facts", "value": ["employment_status"]} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    second = CollectingDispatcher()
    tracker = make_tracker(
        "那打短工的能领失业金吗",
        intent="ask_policy",
        requested_slot="employment_status",
        slots={"retried_facts": ["employment_status"]},
    )
    events = ActionAnswerQuestion().run(second, tracker, {})
    skipped = [e for e in events if e.get("name") == "skipped_facts"]
    assert skipped and skipped[-1]["value"] == ["employment_status"]
    assert any("跳过" in (m.get("text") or "") for m in second.messages)


def test_an_answer_in_the_middle_of_the_form_hands_back_to_the_form(api_url: str) -> None:
    """A reply the form rejects is answered once, then the form goes on (never the answer ten times over)."""
    tracker = make_tracker("还没开始 想回老家酿酒卖", intent="check_eligibility", requested_slot="business_first_time")
    events = ActionAnswerQuestion().run(CollectingDispatcher(), tracker, {})
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "eligibility_form"), events[-1]
    outside = ActionAnswerQuestion().run(CollectingDispatcher(), make_tracker("灵活就业怎么交社保"), {})
    assert not [e for e in outside if e.get("event") == "followup"]


def test_a_reply_the_nlu_takes_for_a_question_is_not_answered_in_the_middle_of_the_form(api_url: str) -> None:
    """A description given as the reply ("在镇上开了个修车铺 带了两个徒弟") is no new question: read against the
    topic it repeated the first answer. The form asks once more with a hint, then skips."""
    reply = "在镇上开了个修车铺 带了两个徒弟"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(reply, intent="ask_policy", requested_slot="business_first_time")
    events = ActionAnswerQuestion().run(dispatcher, tracker, {})
    texts = [m.get("text") or "" for m in dispatcher.messages]
    assert texts == [NOT_AN_ANSWER], texts  # no composed answer, no provision quoted
    assert (events[-1]["event"], events[-1]["name"]) == ("followup", "eligibility_form")
    assert {"event": "slot", "name": "retried_facts", "value": ["business_first_time"]} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    again = CollectingDispatcher()
    tracker = make_tracker(
        reply,
        intent="ask_policy",
        requested_slot="business_first_time",
        slots={"retried_facts": ["business_first_time"]},
    )
    events = ActionAnswerQuestion().run(again, tracker, {})
    assert [m.get("text") for m in again.messages] == [SKIPPED]
    assert any(e.get("name") == "skipped_facts" for e in events)
    # outside the form the same message is a situation to answer
    outside = CollectingDispatcher()
    ActionAnswerQuestion().run(outside, make_tracker(reply, intent="ask_policy"), {})
    assert outside.messages and outside.messages[0].get("text") != NOT_AN_ANSWER


def test_a_reply_the_nlu_takes_for_feedback_in_the_form_is_asked_once_more_then_skipped(api_url: str) -> None:
    """ "在读研究生呢" to the employment question read as feedback was thanked, and the form asked the same
    question for ever (a form loop); now it is a reply not understood: asked once more, then skipped."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("在读研究生呢", intent="feedback", requested_slot="employment_status")
    ActionSmallTalk().run(dispatcher, tracker, {})
    assert [m.get("text") for m in dispatcher.messages] == [NOT_AN_ANSWER]
    _asked_once_more_then_skipped(ActionSmallTalk(), "在读研究生呢", "feedback")
    # outside the form, feedback is thanked and nothing else happens
    thanked = CollectingDispatcher()
    assert ActionSmallTalk().run(thanked, make_tracker("你们这个挺好用的", intent="feedback"), {}) == []
    assert thanked.messages[0].get("response") == "utter_feedback"


def test_an_honest_not_stated_reply_to_a_situation_offers_the_check(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, make_tracker("在饭店干了十年厨师 现在饭店关门了 每个月能领多少钱"), {})
    lead = dispatcher.messages[0]["text"]
    assert "没有写明" in lead or "没有找到" in lead, lead
    assert dispatcher.messages[-1]["text"] == OFFER


def test_a_question_routed_to_another_service_offers_no_check(api_url: str) -> None:
    dispatcher = CollectingDispatcher()
    ActionAnswerQuestion().run(dispatcher, make_tracker("社保卡丢了去哪补办"), {})
    assert all(m["text"] != OFFER for m in dispatcher.messages)


def test_a_place_outside_the_knowledge_base_is_remembered_for_later_answers(api_url: str) -> None:
    """ "西安的 …": the composer resolves any place in China; the conversation keeps its province."""
    dispatcher = CollectingDispatcher()
    events = ActionAnswerQuestion().run(dispatcher, make_tracker("西安的 想问问失业了能领失业保险金不"), {})
    assert {"event": "slot", "name": "region", "value": "陕西"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_the_facts_a_question_states_go_with_it_to_the_composer() -> None:
    """ "毕业了 刚上班半年 …": the composer hears that the asker works, so a policy for graduates still
    without a job is not presented as their answer; facts known before are not overwritten."""
    known = {"region": "郑州", "groups": ["graduate"], "facts": {"region": "郑州", "groups": ["graduate"]}}
    sent = with_stated_facts(known, "我是退伍的 刚在厂里上班半年")
    assert sorted(sent["groups"]) == ["enterprise_employee", "graduate", "veteran"]
    assert sent["facts"]["employment_status"] == "employed" and "groups" not in sent["facts"]
    kept = with_stated_facts({"groups": [], "facts": {"employment_status": "unemployed"}}, "在厂里上班")
    assert kept["facts"]["employment_status"] == "unemployed"


def test_a_place_someone_goes_to_does_not_replace_the_askers_region(api_url: str) -> None:
    """ "闺女想到浙江那边进厂 有人帮着介绍不" from 吴忠: the NLU put 浙江 in the region slot; the answer is read
    against 吴忠 (宁夏's labour cooperation, not "知识库里还没有浙江本地的政策文件"), and the slot goes back."""
    events = [
        {"event": "slot", "name": "region", "value": "吴忠"},
        {"event": "user", "text": "闺女想到浙江那边进厂 有人帮着介绍不"},
        {"event": "slot", "name": "region", "value": "浙江"},
    ]
    slots = {
        "region": "浙江",
        "topic": "我们村里好多人闲着没活干 咋弄",
        "previous_question": "我们村里好多人闲着没活干 咋弄",
    }
    tracker = make_tracker("闺女想到浙江那边进厂 有人帮着介绍不", slots=slots, events=events)
    dispatcher = CollectingDispatcher()
    result = ActionAnswerQuestion().run(dispatcher, tracker, {})
    assert "浙江本地" not in dispatcher.messages[0]["text"], dispatcher.messages[0]["text"]
    assert any(e.get("name") == "region" and e.get("value") == "吴忠" for e in result), result
