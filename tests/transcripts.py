"""Record five real conversations through the whole stack: docs/transcripts.md.

Run from the repository root with the app environment (it starts the web app, Rasa and the action
server on free loopback ports through tests/stack.py, and needs the trained model):

    .venv/bin/python -m tests.transcripts [--out docs/transcripts.md] [--url http://127.0.0.1:8000]

``--url`` talks to a stack that is already running instead of starting one. Each conversation is a
script of citizen messages; where it says ``ANSWER``, the citizen answers the eligibility form's
questions from their own situation (a question with no answer in it gets "跳过") until the bot
gives its results.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.facts import FACTS

ROOT = Path(__file__).resolve().parents[1]

ANSWER = "ANSWER"  # answer the form's questions until it gives its results


@dataclass
class Conversation:
    """A citizen: what they say, and how they answer each eligibility question."""

    title: str
    script: list[str]
    answers: dict[str, str]
    # a question the citizen asks instead of answering, the first time a given fact is asked
    digressions: dict[str, str] = field(default_factory=dict)


CONVERSATIONS = [
    Conversation(
        "高校毕业生（深圳）",
        [
            "你好",
            "我去年大学毕业的 在深圳 到现在还没找到工作 有啥补贴吗",
            "那我能申请哪些政策",
            ANSWER,
            "谢谢 再见",
        ],
        {
            "region": "深圳",
            "groups": "大学毕业生",
            "employment_status": "还没找到工作",
            "years_since_graduation": "去年毕业的",
            "grassroots_job": "不是",
            "enlisting": "不打算当兵",
            "business_first_time": "没创过业",
            "business_operating_years": "跳过",
        },
        {"grassroots_job": "就业见习补贴去哪里申请"},
    ),
    Conversation(
        "灵活就业人员（银川）",
        [
            "我在银川送外卖 没签劳动合同 能自己交养老保险吗",
            "帮我看看我还符合什么政策",
            ANSWER,
            "交社保的话要去哪办 能转人工吗",
            "好的谢谢",
        ],
        {
            "region": "银川",
            "groups": "送外卖的",
            "employment_status": "有工作 在跑外卖",
            "labor_contract": "没签",
            "business_first_time": "不是",
            "years_to_retirement": "还有二十多年",
        },
        {"labor_contract": "你是机器人吗"},
    ),
    Conversation(
        "想创业的返乡人员（临清）",
        [
            "我是临清的 在外面打了几年工 想回老家开个小超市 有什么扶持吗",
            "我能申请什么补贴",
            ANSWER,
            "谢谢你",
        ],
        {
            "region": "临清",
            "groups": "返乡农民工",
            "employment_status": "现在没工作",
            "business_first_time": "是第一次",
            "business_operating_years": "还没开起来",
            "employer_type": "不是",
        },
        {"business_first_time": "创业担保贷款怎么申请"},
    ),
    Conversation(
        "追问：创业担保贷款（宁夏）",
        ["创业担保贷款怎么申请", "那宁夏呢", "妇女能申请吗", "利息是多少", "谢谢"],
        {},
    ),
    Conversation(
        "金额与时效（聊城）",
        [
            "我在聊城一个厂里上班 交失业保险三年多了 今年考了电工证 技能提升补贴能发多少钱",
            "十三五时候的那些政策现在还管用吗",
            "转人工",
        ],
        {},
    ),
]


class Chat:
    """One conversation through ``POST /api/chat``; keeps the session token."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session: str | None = None

    def send(self, message: str) -> list[dict[str, Any]]:
        body = {"message": message, **({"session": self.session} if self.session else {})}
        request = urllib.request.Request(
            self.url + "/api/chat", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as reply:
            answer = json.loads(reply.read())
        self.session = answer.get("session", self.session)
        messages: list[dict[str, Any]] = answer.get("messages", [])
        return messages


# The form's own questions besides the facts': groups heard before it asked ("您还属于…"), a poor family.
OTHER_QUESTIONS = {"您还属于下面哪类人员吗": "more_groups", "建档立卡贫困户（脱贫户）或低保家庭": "poverty"}
# What a citizen says to them when the script gives no answer: nothing more, or not sure.
OTHER_DEFAULTS = {"more_groups": "没有了", "poverty": "不是"}


def asked_fact(messages: list[dict[str, Any]]) -> str | None:
    """Return the fact the bot's last message asks for (its wording comes from knowledge/facts.py), or
    one of the form's other questions (``OTHER_QUESTIONS``)."""
    if not messages:
        return None
    text = messages[-1].get("text") or ""
    other = next((name for words, name in OTHER_QUESTIONS.items() if words in text), None)
    return other or next((name for name, spec in FACTS.items() if spec.question in text), None)


def run(conversation: Conversation, url: str, max_form_turns: int = 16) -> list[tuple[str, list[dict[str, Any]]]]:
    """Play one conversation; return (citizen message, bot messages) per turn."""
    chat = Chat(url)
    turns: list[tuple[str, list[dict[str, Any]]]] = []
    digressions = dict(conversation.digressions)

    def say(message: str) -> list[dict[str, Any]]:
        messages = chat.send(message)
        turns.append((message, messages))
        return messages

    last: list[dict[str, Any]] = []
    for step in conversation.script:
        if step != ANSWER:
            last = say(step)
            continue
        asked: list[str] = []
        for _ in range(max_form_turns):
            fact = asked_fact(last)
            if fact is None:
                break
            asked.append(fact)
            if fact in digressions:
                say(digressions.pop(fact))  # the question is answered and the form asks again
            # a citizen asked the same thing a third time gives up on it
            default = OTHER_DEFAULTS.get(fact, "跳过")
            answer = conversation.answers.get(fact, default) if asked.count(fact) < 3 else "跳过"
            last = say(answer)
    return turns


def markdown(results: list[tuple[Conversation, list[tuple[str, list[dict[str, Any]]]]]]) -> str:
    lines = [
        f"# {len(results)} 段真实对话（完整系统：网页网关 → Rasa → 动作服务 → 知识库）",
        "",
        f"由 `python -m tests.transcripts` 于 {time.strftime('%Y-%m-%d %H:%M')} 录制：每条消息都经过 `POST /api/chat`。"
        "按钮以【】标出，引用的政策原文在回答里的“来源”一行。",
        "",
    ]
    for number, (conversation, turns) in enumerate(results, 1):
        lines += [f"## {number}. {conversation.title}", ""]
        for message, replies in turns:
            lines += [f"**用户：** {message}", ""]
            for reply in replies:
                text = (reply.get("text") or "").strip()
                quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
                lines.append(f"> **助手：** {quoted[2:]}" if quoted else "> **助手：**")
                buttons = [b.get("title", "") for b in reply.get("buttons") or []]
                if buttons:
                    lines += [">", "> " + " ".join(f"【{b}】" for b in buttons)]
                lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "transcripts.md")
    parser.add_argument("--url", help="a running stack (default: start one on free loopback ports)")
    args = parser.parse_args(argv)
    stack = None
    url = args.url
    if url is None:
        from tests.stack import Stack

        stack = Stack(Path(tempfile.mkdtemp(prefix="transcripts-"))).start()
        url = stack.url
    try:
        results = [(c, run(c, url)) for c in CONVERSATIONS]
    finally:
        if stack is not None:
            stack.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(results) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
