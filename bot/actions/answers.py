"""Answer a policy question from the knowledge base: the composed reply, the topic it remembers, small talk."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.budgets import back_to_form, interruption_budget
from actions.conversation import (
    already_offered,
    conversation_context,
    earlier_value,
    facts_stated,
    is_canonical,
    with_stated_facts,
)
from actions.message_kinds import COURTESY_INTENTS, asks_something, is_real_question, looks_like_question
from actions.messages import composed_messages

NOT_AN_ANSWER = "没太明白您的回答，可以点下面的按钮，或者说“跳过”。"


def send_messages(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    """Utter each composed message (text, buttons, custom payload) in order; returns nothing."""
    for message in messages:
        dispatcher.utter_message(
            text=message.get("text"), buttons=message.get("buttons", []), json_message=message.get("custom")
        )


def answer_question(
    question: str, tracker: Tracker, dispatcher: CollectingDispatcher, offer: bool = False
) -> list[EventType]:
    """Answer a question with the composed reply (lead, source, related provision), or say why not.

    Returns:
        The events that remember the conversation's topic for the next follow-up.
    """
    context = with_stated_facts(conversation_context(tracker), question)
    before = earlier_value(tracker, "region")
    if is_canonical("region", before):
        # the NLU fills the slot with any place a message names ("大娃想去福建那边打工": where he goes); the
        # composer reads a place the question names itself, against the region the conversation had
        context["region"] = before
    try:
        body = api.answer(question, context)
    except api.ApiUnavailable:
        dispatcher.utter_message(text=api.UNAVAILABLE)
        return []
    if "error" in body:
        dispatcher.utter_message(text=body["error"])
        return []
    send_messages(dispatcher, composed_messages(body, offer))
    events: list[EventType] = [SlotSet("previous_question", question)]
    if body.get("topic"):
        events.append(SlotSet("topic", body["topic"]))
    provisions = body.get("provisions") or []
    if provisions and provisions[0].get("id"):
        events.append(SlotSet("previous_provision", provisions[0]["id"]))
    # "长沙的 …": the composer knows every place in China; the conversation keeps the region it answered
    # for (the place asked about, "那宁夏呢", or the asker's own when a place was only where someone goes)
    region = body.get("region")
    if region and is_canonical("region", region) and region != tracker.get_slot("region"):
        events.append(SlotSet("region", region))
    return events


class ActionAnswerQuestion(Action):
    """Answer the question first, from the knowledge base (the composer decides what an answer is), remember
    the topic and the facts it states, and offer the eligibility check."""

    def name(self) -> str:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        if question.startswith("/"):
            dispatcher.utter_message(text="请直接输入您想问的政策问题，例如“毕业两年了还能领见习补贴吗”。")
            return []
        if tracker.active_loop_name == "eligibility_form" and not looks_like_question(question):
            # a reply to the form's question that the NLU took for a question ("在镇上开了个修车铺 带了两个徒弟"):
            # read against the topic it only repeated the first answer; the form asks once more, then skips
            return not_an_answer(question, tracker, dispatcher)
        return answered(question, tracker, dispatcher)


def answered(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """Answer ``text`` as a question (offering the check outside the form) and keep the facts it states.

    Returns:
        The answer's events, the facts stated and, in the middle of the form, its retry budget and the
        hand-back to it.
    """
    offer = tracker.active_loop_name is None and not already_offered(tracker)
    events = answer_question(text, tracker, dispatcher, offer) + facts_stated(text, tracker)
    return events + interruption_budget(tracker, dispatcher) + back_to_form(tracker)


def not_an_answer(text: str, tracker: Tracker, dispatcher: CollectingDispatcher) -> list[EventType]:
    """A reply in the middle of the form that is no answer and asks nothing: "没太明白您的回答", counted against
    the form's one retry, its stated facts kept.

    Returns:
        The facts stated, the retry (or skip) of the fact asked and the hand-back to the form.
    """
    facts = facts_stated(text, tracker)
    return facts + interruption_budget(tracker, dispatcher, NOT_AN_ANSWER) + back_to_form(tracker)


SMALL_TALK = {"bot_challenge": "utter_iamabot", "feedback": "utter_feedback"}
SMALL_TALK |= {"greet": "utter_greet", "goodbye": "utter_goodbye"}


class ActionSmallTalk(Action):
    """Answer a greeting, a goodbye, "are you a robot" or feedback with its response, unless the message
    is really a policy question the NLU misheard ("现在全国的失业率是多少 是不是百分之五点二", "娃想去外省打工
    有人带么"): then it is answered."""

    def name(self) -> str:
        return "action_small_talk"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        intent = str((tracker.latest_message.get("intent") or {}).get("name"))
        asks = is_real_question(text) or (intent in COURTESY_INTENTS and asks_something(text))
        if not text.startswith("/") and asks:
            return answered(text, tracker, dispatcher)
        if tracker.active_loop_name == "eligibility_form" and intent == "feedback":
            # "还在上学" to "您现在是未就业、在职…" read as feedback: no thanks, a reply not understood — asked
            # once more, then skipped (thanking it sent the form round the same question for ever)
            return not_an_answer(text, tracker, dispatcher)
        dispatcher.utter_message(response=SMALL_TALK.get(intent, "utter_feedback"))
        return interruption_budget(tracker, dispatcher) + back_to_form(tracker)
