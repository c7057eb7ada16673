"""The actions that ask the eligibility form's questions, one per fact (``action_ask_<fact>``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import FACT_SLOTS
from actions.lexicon import lexicon

GROUP_BUTTONS = (
    "graduate",
    "migrant_worker",
    "platform_worker",
    "flexible_worker",
    "veteran",
    "hard_to_employ",
    "disabled",
    "poor_household",
    "enterprise_employee",
    "woman",
)


def short_label(code: str) -> str:
    """A group's label without its explanation in brackets ("农民工（农村转移劳动者）" → "农民工")."""
    label: str = lexicon()["group_labels"].get(code, code)
    return label.split("（")[0]


def _ask_action(slot: str) -> type:
    """Make the action that asks for one fact (``action_ask_<slot>``), worded as in knowledge/facts.py."""

    class AskFact(Action):
        def name(self) -> str:
            return f"action_ask_{slot}"

        def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
            spec = lexicon()["facts"][slot]
            buttons: list[dict[str, Any]] = []
            if spec["kind"] == "bool" or slot == "employer_type":
                buttons = [
                    {"title": "是", "payload": "/affirm"},
                    {"title": "不是", "payload": "/deny"},
                    {"title": "不清楚", "payload": "/dont_know"},
                ]
            elif slot == "groups":
                buttons = [
                    {"title": short_label(code), "payload": f'/inform{{"group":"{code}"}}'} for code in GROUP_BUTTONS
                ] + [{"title": "以上都不是", "payload": "都不是"}]
            elif slot == "employment_status":
                buttons = [
                    {"title": label, "payload": f'/inform{{"employment_status":"{code}"}}'}
                    for code, label in lexicon()["employment_labels"].items()
                ]
            question = f"{spec['question']}（不想回答可以说“跳过”）"
            heard = tracker.get_slot("heard_groups") if slot == "groups" else None
            if heard:
                # groups heard before the form asked: said back, and asked for any others
                said = "、".join(short_label(code) for code in heard)
                # said back in a message of its own: the question stays about groups alone ("高校毕业生" in it
                # reads as a question about graduation to anyone skimming for the topic)
                dispatcher.utter_message(text=f"您提到的身份：{said}。")
                question = "除此之外，您还属于下面哪类人员吗？（可多选；没有了就说“没有了”）"
                buttons = [b for b in buttons if b["payload"] != "都不是"] + [{"title": "没有了", "payload": "没有了"}]
                buttons = [b for b in buttons if not any(f'"{code}"' in b["payload"] for code in heard)]
            dispatcher.utter_message(text=question, buttons=buttons)
            return []

    AskFact.__name__ = AskFact.__qualname__ = "ActionAsk" + "".join(part.title() for part in slot.split("_"))
    return AskFact


class ActionAskPoverty(Action):
    """Ask whether the family is a 建档立卡 (脱贫) or 低保 one; the answer joins the asker's groups."""

    def name(self) -> str:
        return "action_ask_poverty"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        buttons = [
            {"title": "建档立卡/脱贫户", "payload": "建档立卡户"},
            {"title": "低保家庭", "payload": "低保户"},
            {"title": "都不是", "payload": "都不是"},
        ]
        question = "您家是建档立卡贫困户（脱贫户）或低保家庭吗？（不想回答可以说“跳过”）"
        dispatcher.utter_message(text=question, buttons=buttons)
        return []


ASK_ACTIONS = [*(_ask_action(slot) for slot in FACT_SLOTS), ActionAskPoverty]
