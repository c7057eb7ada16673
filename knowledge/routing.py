"""Where a 人社 question the employment plans do not cover belongs: the service and the hotline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.lexicon import Lexicon
from knowledge.regions import NATIONAL

HOTLINE = "12333"


@dataclass(frozen=True)
class Route:
    """A service that handles a kind of question, and how the citizen reaches it."""

    topic: str
    text: str


# Each row: what the citizen writes about → the service that decides it. Only the responsible
# office and its national hotline are named; no address, fee or procedure is invented.
_ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (
        re.compile(r"社保卡|社会保障卡"),
        Route("社保卡", "社保卡的申领、挂失和补办由当地社会保险经办机构或社保卡合作银行网点办理，可拨打12333查询。"),
    ),
    (
        re.compile(r"公积金"),
        Route(
            "住房公积金",
            "住房公积金由当地住房公积金管理中心办理，可拨打住房公积金服务热线12329咨询；人社方面的问题可拨打12333。",
        ),
    ),
    (
        re.compile(r"医保|医疗保险|看病.{0,6}报|(药费|住院|门诊|医药费|医疗费).{0,6}报销"),
        Route(
            "医疗保险",
            "医疗保险的参保、补缴和报销由当地医疗保障部门办理，可拨打医保服务热线12393咨询；人社方面的问题可拨打12333。",
        ),
    ),
    (
        # contributions broken off, resumed or paid late: the plans say nothing on it
        re.compile(
            r"(社保|保险).{0,4}(断了|断交|断缴|停了|停缴|补交|补缴|续交|续缴|接着交)|(断交|断缴|补交|补缴)(了)?.{0,4}(社保|保险)"
        ),
        Route(
            "社会保险缴费",
            "社会保险断缴后续缴、补缴的办法由当地社会保险经办机构按现行规定办理，可拨打12333咨询。",
        ),
    ),
    (
        re.compile(r"工伤"),
        Route("工伤认定", "工伤认定由当地人社部门（社会保险行政部门）受理，可拨打12333咨询具体条件和时限。"),
    ),
    (
        re.compile(
            r"仲裁|欠.{0,3}(工资|工钱|薪)|拖欠|加班费|辞退|开除|补偿金|赔偿|试用期|违法|劳动纠纷|维权|投诉|举报"
            # no contract is a dispute, unless the question goes on to ask about insurance ("没签劳动合同 能自己交
            # 养老保险吗": the contract only describes the asker's work)
            r"|(不|没)签.{0,2}合同(?!.*(保险|社保|参保))"
        ),
        Route(
            "劳动权益",
            "劳动纠纷可向当地劳动保障监察机构投诉，或向劳动人事争议仲裁委员会申请仲裁，也可拨打12333咨询。",
        ),
    ),
    (
        # 内退 (内部退养 of 去产能 enterprises) is the plans' own matter, not the pension office's
        re.compile(r"^(?!.*(内退|内部退养)).*(退休|养老金|养老保险.{0,6}(转|迁|接续)|转移.{0,4}养老)"),
        Route("养老保险", "退休年龄、养老金和养老保险关系转移接续由当地社会保险经办机构办理，可拨打12333咨询。"),
    ),
    (
        # a skilled worker asking whether a title is open to them is the plans' own matter (技能等级 与 职称 贯通)
        re.compile(r"^(?!.*(高级工|中级工|技师|技工|技能等级|电工|焊工|钳工|车工)).*(职称|评.{0,2}(中级|高级|初级))"),
        Route("职称评审", "职称评审条件由当地人社部门职称管理机构公布，可拨打12333咨询。"),
    ),
    (
        re.compile(r"档案|死档"),
        Route("人事档案", "人事档案由当地公共就业和人才服务机构管理，可拨打12333咨询存放和转递办法。"),
    ),
    (
        re.compile(r"失业金|失业保险金"),
        Route("失业保险金", "失业保险金的领取条件和标准由当地社会保险经办机构按现行规定执行，可拨打12333咨询。"),
    ),
]

# Words that show a question is about work, jobs, social insurance or the 人社 system at all.
_DOMAIN = re.compile(
    r"就业|工作|找活|上班|打工|招聘|求职|揾工|失业|下岗|裁员|辞|工资|工钱|补贴|补助|贷款|创业|开店|做生意|培训|技能|"
    r"证书|社保|保险|养老|医保|人社|劳动|合同|岗位|见习|实习|毕业|学生|退役|退伍|残疾|贫困|低保|农民工|政策|扶持|"
    r"帮扶|灵活|外卖|骑手|快递|滴滴|个体|公司|企业|厂|单位|老板|技校|职业|就业服务|人才|档案|职称|公益岗|"
    r"失业率|稳岗|返还|实训|孵化|创客|人力资源|招工|用工|下岗|零工|规划|"
    # odd jobs and work in everyday speech: "等活的地方", "干零活", "做工", "揾食", "冇工开", "返工"
    r"零活|等活|干活|活干|做工|揾食|工开|返工|散工|短工"
)
# How a citizen says what they do for a living (a trade, a shop or stall, farming, driving for pay): within
# the service's reach, so a bare statement of it is offered the check rather than told it is out of scope;
# not a topic word, so a provision still has to match it strongly to be quoted.
_LIVELIHOOD = re.compile(
    r"挣钱|赚钱|养家|手艺|学徒|徒弟|师傅|工地|干活|营生|生意|买卖|铺子|[开干]了?(个|家|间)?\w{0,4}(铺|店|馆|摊|部|作坊)|"
    r"摆摊|种地|种田|种菜|务农|养殖|养了.{0,6}(猪|牛|羊|鸡|鸭|鱼)|司机|跑车|跑运输|开货车|开出租"
)


# How far the asker is from retiring ("还差四年就退休", "快退休了", "离退休没几年"): a fact about them, not a
# question on retirement or pensions.
_TIME_TO_RETIREMENT = re.compile(r"(差|还有|再有|离|距|距离|快|就要|马上|没几年)[^，。,\s]{0,4}退休了?")


def route_for(question: str) -> Route | None:
    """Return the service that handles ``question`` when it is a 人社 matter outside the plans, else None."""
    question = _TIME_TO_RETIREMENT.sub("", question)
    for pattern, route in _ROUTES:
        if pattern.search(question):
            return route
    return None


# A customer's errand that names a worker's trade ("我的快递到哪了", "外卖怎么还没送到"): not about work.
_CUSTOMER = re.compile(
    r"(快递|外卖|包裹|订单|网购).{0,6}(到哪|在哪|还没到|没到|怎么还没|没送到|送错|丢了|退款|退货|单号|查询物流)|查(快递|物流)"
)


def customer_errand(question: str) -> bool:
    """Return True for a customer asking after a parcel or a meal ("我的快递到哪了"): never a question for
    the employment plans, however well doc2query questions about couriers match its words."""
    return bool(_CUSTOMER.search(question))


def in_domain(question: str) -> bool:
    """Return True when ``question`` is about work, employment, social insurance or 人社 services at all
    (a customer asking after a parcel or a meal is not, though 快递 and 外卖 are trades here)."""
    return bool(_DOMAIN.search(question) or _LIVELIHOOD.search(question)) and not _CUSTOMER.search(question)


def about_work(question: str, lexicon: Lexicon) -> bool:
    """Return True when ``question`` names work or 人社 at all: a domain word, a colloquial word the
    lexicon knows, or one of its policy terms ("手机充不进电咋办" does not)."""
    if _CUSTOMER.search(question):
        return False
    return (
        bool(_DOMAIN.search(question))
        or bool(lexicon.expansions(question))
        or any(len(term) >= 3 and term in question for term in lexicon.terms)
    )


def general_route(region: str | None) -> str:
    """Return the standard route for a citizen: the local 人社 office and 12333."""
    where = f"{region}当地" if region and region != NATIONAL else "当地"  # "国家有没有说法" names no place
    return f"具体可以咨询{where}人社部门或公共就业服务机构，或拨打{HOTLINE}。"
