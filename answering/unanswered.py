"""The reply when no provision answers: a route to the service that handles it, what a named plan period
says, a question back to a citizen who only told their situation, an honest "not in the documents", or
out of scope."""

from __future__ import annotations

from answering.models import Answer
from answering.period import named_plan_status
from answering.reading import Reading
from answering.replies import CHECK, CLARIFY, HUMAN, OUT_OF_DOMAIN, REPHRASE, STATEMENT_ASK, plain_answer
from answering.shown import shown_provision
from knowledge.questionkind import what_is_missing
from knowledge.routing import general_route, in_domain


def unanswered(text: str, reading: Reading) -> Answer:
    """Return the reply to ``text`` when no provision answers it.

    Args:
        text: the question as typed (mended).
        reading: how it was read (kind, route, results, region, topic, what was understood, the day).

    Returns:
        A not_in_documents, clarify or out_of_domain ``Answer``; the closest provision, if any, as context.
    """
    kind, route, results, region = reading.kind, reading.route, reading.results, reading.region
    understood, topic = reading.understood, reading.topic
    today = reading.day
    context = [shown_provision(r, today, related=True) for r in results[:1]]
    prefix = f"{understood}：" if understood else ""
    if route is not None:
        lead = f"{prefix}就业政策文件里没有关于{route.topic}的具体规定。{route.text}"
        return plain_answer("not_in_documents", lead, region, topic, context)
    plan = named_plan_status(text, today) if kind.main == "validity" else None
    if plan is not None:  # "十三五那些政策现在还管用吗": what the period says, and who decides today
        lead = (
            f"{plan}。那一时期的规划和文件写的是当时的安排，看不出现在的执行情况；现在是否还在执行，"
            f"以当地人社部门现行政策为准。{general_route(region)}"
        )
        return plain_answer("not_in_documents", lead, region, topic, context, [CHECK, HUMAN])
    if kind.statement and in_domain(text) and not understood:  # "在镇上开了个修车铺": ask what they want to know
        return plain_answer("clarify", STATEMENT_ASK, region, topic, context, [CHECK, HUMAN])
    if in_domain(text) or understood:
        missing = what_is_missing(kind)
        lead = f"{prefix}政策文件里没有写明{missing}，没有找到能直接回答这个问题的条文。{general_route(region)}"
        return plain_answer("not_in_documents", lead, region, topic, context, [CHECK, HUMAN, REPHRASE])
    if len(text) <= 2:
        return plain_answer("clarify", CLARIFY, region, None)
    return plain_answer("out_of_domain", OUT_OF_DOMAIN + "人社方面的其他问题可拨打12333。", region, None)
