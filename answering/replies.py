"""The fixed words of a reply: its next-action buttons and the sentences every composer path shares, and a
reply that quotes no provision as its answer."""

from __future__ import annotations

from answering.models import Answer, AnswerKind

CHECK = {"title": "看看我能申请什么", "payload": "/check_eligibility"}
HUMAN = {"title": "转人工", "payload": "/request_human"}
REPHRASE = {"title": "换个问法", "payload": "/rephrase"}
FINAL_WORD = "现行政策以当地人社部门公布的为准，可拨打12333咨询。"
OUT_OF_DOMAIN = "这个问题不在就业政策的范围内。我可以回答就业创业、技能培训、社保补贴等方面的政策问题。"
BARE_REPLY = "好的。您可以直接说想了解的政策，或者点“看看我能申请什么”，我帮您查。"
STATEMENT_CLOSEST = "和您说的情况最相关的条文是："
STATEMENT_ASK = "您想具体了解哪方面，比如能申请哪些补贴、培训怎么参加、社保怎么交，可以接着问我。"
CLARIFY = "没太明白您想问什么。可以说说您的情况和想了解的事，比如“我在银川跑外卖 能交养老保险吗”。"


def plain_answer(
    kind: AnswerKind,
    lead: str,
    region: str | None,
    topic: str | None,
    context: list[dict[str, object]] | None = None,
    actions: list[dict[str, str]] | None = None,
) -> Answer:
    """Return an answer without a lead provision (the closest one, if any, follows as context).

    Args:
        kind: not_in_documents, out_of_domain or clarify.
        lead: what the citizen reads first.
        region: the conversation's region.
        topic: the conversation's topic, kept for the next turn.
        context: provisions shown under the lead.
        actions: the buttons; by default 转人工 and 换个问法 (换个问法 alone for a clarify).

    Returns:
        The ``Answer``.
    """
    if actions is None:
        actions = [HUMAN, REPHRASE] if kind != "clarify" else [REPHRASE]
    return Answer(
        kind=kind,
        understood="",
        lead=lead,
        source="",
        provisions=context or [],
        policy=None,
        period_status=None,
        next_actions=actions,
        topic=topic,
        region=region,
    )
