"""Natural answers to the eligibility questions."""

from __future__ import annotations

from datetime import date

import pytest

from actions.message_kinds import asks_for_person, looks_like_question, question_besides_handoff
from actions.parsing import parse_employment, parse_groups, parse_region, says_no_group
from actions.short_replies import is_skip, parse_bool, parse_first_business, parse_graduation, parse_years

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("我2024年毕业的", 2.0),
        ("毕业两年了", 2.0),
        ("去年刚毕业", 1.0),
        ("三年半", 3.5),
        ("今年毕业", 0.0),
        ("应届生", 0.0),
        ("前年毕业的", 2.0),
        ("毕业1年", 1.0),
        ("两年多了", 2.5),
        ("半年", 0.5),
        ("24年毕业", 2.0),
    ],
)
def test_graduation(text: str, years: float) -> None:
    assert parse_graduation(text, TODAY) == years


def test_graduation_uses_the_clock_not_a_constant() -> None:
    assert parse_graduation("2024年毕业", date(2030, 1, 1)) == 6.0


@pytest.mark.parametrize(
    ("text", "years"), [("三年", 3.0), ("2.9年", 2.9), ("一年多", 1.5), ("十二年", 12.0), ("6个月", 0.5)]
)
def test_years(text: str, years: float) -> None:
    assert parse_years(text) == years


@pytest.mark.parametrize(
    ("text", "place"), [("在深圳", "深圳"), ("银川这边", "银川"), ("我是临清的", "临清"), ("火星", None)]
)
def test_region(text: str, place: str) -> None:
    assert parse_region(text) == place


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("我是退伍的", ["veteran"]),
        ("我家是贫困户", ["poor_household"]),
        ("送外卖的", ["platform_worker"]),
        ("下岗的纺织工人", ["enterprise_employee"]),
        ("在钢铁厂当了二十年职工", ["enterprise_employee"]),
        ("高考落榜了在家待着", ["school_leaver"]),
        ("初中毕业就不念书了", ["school_leaver"]),
        ("我喺屋企耕田 老公打散工", []),
        ("俺在家带娃 男人出去打工了", []),
        ("个仔初中毕业冇考到高中", []),
        # the family member need not stand right before: the rest of the clause is theirs, unless 我 comes back
        ("个仔今年初中毕业冇考到高中", []),
        ("我老公在厂里上班", []),
        ("我和老公都在厂里上班", ["enterprise_employee"]),
        ("我妈让我去厂里上班", ["enterprise_employee"]),
        ("我高一读咗半年就冇读 而家十九岁", ["school_leaver"]),
        ("冇考到高中 想学门手艺", ["school_leaver"]),
        ("我们是从西海固搬到银川的", ["relocated"]),
        ("五十六了出去找活人家都嫌老", ["hard_to_employ"]),
        # a group denied is not the asker's
        ("做装修的 唔系退伍军人", []),
        ("我是低保户 不是贫困户", ["low_income"]),
        ("没有残疾证", []),
    ],
)
def test_groups(text: str, groups: list) -> None:
    assert parse_groups(text) == groups


@pytest.mark.parametrize(
    ("text", "groups"),
    [
        ("从外省过来这边做工七八年了", ["migrant_worker"]),
        ("我们两口子都没活干", ["hard_to_employ"]),
        ("户籍还在乡下", ["rural_resident"]),
        ("在网上平台接单跑腿", ["platform_worker"]),
        ("在海外念完书刚回来", ["returnee"]),
        ("待业在家好几年了", ["hard_to_employ"]),
        ("我们是江西过来的 在这边做装修", ["migrant_worker"]),
        ("全村从山上搬下来好些年了", ["relocated"]),
        ("我家是生态移民", ["relocated"]),
    ],
)
def test_groups_from_a_described_situation(text: str, groups: list) -> None:
    """A group stated by describing the situation, without its name, is understood."""
    assert parse_groups(text) == groups


@pytest.mark.parametrize(
    "text",
    [
        "我没出去打工，一直在本地",
        "在外企上班",
        "家里没人带孩子，我想找个能按时下班的活",
        "我是四川人",
        "我没从山里搬出来",
    ],
)
def test_situations_not_read_into_other_sentences(text: str) -> None:
    """A negated situation, or words far apart in unrelated clauses, state no group."""
    assert parse_groups(text) == []


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("在纺织厂当挡车工 厂里说要减人", "employed"),
        ("在物流公司开车 一个月四千", "employed"),
        ("没上班", "unemployed"),
        ("在厂里上班", "employed"),
        ("自己开店", "self_employed"),
        ("平时干点零工", "employed"),
        ("在公司当出纳", "employed"),
        ("工地上干零活", "employed"),
        ("不想做生意 还在厂里上班", "employed"),
        ("还在井下 等着安置", None),
        ("人还在矿上 等通知", "employed"),
        ("喺茶楼做散工", "employed"),
        ("下岗三年了", "unemployed"),
        ("一直没找着活", "unemployed"),
        ("冇返工成年喇", "unemployed"),
        ("仲未揾到 日日投简历", "unemployed"),
    ],
)
def test_employment(text: str, status: str | None) -> None:
    assert parse_employment(text) == status


@pytest.mark.parametrize("text", ["不想做生意", "没打算开店", "不是个体户"])
def test_a_denied_employment_phrase_states_nothing(text: str) -> None:
    """ "不想做生意" answers "第一次创业吗" with a no; it never makes the asker self-employed."""
    assert parse_employment(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("签了", True),
        ("签的三年合同", True),
        ("没签", False),
        ("没签的", False),
        ("是的", True),
        ("不是", False),
        ("有", True),
        ("没有", False),
    ],
)
def test_bool(text: str, value: bool) -> None:
    assert parse_bool(text) is value


@pytest.mark.parametrize("text", ["不知道", "跳过", "不清楚啊"])
def test_skip(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("创业担保贷款怎么申请", True),
        ("那创业担保贷款去哪申请啊", True),
        ("灵活就业人员能交社保吗", True),
        ("见习补贴一个月多少钱", True),
        ("啥意思", False),
        ("你说的是什么意思", False),
        ("在厂里上班", False),
        ("有吗", False),
        ("没什么正式工作", False),
        ("去年刚毕业", False),
        # asked by form, with no question word: "V不", Cantonese 冇/咩, A-not-A
        ("上那个培训要交钱不", True),
        ("屋企附近有补贴冇", True),
        ("可唔可以喺镇度办", True),
        ("是不是要先去登记", True),
        ("找了仨月了还没", False),
        ("没上班 在家待着呢", False),
    ],
)
def test_a_question_is_told_from_an_answer(text: str, question: bool) -> None:
    assert looks_like_question(text) is question


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("交社保的话要去哪办 能转人工吗", "交社保的话要去哪办"),
        ("灵活就业人员怎么交养老保险，有人工客服吗", "灵活就业人员怎么交养老保险"),
        ("帮我转人工 电话多少", None),
        ("我要转人工", None),
        ("12333打不通怎么办", None),
    ],
)
def test_question_besides_handoff(text: str, question: object) -> None:
    assert question_besides_handoff(text) == question


def test_a_described_situation_states_its_facts() -> None:
    from actions.conversation import stated_facts

    facts = stated_facts("钢厂去产能分流下来的工人")
    assert facts["overcapacity_industry"] is True and "enterprise_employee" in facts["groups"]
    # the mine and its closing a clause apart still say it
    assert stated_facts("在煤矿下了十几年井 矿上说要关了 人都得分流")["overcapacity_industry"] is True
    assert stated_facts("在棉纺厂挡车二十年 厂子黄了")["overcapacity_industry"] is False
    # a workplace that is none of the 去产能 industries answers that question before it is asked
    assert stated_facts("在电子厂干了十来年 厂要搬走了")["overcapacity_industry"] is False
    assert stated_facts("煤矿关了 俺被分流了")["overcapacity_industry"] is True
    assert "overcapacity_industry" not in stated_facts("在厂里上班")
    # raw words a slot mapping left among the known groups are not carried on
    assert stated_facts("我是退伍的", ["打工人", "migrant_worker"])["groups"] == ["migrant_worker", "veteran"]
    assert "enterprise_employee" not in stated_facts("出去打工人家嫌岁数大").get("groups", []), "打工 + 人家, no 工人"
    # years to retirement said in passing, in the answer to another question
    assert stated_facts("车间的老师傅 还有两年多就退休")["years_to_retirement"] == 2.5
    assert stated_facts("离退休还差四年")["years_to_retirement"] == 4
    assert "years_to_retirement" not in stated_facts("我退休五年了")


def test_a_bare_request_for_the_check_is_told_from_a_question() -> None:
    from actions.message_kinds import wants_eligibility_check

    assert wants_eligibility_check("我能申请什么补贴")
    assert wants_eligibility_check("/check_eligibility")
    assert wants_eligibility_check("帮我看看")
    assert not wants_eligibility_check("退伍军人能申请创业担保贷款吗")
    assert not wants_eligibility_check("我是宁夏固原的农村妇女 想创业 有没有贷款支持")


@pytest.mark.parametrize("text", ["转人工", "人工", "帮我找人工客服", "12333电话多少", "能不能叫个真人"])
def test_a_request_for_a_person(text: str) -> None:
    assert asks_for_person(text)


@pytest.mark.parametrize("text", ["公司话培训费要扣人工 得唔得", "人工智能会不会抢了我们的饭碗"])
def test_wages_and_ai_are_not_a_request_for_a_person(text: str) -> None:
    assert not asks_for_person(text)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("还没开始 打算回村开个小超市", True),
        ("头一回自己干", True),
        ("以前开过饭馆 后来关了", False),
        ("不是第一次了", False),
        ("从来没做过生意", True),
        ("不打算做生意", None),
        ("不清楚", None),
    ],
)
def test_first_business_is_read_from_what_people_say(text: str, first: bool | None) -> None:
    assert parse_first_business(text) is first


@pytest.mark.parametrize("text", ["都不是", "我哪个都不是", "就是普通老百姓", "没啥特殊身份", "冇乜身份", "没有"])
def test_none_of_the_groups(text: str) -> None:
    assert says_no_group(text)


@pytest.mark.parametrize("text", ["我是退伍的", "不是大学生 是农民工", "有残疾证", "普查员"])
def test_a_group_or_anything_else_is_not_none_of_the_groups(text: str) -> None:
    assert not says_no_group(text)


def test_a_plans_name_is_no_number_of_years() -> None:
    """ "十三五期间" names a plan: no duration read from it, and no crash."""
    assert parse_years("十三五期间") is None
    assert parse_years("十四五那几年") is None
    assert parse_years("干了十二年") == 12


def test_the_poverty_answer_is_judged_like_a_yes_or_no() -> None:
    """The form's own question (建档立卡 or 低保) has no fact in the engine: a yes/no is its canonical form and
    raw text is none — asking whether it is, never a crash."""
    from actions.conversation import canonical_part, is_canonical

    assert is_canonical("poverty", True) and is_canonical("poverty", False)
    assert not is_canonical("poverty", "嗯那个")
    assert canonical_part("poverty", "嗯那个") is None
