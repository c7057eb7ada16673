"""How answers read: a provision with its source line, eligibility results, the next question."""

from __future__ import annotations

import re
from typing import Any

FINAL_WORD = "具体以当地人社部门现行政策为准，可拨打12333咨询。"
NO_ANSWER = "抱歉，知识库里没有找到能可靠回答这个问题的政策条文。建议拨打12333或咨询当地人社部门，也可以转人工。"
HUMAN = "如需人工服务，请拨打人社服务热线12333（工作时间有人工坐席），或到当地人社局、公共就业服务机构窗口咨询。"
OFFER = "要我帮您看看还能申请哪些政策吗？"
HUMAN_BUTTONS = [{"title": "拨打12333", "payload": "tel:12333"}, {"title": "换个问法", "payload": "/ask_policy"}]
ANSWERED_KINDS = ("answer", "policy")
SHOWN_IN_FULL = 4  # eligible policies shown with benefit, reason and citation
NAMED_AFTER = 6  # ... and of the rest, this many named on one line
MAX_ROUTES = 2  # distinct "how to apply" routes of the shown policies, said once under them


def composed_messages(body: dict[str, Any], offer: bool) -> list[dict[str, Any]]:
    """Turn a /api/answer reply into bot messages: the answer (lead, source line, one related provision),
    then, when the question was answered and ``offer`` is set, the offer of an eligibility check."""
    kind = body.get("kind")
    # the check is offered after an answer, and after an honest "the documents do not say" that the composer
    # marks as worth it (a described situation: "一家子没一个挣钱的"); not after routing to another service
    checkable = kind in ANSWERED_KINDS or any(
        (a or {}).get("payload") == "/check_eligibility" for a in body.get("next_actions") or []
    )
    citations = [
        {
            "id": p["id"],
            "text": p["text"],
            "source": p["source"],
            "period_status": (p.get("period_status") or {}).get("text"),
        }
        for p in body.get("provisions") or []
    ]
    custom: dict[str, Any] = {"citations": citations, "kind": kind}
    if kind not in ANSWERED_KINDS:
        custom["no_answer"] = True  # the gateway records it for maintainers
    buttons = [{"title": "转人工", "payload": "/request_human"}]
    if checkable and not offer:
        buttons = [{"title": "看看我能申请什么", "payload": "/check_eligibility"}, *buttons]
    if kind in ("not_in_documents", "out_of_domain"):
        buttons = [{"title": "拨打12333", "payload": "tel:12333"}, *buttons]
    messages = [{"text": body.get("text") or body.get("lead") or NO_ANSWER, "custom": custom, "buttons": buttons}]
    if offer and checkable:
        messages.append(
            {
                "text": OFFER,
                "buttons": [
                    {"title": "帮我看看能申请什么", "payload": "/check_eligibility"},
                    {"title": "不用了", "payload": "/deny"},
                ],
            }
        )
    return messages


def source_line(result: dict[str, Any]) -> str:
    """《文件名》文号 · 章节 · 发布日期 · 适用地区 · 规划期 for one search result."""
    return str(result.get("citation") or result["doc"]["title"])


def answer_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Turn a /api/search answer into bot messages (text, citations, buttons)."""
    results = body.get("results") or []
    if not body.get("reliable") or not results:
        # "no_answer" lets the web gateway record the question for maintainers.
        return [
            {
                "text": NO_ANSWER,
                "custom": {"no_answer": True},
                "buttons": [
                    {"title": "转人工", "payload": "/request_human"},
                    {"title": "看看我能申请什么", "payload": "/check_eligibility"},
                ],
            }
        ]
    # A provision that applies where the citizen is (national, their province or city) answers first;
    # another region's ("广东" for someone in 银川) only follows, marked as such.
    results = sorted(results, key=lambda r: r.get("applies") is False)  # stable: ranking kept within each
    best = results[0]
    citations = [{"id": r["id"], "text": r["text"], "source": source_line(r)} for r in results[:3]]
    text = f"{_elsewhere(best)}{best['text']}\n\n来源：{source_line(best)}\n{FINAL_WORD}"
    more = [r for r in results[1:3]]
    if more:
        text += "\n\n相关条文：" + "".join(f"\n· {_elsewhere(r)}{r['text']}" for r in more)
    return [
        {
            "text": text,
            "custom": {"citations": citations},
            "buttons": [
                {"title": "看看我能申请什么", "payload": "/check_eligibility"},
                {"title": "转人工", "payload": "/request_human"},
            ],
        }
    ]


_HOTLINE_TAIL = re.compile(r"[，,；;]?\s*(也可以?|或)(拨打)?12333(咨询)?[。.]?$")


def apply_routes(results: list[dict[str, Any]]) -> str:
    """The distinct ``how_to_apply`` routes of ``results`` (at most ``MAX_ROUTES``) as one sentence, the
    hotline said once at the end; "" when none is given."""
    routes = list(dict.fromkeys(str(r["how_to_apply"]).strip() for r in results if r.get("how_to_apply")))
    if not routes:
        return ""
    bare = [_HOTLINE_TAIL.sub("", route).rstrip("。") for route in routes[:MAX_ROUTES]]
    return "；".join(bare) + "，也可拨打12333。"


def _elsewhere(result: dict[str, Any]) -> str:
    """ "（广东的政策，仅供参考）" before a provision of another region than the citizen's, else ""."""
    if result.get("applies") is not False:
        return ""
    return f"（{result['doc'].get('region') or '其他地区'}的政策，仅供参考）"


def eligibility_messages(body: dict[str, Any], labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Summarise /api/eligibility: eligible policies with reason and citation, then open ones."""
    results = body.get("results") or []
    eligible = [r for r in results if r["status"] == "eligible"]
    unknown = [r for r in results if r["status"] == "unknown"]
    messages: list[dict[str, Any]] = []
    if eligible:
        lines = ["根据您提供的情况，您可能符合以下政策："]
        citations = []
        for r in eligible[:SHOWN_IN_FULL]:
            reason = next((x for x in r["reasons"] if x.startswith("符合")), r["reasons"][0] if r["reasons"] else "")
            cite = r["citations"][0] if r["citations"] else {}
            where = cite.get("source") or cite.get("number") or "相关政策文件"  # never the internal id
            why = reason.split("（依据")[0]
            lines.append(f"✅ {r['name']}：{r['benefit']}\n   理由：{why}\n   依据：{where}“{cite.get('quote', '')}”")
            if r.get("period_ended"):
                lines.append("   注意：该政策所属规划期已结束，请向当地人社部门确认现行政策。")
            citations.append({"policy": r["policy_id"], **cite})
        if routes := apply_routes(eligible[:SHOWN_IN_FULL]):
            # where to apply, once: most policies share the same route (人社部门, 公共就业服务机构, 12333)
            lines.append(f"怎么申请：{routes}")
        rest = eligible[SHOWN_IN_FULL:]
        if rest:
            # named, so the citizen can ask about one: "另有 N 项" alone left them nothing to ask with
            names = "；".join(r["name"] for r in rest[:NAMED_AFTER])
            more = f"等 {len(rest)} 项" if len(rest) > NAMED_AFTER else ""
            lines.append(f"另外您可能还符合：{names}{more}。想了解哪项，直接问我它的名称。")
        lines.append(FINAL_WORD)
        messages.append({"text": "\n".join(lines), "custom": {"citations": citations}})
    else:
        messages.append({"text": "按目前掌握的情况，还没有能确定符合的政策。"})
    if unknown:
        facts = labels.get("facts", {})
        lines = ["以下政策还需要确认一些情况："]
        for r in unknown[:5]:
            needed = "、".join(facts.get(f, {}).get("label", f) for f in r["missing"])
            lines.append(f"❓ {r['name']}（还需要：{needed}）")
        messages.append({"text": "\n".join(lines)})
    buttons = [
        {"title": "继续补充情况", "payload": "/check_eligibility"},
        {"title": "问个具体问题", "payload": "/ask_policy"},
        {"title": "转人工", "payload": "/request_human"},
    ]
    messages[-1]["buttons"] = buttons
    return messages
