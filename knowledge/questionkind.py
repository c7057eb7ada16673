"""What kind of thing a question asks for: an amount, a procedure or place, whether something is
still valid, the conditions, a yes/no, or just "what is there for me"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["amount", "procedure", "validity", "conditions", "yes_no", "general"]

# Money, rates and standards: "补多少", "利息多少", "缴费基数", "每月多少钱", "最多贷多少".
_AMOUNT = re.compile(
    r"多少钱|多少元|几块|补多少|补贴多少|给多少|发多少|贷多少|能贷多少|领多少|拿多少|挣多少|返多少|减多少|免多少|"
    r"少交多少|多拿|交多少|缴多少|扣多少|额度|最多能贷|最高能贷|最多贷|最高贷|(利息|利率|贴息).{0,4}(多少|几|咋算|怎么算)|"
    r"缴费基数|基数|几多|"
    r"标准是多少|啥标准|什么标准|补贴标准|每[个]?月多少|一个月多少|一年多少|多少比例|占多少|几成|工资多少|指导价|"
    r"能补多少|补助有多少|有多少|多少"
)
# How, where, what to bring, how long: the plans almost never say.
_PROCEDURE = re.compile(
    r"怎么申请|咋申请|如何申请|怎样申请|怎么办理|咋办理|如何办理|(?<![这的我俺们会懂行了\s，,。])(咋弄|怎么弄)|(咋弄|怎么弄)(?=[^\s，,。？?！!啊呀呢吧嘛哩])|(去|上|到)哪(儿|里)?(办|申请|登记|报|交|领|问|咨询|查)|"
    r"(哪里|哪儿)(?!(能|可以)?(让|给|帮|带)(我|俺|咱|他|她|孩子|娃|人))|在哪|什么地方|啥地方|地址|电话|网址|平台叫|材料|资料|带什么|带啥|带(齐|咩|乜)|准备(啥|什么)|要啥证明|证明|手续|流程|步骤|"
    r"(咋|怎么|怎样|如何)(登记|交|缴|报|领|查|办(?=[^\s，,。？?！!呢啊呀吧哩嘛咧啦嘞捏]))|(怎么|咋|如何|去哪|在哪|哪里)报名|报名(流程|时间|地点|方式)|几月|几号|"
    r"多久|多长时间|几天|"
    r"什么时候|啥时候|截止|期限|最晚|最长|最短|(?<![前这近好了十一二三四五六七八九两])几(年|个月|天)(?![了前后以还就再])|多少年|多少天|找哪个部门|哪个部门|几点|报到|"
    r"有边|边度|喺边|哪几|哪家|哪些学校|网址|叫啥名|叫什么|"
    # how to get one's money or rights back ("这钱咋要", "怎么讨回来", "咋维权"): a procedure the plans do not give
    r"(咋|怎么|怎样|如何)(要|讨|追)(回来|回)?(?=$|[\s，,。？?！!])|(咋|怎么|怎样|如何)(讨回|追回|要回|维权|投诉|举报|反映)"
)
# "还有效吗", "现在还能…不", "建成了没", "今年还发不": the asker wants to know how things stand today.
_VALIDITY = re.compile(
    r"还有效|有效期|还管用|还算数|还作数|作不作数|过期|作废|失效|废止|(现在|今年|目前)还(有效|管用|算|能|可以|发|执行|享受|办)|"
    r"[建弄办]好了没|[建弄办]成了没|建成没|现在.{0,6}(多少|几个|怎么样|啥情况)|现在的.{0,6}是多少|还在执行|还执行"
)
# Whether a benefit exists: a subsidy, an allowance, a fee waived ("学电焊那阵子给不给生活补助", "考证能报销不").
# A cost and who bears it ("路费谁出", "学费得自己掏不") asks the same.
_BENEFIT = re.compile(
    r"补贴|补助|津贴|资助|生活费|报销|免费|减免|贴息|路费|车费|交通费|学费|培训费|谁(出|掏|承担)|自己(出|掏)|"
    r"(俾|畀|交|收|掏|花|要)钱|收费|自费"
)
_CONDITIONS = re.compile(r"条件|要求|资格|门槛|符合|够不够|算不算|能不能申请|能申请|可以申请|啥人能|什么人能|谁能")
# Asking what the conditions are ("要啥条件", "有什么要求"), not whether one qualifies.
_CONDITIONS_ASKED = re.compile(r"(啥|什么|哪些|有没有|要|需要)(条件|要求|门槛)|条件是|资格是|够格")
# Anything that asks: a question mark, a question word or particle, an A-not-A pair ("多不多", "算唔算"),
# "真的假的". A message with none of them tells the asker's situation ("在镇上开了个修车铺").
_ASKS = re.compile(
    r"[？?]|[吗嘛呢么咩啊呀][\s。！!]*$|[不没冇唔][\s。！!]*$|(.)[不没唔]\1|真的假的|是真是假|定系|还是|"
    r"啥|什么|咋|怎|如何|哪|谁|几|多少|多长|多久|多大|有没有|可以|能否|能|要不要|有冇|点样|边度|边个|乜|係咪|点算|想知道|请问|问一下|"
    r"帮我|帮俺|给我说说|说说|讲讲|介绍"
)
# ... and it is the asker's situation, not a topic typed as keywords ("创业担保贷款", "失业保险申领渠道")
_SITUATION = re.compile(r"我|俺|咱|自己|家里|孩子|娃|老公|媳妇|老婆|爸|妈|了|在|干|上班|打工|做")
_YES_NO = re.compile(r"[吗嘛不没][？?！!。\s]*$|有没有|能不能|可不可以|是不是|算不算|中不中|行不行|有冇|係咪|可唔可以")


@dataclass(frozen=True)
class QuestionKind:
    """The kinds a question asks for (one question can ask several) and the most specific one."""

    kinds: frozenset[str]

    @property
    def main(self) -> Kind:
        """The most specific kind: validity, amount, procedure, conditions, yes_no, general."""
        for kind in ("validity", "amount", "procedure", "conditions", "yes_no"):
            if kind in self.kinds:
                return kind
        return "general"

    @property
    def asks_conditions(self) -> bool:
        """True when the question asks what the conditions are ("要啥条件")."""
        return "conditions_asked" in self.kinds

    @property
    def statement(self) -> bool:
        """True when the message asks nothing: it tells the asker's situation ("在镇上开了个修车铺")."""
        return "statement" in self.kinds and self.main == "general"

    @property
    def specific(self) -> bool:
        """True when the question asks for a figure or a procedure the documents must state to answer."""
        return bool(self.kinds & {"amount", "procedure"})


def classify(question: str) -> QuestionKind:
    """Return the kinds ``question`` asks for.

    Args:
        question: the question as typed.

    Returns:
        A ``QuestionKind``; ``main`` is ``general`` when nothing specific is asked.
    """
    kinds = set()
    if _VALIDITY.search(question):
        kinds.add("validity")
    if _AMOUNT.search(question) and not re.search(r"有多少(人|家|个地方)", question):
        kinds.add("amount")
    if _PROCEDURE.search(question):
        kinds.add("procedure")
    if _BENEFIT.search(question):
        kinds.add("benefit")
    if _CONDITIONS.search(question):
        kinds.add("conditions")
    if _CONDITIONS_ASKED.search(question):
        kinds.add("conditions_asked")
    if _YES_NO.search(question):
        kinds.add("yes_no")
    if not _ASKS.search(question) and _SITUATION.search(question):
        kinds.add("statement")
    return QuestionKind(frozenset(kinds))


def what_is_missing(kind: QuestionKind) -> str:
    """Return what the documents would have to state, in words ("具体金额和标准")."""
    if "amount" in kind.kinds:
        return "具体金额、比例或标准"
    if "procedure" in kind.kinds:
        return "具体的办理地点、流程、材料和时限"
    if "conditions_asked" in kind.kinds:
        return "具体的申请条件"
    if "benefit" in kind.kinds:
        return "有没有这方面的补贴、资助或费用减免"
    return "这方面的具体规定"
