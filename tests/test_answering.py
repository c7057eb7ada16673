"""The answer composer on the real seed documents (BM25 index, fixed clocks) and POST /api/answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask.testing import FlaskClient

from answering.composer import AnswerComposer
from answering.followup import resolve
from answering.groupnote import unmentioned_group
from answering.models import AnswerContext
from answering.period import latest_year, period_status
from answering.placefollowup import counterpart_first
from answering.policymatch import grounded_by
from answering.replies import CHECK
from knowledge.questionkind import classify, what_is_missing
from knowledge.routing import about_work, route_for
from knowledge.service import EligibilityService
from knowledge.settings import Settings
from retrieval.ingest.models import DocumentMeta
from retrieval.service import RetrievalService
from retrieval.stages.answers import states_amount
from tests.staffkit import make_settings
from webchat.app import create_app


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, RetrievalService, EligibilityService]:
    settings = make_settings(tmp_path_factory.mktemp("answering"))
    retrieval = RetrievalService.from_settings(settings)
    retrieval.build()
    documents, _ = retrieval.ingest_sources()
    eligibility = EligibilityService.from_settings(
        settings, retrieval.lexicon, [(d.meta.id, d.meta.number, d.meta.title) for d in documents]
    )
    return settings, retrieval, eligibility


def composer(built: tuple[Settings, RetrievalService, EligibilityService], today: date) -> AnswerComposer:
    settings, retrieval, eligibility = built
    return AnswerComposer(retrieval.searcher, eligibility, settings.answer, today=lambda: today)


AFTER = date(2026, 12, 3)
DURING = date(2023, 6, 1)


def test_a_policy_question_leads_with_the_provision_and_its_source(built: tuple) -> None:
    answer = composer(built, AFTER).compose("我是宁夏的农村妇女 想创业 有没有贷款支持")
    assert answer.kind == "policy" and answer.policy is not None
    assert "妇女创业担保贷款" in answer.lead and answer.source.startswith("《")
    assert answer.text.index("来源：") > answer.text.index(answer.lead[:20])


def test_period_status_follows_the_clock(built: tuple) -> None:
    question = "宁夏对退役军人创业贷款有啥支持"
    after = composer(built, AFTER).compose(question)
    during = composer(built, DURING).compose(question)
    assert "规划期2021–2025年已结束" in after.lead
    assert "已结束" not in during.lead and "仍在规划期内" in during.lead
    assert after.period_status is not None and after.period_status["ended"] is True


def test_a_validity_question_says_the_period_ended_and_who_decides_now(built: tuple) -> None:
    answer = composer(built, AFTER).compose("十三五那个内部退养的政策现在还有效吗")
    assert "已结束" in answer.lead and "12333" in answer.lead
    assert "现在是否还在执行" in answer.lead


def test_a_validity_question_about_a_whole_plan_gets_its_period_even_when_no_provision_matches(built: tuple) -> None:
    """ "十三五时候那些政策还管用不": no provision covers it, but the period it names has an answer."""
    question = "十三五时候那些政策还管用不"
    after = composer(built, AFTER).compose(question)
    assert "“十三五”规划期2016–2020年已结束" in after.lead and "12333" in after.lead
    during = composer(built, date(2019, 5, 1)).compose(question)
    assert "已结束" not in during.lead


def test_an_amount_the_documents_do_not_state_is_said_plainly(built: tuple) -> None:
    answer = composer(built, AFTER).compose("创业担保贷款最多能贷多少钱")
    assert answer.kind == "not_in_documents"
    assert "没有写明具体金额" in answer.lead and "12333" in answer.lead


def test_a_sum_reported_for_everyone_together_is_no_answer_to_what_one_gets() -> None:
    report = "失业保险稳岗返还累计发放8亿多元、惠及1.23万家企业198万职工。"
    assert not states_amount("稳岗返还能返多少", report, None)
    assert not states_amount("能贷多少钱", "两个项目年均发放创业贷款资金10亿元以上。", None)
    assert states_amount("补贴多少钱", "给予每人1000元的一次性求职创业补贴。", None)
    assert states_amount("能贷多少钱", "贷款最高额度为10万元，累计发放贷款逐年增加。", None)


def test_a_question_whether_a_benefit_exists_needs_a_provision_naming_one() -> None:
    from retrieval.stages.answers import states_what_is_asked

    asked = "学电焊那阵子给不给生活补助"
    kind = classify(asked)
    assert "benefit" in kind.kinds and "补贴" in what_is_missing(kind)
    assert not states_what_is_asked(kind, asked, "消除针对特定群体的就业歧视，营造公平就业环境。", None)
    assert states_what_is_asked(kind, asked, "对参加培训的给予职业培训补贴和生活费补助。", None)
    assert "benefit" not in classify("学电焊要多久").kinds


def test_a_policy_only_for_a_group_the_asker_never_named_does_not_frame_the_answer(built: tuple) -> None:
    """A veterans' loan is not announced by name to someone who said nothing of the army; to a veteran it is."""
    from answering.policymatch import for_other_groups

    c = composer(built, AFTER)
    catalogue = c.eligibility.catalogue
    for_veterans = {p.id for p in catalogue if p.id.startswith("veteran-")}
    assert for_veterans and for_veterans <= for_other_groups(catalogue, set(), 2), "nobody named: not theirs"
    assert not for_veterans & for_other_groups(catalogue, {"veteran"}, 2), "a veteran: theirs"
    assert "startup-guarantee-loan" not in for_other_groups(catalogue, set(), 2), "a policy open to anyone"
    names = {p.name for p in catalogue if p.id in for_veterans}
    anyone = c.compose("我是中卫的 开了个修车铺 想贷点款")
    assert not any(anyone.lead.startswith(name) for name in names), anyone.lead


def test_a_pinyin_slip_is_read_as_the_word_it_was_meant_to_be(built: tuple) -> None:
    c = composer(built, AFTER)
    typed, meant = c.compose("失叶金每个月能领几多"), c.compose("失业金每个月能领几多")
    assert typed.lead == meant.lead and typed.kind == meant.kind == "not_in_documents"
    assert "失业保险" in typed.lead, "routed as 失业金 (the slip alone is no word the router knows)"


def test_everyday_words_for_odd_jobs_materials_and_a_cantonese_follow_up_are_understood(built: tuple) -> None:
    _, retrieval, _ = built
    assert about_work("镇上有冇地方等活 想揾啲散工做", retrieval.lexicon), "odd jobs are work"
    assert not about_work("手机充不进电咋办", retrieval.lexicon)
    assert "procedure" in classify("办失业登记要带齐啲咩资料").kinds, "资料 are materials"
    topic = "我喺佛山做咗三年厂 想学门手艺 有冇培训"
    assert resolve("咁东莞呢 我细佬喺嗰度返工", topic, None, retrieval.lexicon.region_table, 12, 40).followup


def test_a_place_the_asker_goes_to_work_in_keeps_the_home_region(built: tuple) -> None:
    """From 宁夏, "闺女想到浙江那边进厂" names where she goes: the help to go out (劳务协作) is 宁夏's, so
    the search stays with 宁夏. A place with documents of its own (去银川, from 聊城) is where they ask about."""
    _, retrieval, _ = built
    regions, documented = retrieval.lexicon.region_table, retrieval.searcher.documented_regions()
    topic = "我们村里好多人闲着 有啥帮着找活的办法"
    going = resolve("闺女想到浙江那边进厂 有人帮着介绍不", topic, "宁夏", regions, 12, 40, documented)
    assert going.region == "宁夏" and going.place is None
    asked_of = resolve("那浙江呢", topic, "宁夏", regions, 12, 40, documented)
    assert asked_of.place is not None and asked_of.region != "宁夏", "asked of, not gone to"
    moving = resolve("俺要是去银川打工 那边有啥说法", topic, "山东省聊城市", regions, 12, 40, documented)
    assert moving.region == "宁夏"


def test_a_procedure_question_gets_the_route_not_an_invented_procedure(built: tuple) -> None:
    answer = composer(built, AFTER).compose("灵活就业人员交养老保险去哪办 要带啥材料")
    assert "没有写明具体的办理地点" in answer.lead
    assert "人社" in answer.lead or "12333" in answer.lead


def test_a_people_service_outside_the_plans_is_routed(built: tuple) -> None:
    routed = (
        ("社保卡丢了咋补办", "社会保险经办机构"),
        ("公积金怎么取出来", "12329"),
        ("辞职后社保断了半年 咋续上", "续缴"),
    )
    for question, service in routed:
        answer = composer(built, AFTER).compose(question)
        assert service in answer.lead, answer.lead
        assert answer.kind == "not_in_documents"


def test_a_title_is_routed_unless_a_skilled_worker_asks_whether_it_is_open_to_them() -> None:
    routed = route_for("单位的技术员 评中级职称要啥条件")
    assert routed is not None and routed.topic == "职称评审"
    # 技能等级 与 职称 贯通 is the plans' own matter
    assert route_for("在车间干了十五年焊工 考了技师 能评职称不") is None


def test_a_contract_dispute_is_routed_but_a_contract_in_the_story_is_not() -> None:
    dispute = route_for("干了半年了老板一直不签合同 咋办")
    assert dispute is not None and "仲裁" in dispute.text
    assert route_for("跑快递的 没签劳动合同 能不能按灵活就业参加社保") is None, "the question is about insurance"
    assert route_for("退休年龄是多少") is not None
    assert route_for("快退休了 厂里说能内退 真有这政策吗") is None, "内部退养 is the plans' own matter"


def test_how_far_the_asker_is_from_retiring_is_a_fact_not_a_pension_question() -> None:
    """ "还差三年就退休 车间要关了 咋办" is about the closing workshop; a pension question is still routed."""
    assert route_for("还差三年就退休 车间要关了 咋办") is None
    assert route_for("离退休没几年了 单位要裁人 有啥政策") is None
    assert route_for("快退休了 养老金咋算") is not None


def test_out_of_domain_and_noise_are_not_answered_with_a_provision(built: tuple) -> None:
    c = composer(built, AFTER)
    everyday = ("今天天气怎么样", "😀😀😀", "hello how are you", "啊", "手机充不进电咋办", "推荐一部好看的电影")
    for question in (
        *everyday,
        "我买的快递到哪了 三天了还没到",
        "我的快递到哪了",
    ):  # 快递 is a trade here, but not in this question
        answer = c.compose(question)
        assert answer.kind in ("out_of_domain", "clarify"), (question, answer.kind)
        assert answer.source == ""


def test_a_bare_statement_of_a_livelihood_is_offered_the_check_not_told_it_is_out_of_scope(built: tuple) -> None:
    c = composer(built, AFTER)
    for statement in ("我在县城开了家小面馆", "我是开出租的", "家里养了三十只羊", "在工地上干了十几年"):
        answer = c.compose(statement)
        assert answer.kind != "out_of_domain", (statement, answer.lead)
        assert CHECK in answer.next_actions, statement
        # nothing was asked, so nothing is "not stated": the reply asks what they want to know, or quotes
        # what touches their situation
        assert "没有写明" not in answer.lead and "没有找到直接回答" not in answer.lead, (statement, answer.lead)
        assert "可以接着问我" in answer.lead or "“" in answer.lead, (statement, answer.lead)
    assert c.compose("推荐一部好看的电影").kind == "out_of_domain"


def test_a_statement_is_told_apart_from_a_question_and_from_a_topic_typed_as_keywords() -> None:
    for statement in ("在镇上开了个修车铺", "我在县城送快递", "俺们村在山上 出门打工不方便"):
        assert classify(statement).statement, statement
    asked_ones = ("在镇上开了个修车铺 有补贴不", "开修车铺能贷款吗", "修车铺算不算个体户", "培训要多长时间", "真的假的")
    for asked in asked_ones:
        assert not classify(asked).statement, asked
    assert not classify("创业担保贷款").statement, "a topic typed as keywords asks about it"


def test_a_group_follow_up_says_when_the_quoted_provisions_never_name_the_group(built: tuple) -> None:
    _, retrieval, _ = built
    groups = retrieval.searcher.lexicon.groups
    loan = "落实创业担保贷款及贴息政策，提高贷款便利度和政策获得感。"
    assert unmentioned_group("妇女能申请吗", [loan], groups) == "妇女"
    assert unmentioned_group("宝妈能申请吗", ["保障妇女在就业创业等方面享有平等权利"], groups) is None, "same group"
    assert unmentioned_group("利息多少", [loan], groups) is None, "no group asked about"
    c = composer(built, AFTER)
    first = c.compose("创业担保贷款怎么申请")
    follow = c.compose("残疾人能申请吗", AnswerContext(topic=first.topic, previous_question="创业担保贷款怎么申请"))
    answer_part, _, naming_part = follow.lead.partition("以上条文没有专门提到残疾人。")
    quoted = [p["text"] for p in follow.provisions if p["text"] in answer_part]
    assert quoted, follow.lead
    assert bool(naming_part) == (not any("残疾" in t for t in quoted))
    if naming_part:  # the closest provision that names them is quoted, said to be about them, with its card
        assert naming_part.startswith("文件里提到残疾人的相关条文是"), follow.lead
        naming = [p for p in follow.provisions if p["text"] in naming_part]
        assert naming and "残疾" in naming[0]["text"] and "创业" in naming[0]["text"], follow.lead
    own = c.compose("残疾人能申请创业担保贷款吗")
    assert "没有专门提到" not in own.lead, "only a follow-up asking about a group gets the note"


def test_empty_and_overlong_questions_get_a_chinese_message(built: tuple) -> None:
    c = composer(built, AFTER)
    assert c.compose("   ").kind == "clarify"
    long = c.compose("我想问" * 200)
    assert long.kind == "clarify" and "太长" in long.lead


def test_a_short_follow_up_borrows_the_topic_and_the_place_it_names(built: tuple) -> None:
    c = composer(built, AFTER)
    first = c.compose("创业担保贷款怎么申请")
    follow = c.compose("那宁夏呢", AnswerContext(topic=first.topic))
    assert "接着您刚才问的" in follow.lead and follow.region == "宁夏"
    assert "创业担保贷款" in follow.lead
    own = c.compose("十三五时候的那些政策现在还管用吗", AnswerContext(topic=first.topic))
    assert "接着您刚才问的" not in own.lead, "a question naming its plan stands on its own"
    alone = c.compose("那宁夏呢")
    assert "创业担保贷款" not in alone.lead
    # a place with no document of its own is told so, and answered from the national provisions
    elsewhere = c.compose("那湖南呢", AnswerContext(topic=first.topic))
    assert "知识库里还没有湖南本地的政策文件" in elsewhere.lead and "这里说湖南的情况" not in elsewhere.lead
    assert "适用地区 全国" in elsewhere.source


def test_a_follow_up_with_content_of_its_own_carries_only_the_topics_everyday_words(built: tuple) -> None:
    """A follow-up bringing new content is searched with the topic's lexicon words, so the whole earlier
    question does not outweigh what is asked now; a short one ("那宁夏呢") still carries the topic's text."""
    _, retrieval, _ = built
    regions = retrieval.lexicon.region_table
    topic = "开了个小饭馆 想贷点款扩大一下 有没有扶持"
    keys = [key for key, _ in retrieval.lexicon.matches(topic)]
    assert keys, "the topic holds words the lexicon knows"
    asked = "那我要是雇几个残疾人 政府给不给补贴"
    content = resolve(asked, topic, None, regions, 12, 40, topic_keys=keys)
    assert content.followup and content.query.startswith(asked)
    assert all(key in content.query for key in keys) and "有没有扶持" not in content.query
    assert content.understood == f"接着您刚才问的“{topic}”", "it still says what it was read against"
    short = resolve("那宁夏呢", topic, None, regions, 12, 40, topic_keys=keys)
    assert short.short and topic in short.query
    # a short one with words of its own ("能去技校学吗", a policy's name) carries the topic's words, not its text
    for own in ("能去技校学吗", "创业担保贷款怎么申请"):
        own_keys = [key for key, _ in retrieval.lexicon.matches(own)]
        named = resolve(
            own, topic, None, regions, 12, 40, topic_keys=keys, subjects=["创业担保贷款"], question_keys=own_keys
        )
        assert named.followup and named.short and "有没有扶持" not in named.query, named.query
        assert all(key in named.query for key in keys)
    # "跳过" or "算了" after an answer asks nothing: not read against the topic (it repeated the answer)
    assert not resolve("跳过", topic, None, regions, 12, 40, topic_keys=keys).followup
    assert "接着您刚才问的" not in composer(built, AFTER).compose("算了", AnswerContext(topic=topic)).lead
    plain = resolve(asked, topic, None, regions, 12, 40)
    assert topic in plain.query, "without the keys (followup_topic_keys off) the topic's text is carried"


def test_a_follow_ups_own_words_lead_over_the_topics_provision(built: tuple) -> None:
    """ "想学门手艺 有地方学么" after a question on raising cattle: a provision on training leads, not the topic's."""
    from answering.ownwords import OwnWordsLead

    _, retrieval, _ = built
    lead = OwnWordsLead(retrieval.searcher.lexicon, 0.01)
    topic = "在老家养了几头牛 想扩大点 有啥扶持"
    results = retrieval.searcher.search(topic, k=10).results
    assert not any(w in results[0].provision.text for w in ("培训", "技能")), "the topic's own best is not on training"
    for asked, words in (
        ("想学门手艺 有地方学么", ("培训", "技能", "职业")),
        ("干满一年有没有补贴", ("补贴", "补助", "资金")),
    ):
        led = lead.reorder(asked, topic, results)
        assert any(w in led[0].provision.text for w in words), (asked, led[0].provision.text)
        assert sorted(r.provision.id for r in led) == sorted(r.provision.id for r in results), "nothing lost"
    assert OwnWordsLead(retrieval.searcher.lexicon, 0).reorder("想学门手艺", topic, results) == results, "off"
    assert lead.reorder("那宁夏呢", topic, results) == results, "no words of its own"


def test_a_question_whether_there_is_a_benefit_is_led_by_a_provision_naming_one(built: tuple) -> None:
    """ "有啥补贴吗" from a graduate still without a job: not "政策文件里没有写明有没有…补贴" while a provision as
    close names the 就业见习补贴 for exactly them."""
    settings, retrieval, eligibility = built
    question = "大学毕业一年了 在广州 一直没找到工作 有什么补贴吗"
    answer = composer(built, AFTER).compose(question)
    assert "没有写明有没有" not in answer.lead
    assert "补贴" in answer.provisions[0]["text"], answer.lead
    off = settings.answer.model_copy(update={"benefit_lead_ratio": 0})
    plain = AnswerComposer(retrieval.searcher, eligibility, off, today=lambda: AFTER).compose(question)
    assert "没有写明有没有" in plain.lead, "without it the best provision, naming no benefit, led"


def test_who_bears_a_cost_is_asked_as_whether_there_is_a_benefit(built: tuple) -> None:
    """ "来回车费谁掏": the plans pay no fares; the reply says so instead of quoting labour cooperation as
    the answer."""
    assert "benefit" in classify("去外省打工 来回车费谁掏").kinds
    assert "benefit" in classify("学费得自己出吗").kinds
    assert "benefit" in classify("去学电工要交钱不").kinds and "benefit" in classify("学车使唔使俾钱").kinds
    answer = composer(built, AFTER).compose("去外省打工 来回车费谁掏")
    assert answer.kind == "not_in_documents" and "没有写明有没有" in answer.lead


def test_a_benefit_word_in_an_unrelated_provision_does_not_lead(built: tuple) -> None:
    """ "学手艺那阵子有生活费补贴不": 内部退养's "由企业发放生活费" names 生活费 but nothing of training (neither
    a pair of the question's characters nor a policy word its everyday words stand for: 学手艺 → 职业技能培训)."""
    from answering.benefitlead import BenefitLead

    _, retrieval, _ = built
    question = "学手艺那阵子有生活费补贴不"
    training = next(
        r for r in retrieval.searcher.search("职业技能培训", k=10).results if "生活费" not in r.provision.text
    )
    retiring = retrieval.searcher.search("内部退养 由企业发放生活费", k=1).results[0]
    assert "生活费" in retiring.provision.text and "培训" not in retiring.provision.text
    results = [training, retiring]
    assert BenefitLead(retrieval.searcher.lexicon, 0.01).reorder(question, classify(question), results) == results
    asked_of_it = "内部退养期间有生活费吗"  # asked of 内部退养 itself, its provision leads
    assert (
        BenefitLead(retrieval.searcher.lexicon, 0.01).reorder(asked_of_it, classify(asked_of_it), results)[0]
        is retiring
    )
    amount = "生活费补贴给多少钱"
    assert BenefitLead(retrieval.searcher.lexicon, 0.01).reorder(amount, classify(amount), results) == results, (
        "an amount: not reordered"
    )


def test_when_no_provision_answers_directly_the_lead_quotes_the_two_closest(built: tuple) -> None:
    settings, retrieval, eligibility = built
    unsure = settings.answer.model_copy(update={"direct_min_confidence": 0.99})  # every answer is "not direct"
    c = AnswerComposer(retrieval.searcher, eligibility, unsure, today=lambda: AFTER)
    answer = c.compose("厂里效益不好 工人们往后咋整")
    assert answer.kind == "not_in_documents" and "没有找到直接回答" in answer.lead
    first, second = answer.provisions[0], answer.provisions[1]
    assert first["text"] in answer.lead and second["text"] in answer.lead, "both closest provisions are quoted"
    assert answer.lead.index(first["text"]) < answer.lead.index("另一条相关的是《")
    assert answer.text.count(second["text"]) == 1, "quoted once, not again under 相关条文"
    assert "12333" in answer.lead
    single = settings.answer.model_copy(update={"direct_min_confidence": 0.99, "second_quote_ratio": 0})
    one = AnswerComposer(retrieval.searcher, eligibility, single, today=lambda: AFTER).compose(
        "厂里效益不好 工人们往后咋整"
    )
    assert "另一条相关的是" not in one.lead
    # a direct answer quotes one provision unless the next one is a near tie
    alone = settings.answer.model_copy(update={"close_second_ratio": 0})
    direct = AnswerComposer(retrieval.searcher, eligibility, alone, today=lambda: AFTER)
    assert "另一条相关的是" not in direct.compose("厂里效益不好 工人们往后咋整").lead


def test_a_direct_answer_quotes_the_next_provision_only_when_it_is_a_near_tie(built: tuple) -> None:
    settings, retrieval, eligibility = built
    question = "厂里效益不好 工人们往后咋整"
    ranked = retrieval.searcher.search(question, k=settings.answer.results, as_of=AFTER).results
    best, runner_up = ranked[0], ranked[1]
    ratio = runner_up.score / best.score
    close = settings.answer.model_copy(update={"close_second_ratio": ratio * 0.99})  # the runner-up is close enough
    far = settings.answer.model_copy(update={"close_second_ratio": min(1.0, ratio * 1.01)})  # it is not
    both = AnswerComposer(retrieval.searcher, eligibility, close, today=lambda: AFTER).compose(question)
    one = AnswerComposer(retrieval.searcher, eligibility, far, today=lambda: AFTER).compose(question)
    assert both.kind != "not_in_documents" and "没有找到直接回答" not in both.lead, "the documents answer it"
    assert best.provision.text in both.lead and runner_up.provision.text in both.lead
    assert both.text.count(runner_up.provision.text) == 1, "quoted once, not again under 相关条文"
    assert best.provision.text in one.lead and runner_up.provision.text not in one.lead


def test_a_place_follow_up_leads_with_that_place_restating_what_was_just_quoted(built: tuple) -> None:
    c = composer(built, AFTER)
    first = c.compose("长期失业的人有什么帮扶")
    quoted = first.provisions[0]
    assert quoted["doc"]["region"] == "全国" and "分类帮扶和实名制动态管理" in quoted["text"]
    # without the previous reply's provision the follow-up has only the topic's words to go on
    plain = c.compose("那广东呢", AnswerContext(topic=first.topic))
    assert "分类帮扶和实名制动态管理" not in plain.provisions[0]["text"], "not what the reply leads with"
    told = c.compose("那广东呢", AnswerContext(topic=first.topic, previous_provision=quoted["id"]))
    assert told.provisions[0]["doc"]["region"] == "广东"
    assert "分类帮扶和实名制动态管理" in told.lead, "广东's own wording of the provision just quoted"
    assert told.provisions[0]["id"] != quoted["id"]
    # the catalogue links a national provision with a region's wording of the same policy
    migrant = c.compose("外地人在打工的地方能享受就业服务吗")
    assert migrant.provisions[0]["doc"]["region"] == "全国"
    ningxia = c.compose("那宁夏呢", AnswerContext(topic=migrant.topic, previous_provision=migrant.provisions[0]["id"]))
    assert "推动农村劳动力在就业地平等享受就业服务政策" in ningxia.lead

    # asked about the place whose provision was just quoted: the reply says it is that place's own
    local = c.compose("妇女创业有贷款吗")
    assert local.provisions[0]["doc"]["region"] == "宁夏"
    again = c.compose("那宁夏呢", AnswerContext(topic=local.topic, previous_provision=local.provisions[0]["id"]))
    assert "刚才引用的就是宁夏的规定" in again.lead
    # an unknown id (a re-indexed provision) is read as no previous reply
    stale = c.compose("那广东呢", AnswerContext(topic=first.topic, previous_provision="nope:0"))
    assert stale.lead == plain.lead


def test_a_place_counterpart_may_be_linked_by_the_catalogue_alone(built: tuple) -> None:
    _, retrieval, eligibility = built
    national = (
        "公共就业服务机构要为其提供均等化公共就业服务和普惠性就业政策，"
        "并逐步使外来劳动者与当地户籍人口享有同等的就业扶持政策"
    )
    local = "消除户籍、地域、身份、性别等影响平等就业的制度障碍，推动农村劳动力在就业地平等享受就业服务政策。"
    catalogue = eligibility.catalogue
    assert "migrant-equal-employment-services" in grounded_by(national, catalogue, 0.6) & grounded_by(
        local, catalogue, 0.6
    )
    assert not grounded_by("加强职业技能培训。", catalogue, 0.6)
    results = retrieval.searcher.search("外地打工 平等享受 就业服务 政策", k=10, region="宁夏").results
    previous = next(r for r in results if national in r.provision.text).provision
    target = next(r for r in results if local in r.provision.text)
    others = [r for r in results if r is not target]
    ordered = counterpart_first(
        [*others, target], previous, lambda r: r.document.region == "宁夏", lambda r: r is target, 1.0, 0.0
    )
    assert ordered[0] is target, "a catalogue-linked counterpart leads even when the wording differs"
    unlinked = counterpart_first(
        [*others, target], previous, lambda r: r.document.region == "宁夏", lambda r: False, 1.0, 0.0
    )
    assert unlinked[0] is not target


def test_a_policy_the_askers_facts_rule_out_is_not_their_answer(built: tuple) -> None:
    c = composer(built, AFTER)
    question = "毕业了还没找到工作 有啥帮扶"
    assert c.compose(question).kind == "policy"
    # the conversation knows the asker has a job: the provision is quoted, not presented as their policy
    working = c.compose(question, AnswerContext(facts={"employment_status": "employed"}))
    assert working.kind != "policy" and working.policy is None
    assert working.provisions[0]["id"] == c.compose(question).provisions[0]["id"]
    # malformed facts rule nothing out
    assert c.compose(question, AnswerContext(facts={"employment_status": "在读"})).kind == "policy"


def test_a_place_outside_the_knowledge_base_is_answered_from_national_provisions(built: tuple) -> None:
    answer = composer(built, AFTER).compose("在武汉跑外卖的能交养老保险吗", AnswerContext(region="武汉"))
    assert answer.source and "适用地区 全国" in answer.source


def test_the_route_never_sends_a_citizen_to_the_national_local_office() -> None:
    from knowledge.routing import general_route

    assert "全国当地" not in general_route("全国") and "当地人社部门" in general_route("全国")
    assert general_route("银川").startswith("具体可以咨询银川当地")


def test_question_kinds() -> None:
    assert classify("创业贷款利息多少").main == "amount"
    assert classify("失业登记去哪办").main == "procedure"
    assert classify("这个政策现在还有效吗").main == "validity"
    assert classify("今年还发不发").main == "validity"
    assert classify("现在还能领见习补贴不").main == "validity"
    # "还能" about the asker's own plans is no question about whether a policy still holds
    assert classify("去外地工作几年以后还能回来吗").main != "validity"
    assert "validity" not in classify("毕业一年了到现在还没找到工作 有补贴吗").kinds, "the asker's state, not validity"
    assert classify("要啥条件").main == "conditions"
    assert classify("送外卖的能交社保吗").main == "yes_no"
    # getting money or rights back is a procedure the plans do not give
    assert classify("工钱被扣了 咋要").main == "procedure"
    assert classify("押金怎么讨回来").main == "procedure"
    assert classify("被欠薪了如何维权").main == "procedure"
    assert classify("怎么要求单位交社保").main != "procedure", "要求 is no remedy"
    # "咋办" asks what to do, not how to file something
    assert classify("年纪大了干不动那天咋办").main != "procedure"
    assert classify("咋办失业证").main == "procedure"
    # "…都嫌老 咋弄啊" closing a story asks what to do; "失业证咋弄" and "咋弄失业证" ask how
    assert classify("五十六了出去找活人家都嫌老 咋弄啊").main != "procedure"
    assert classify("失业证咋弄").main == "procedure" and classify("咋弄失业证").main == "procedure"
    assert classify("在家看了几年孩子 想出去找个活 俺啥也不会咋弄").main != "procedure", "what to do, not how"
    assert classify("营业执照怎么弄").main == "procedure"
    # "回来几年了", "前几年" tell the asker's story; "能领几个月" asks how long
    assert classify("转业回地方几年了 想自己干点事 还有扶持不").main != "procedure"
    assert classify("俺家前几年刚脱贫 有小额贷款不").main != "procedure"
    assert classify("失业金能领几个月").main == "procedure"
    assert "procedure" not in classify("去西部干几年还能调回来吗").kinds, "几年 here is a while, not a question"
    assert "procedure" not in classify("干了几年电焊 想换个活").kinds, "几年 already past is the asker's story"
    # "哪里能让他…" / "哪里能帮我…" asks whether there is such help, not for an address
    assert "procedure" not in classify("孩子不爱读书 哪里能让他学门手艺").kinds
    assert "procedure" not in classify("哪儿能帮俺找个活干").kinds
    assert classify("哪里能给办失业证").main == "procedure", "给办: where the office is"
    assert classify("在哪里能报名").main == "procedure"


def test_deadlines_in_a_provision() -> None:
    assert latest_year("到2020年，建设10个左右孵化器") == 2020
    assert latest_year("2018年底前完成") == 2018
    assert latest_year("2017-2020年开展行动") == 2020
    assert latest_year("健全就业服务体系") is None
    meta = DocumentMeta(id="x", title="某通知", date="2017-04-13", source="x.txt")
    assert period_status(meta, "2018年底前完成", AFTER).text == "文中提出的是到2018年的安排，该期限已过"
    assert period_status(meta, "2018年底前完成", date(2018, 3, 1)).ended is False


@pytest.fixture(scope="module")
def client(built: tuple) -> Iterator[FlaskClient]:
    settings, _, _ = built
    app = create_app(settings, {"TESTING": True})
    with app.test_client() as test_client:
        yield test_client


def test_post_answer_returns_the_spec_shape(client: FlaskClient) -> None:
    reply = client.post("/api/answer", json={"question": "送外卖的能交养老保险吗", "context": {"region": "银川"}})
    assert reply.status_code == 200
    body = reply.get_json()
    assert set(body) >= {"kind", "understood", "lead", "provisions", "policy", "period_status", "next_actions"}
    assert body["provisions"] and body["provisions"][0]["period_status"]["text"]


def test_post_answer_refuses_bad_input_in_chinese(client: FlaskClient) -> None:
    for payload in (
        {"q": "x"},
        {"question": 3},
        {"question": "社保", "context": {"groups": "graduate"}},
        {"question": "那宁夏呢", "context": {"previous_provision": 7}},
    ):
        reply = client.post("/api/answer", json=payload)
        assert reply.status_code == 400
        assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.get_json()["error"])
    assert client.get("/api/contact").get_json()["hotline"] == "12333"


def test_a_routed_question_does_not_offer_the_check_but_an_unstated_answer_does(built: tuple) -> None:
    routed = composer(built, AFTER).compose("社保卡丢了去哪补办")
    assert all(a["payload"] != "/check_eligibility" for a in routed.next_actions)
    unstated = composer(built, AFTER).compose("创业担保贷款最多能贷多少钱")
    assert unstated.kind == "not_in_documents"
    assert any(a["payload"] == "/check_eligibility" for a in unstated.next_actions)


def test_someone_outside_the_regions_is_never_shown_another_regions_provision_as_related(built: tuple) -> None:
    answer = composer(built, AFTER).compose("女职工休完产假回来 单位能给安排弹性工作吗", AnswerContext(region="湖南"))
    assert all(p["applies"] is not False for p in answer.provisions if p["related"])
    assert "聊政发" not in answer.text and "粤府" not in answer.text and "宁政办发" not in answer.text


def test_whether_what_was_just_quoted_still_holds_is_answered_of_that_provision(built: tuple) -> None:
    """ "这个现在还管用不" after an answer: that provision, where its period stands today, and who decides —
    not another provision, nor a plan's status with nothing said about which text it was."""
    c = composer(built, AFTER)
    first = c.compose("宁夏开饭馆的 生意不好 想留住工人不裁员 政府有办法没")
    quoted = first.provisions[0]
    for asked in ("这个现在还管用不", "这些都是十四五的 今年还作数不"):
        answer = c.compose(asked, AnswerContext(topic=first.topic, previous_provision=quoted["id"]))
        assert quoted["text"] in answer.lead, (asked, answer.lead)
        assert "接着您刚才问的" in answer.lead and "现在是否还在执行" in answer.lead
        assert "已结束" in answer.lead or "距今" in answer.lead
    fresh = c.compose("十四五规划现在还管用不")
    assert "已结束" in fresh.lead, "asked at the start of a conversation: the plan period, as before"


def test_whether_the_same_holds_for_someone_else_is_a_follow_up(built: tuple) -> None:
    """ "我表弟技校毕业也在家待着 行不行" asks whether what was just answered holds for him."""
    _, retrieval, _ = built
    regions = retrieval.lexicon.region_table
    topic = "大学毕业一年没找到工作 能去单位见习吗"
    for asked in ("我表弟技校毕业也在家待着 行不行", "佢细妹读紧中专 得唔得", "我老婆没工作 她也能去见习不"):
        assert resolve(asked, topic, None, regions, 12, 40).followup, asked
    assert not resolve("技校毕业在家待了两年的年轻人 政府有什么帮扶", topic, None, regions, 12, 40).followup


def test_a_provision_for_what_the_asker_lacks_does_not_lead(built: tuple) -> None:
    """A rider without a contract is not answered with what an employer owes those who signed one."""
    c = composer(built, AFTER)
    for asked in ("在佛山送快递 老板冇同我签合同 社保点算", "在东莞跑外卖 站点没跟我签劳动合同 能参加社保不"):
        answer = c.compose(asked)
        assert "签订劳动合同的" not in answer.lead and "灵活就业人员" in answer.lead, answer.lead
    signed = c.compose("在广州跑外卖的 跟公司签了合同 社保谁给交")
    assert "签订劳动合同的" in signed.lead, "with a contract, that provision still answers"


def test_a_named_benefit_is_answered_only_by_a_provision_naming_it(built: tuple) -> None:
    """ "考驾照国家给报销不" from a veteran: the 贴息 and 创业补贴 provision for veterans names no 报销, so the
    documents do not say; a 资助 for poor students does answer whether a school's fees are waived."""
    from answering.benefitlead import names_benefit_asked

    c = composer(built, AFTER)
    answer = c.compose("刚从部队回来 在银川 想考个驾照跑运输 国家给报销不")
    assert answer.kind == "not_in_documents" and "没有写明有没有" in answer.lead, answer.lead
    assert not names_benefit_asked("考驾照给报销不", "加大对退役军人创业补贴支持力度")
    assert names_benefit_asked("技校学费能免不", "国家资助政策体系，保障职业院校家庭经济困难学生完成学业")
    assert names_benefit_asked("有啥补贴", "给予一次性吸纳就业补贴")


def test_what_to_do_said_with_a_dialect_particle_is_no_procedure_question() -> None:
    """ "儿子闲在家 咋办哩" (西北话 "怎么办呢") asks what can be done, not where and how to apply."""
    assert "procedure" not in classify("儿子闲在家 咋办哩").kinds
    assert "procedure" not in classify("厂子关了 俺咋办嘛").kinds
    assert "procedure" in classify("这个证咋办理").kinds
