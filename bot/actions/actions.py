"""The eligibility check's two ends: whether a request starts it, and the policies it finds that fit."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.answers import send_messages
from actions.conversation import facts_of, skipped_facts
from actions.lexicon import lexicon
from actions.message_kinds import accepts_offer, wants_eligibility_check
from actions.messages import eligibility_messages


class ActionTriageRequest(Action):
    """Tell a bare request for the eligibility check ("我能申请什么", the button) from a question that happens
    to mention applying ("退伍军人能申请创业贷款吗"): the first starts the form, the second is answered.
    After the offer, a yes starts it and a follow-up the NLU took for a yes ("那银川呢") is answered."""

    def name(self) -> str:
        return "action_triage_request"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if (tracker.latest_message.get("intent") or {}).get("name") == "affirm":
            return [SlotSet("wants_check", accepts_offer(text))]  # a yes to the offer, or a follow-up
        return [SlotSet("wants_check", wants_eligibility_check(text))]


class ActionCheckEligibility(Action):
    """Tell the citizen which policies fit what they told us, and what is still open."""

    def name(self) -> str:
        return "action_check_eligibility"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            body = api.eligibility(facts_of(tracker), skipped_facts(tracker))
        except api.ApiUnavailable:
            dispatcher.utter_message(text=api.UNAVAILABLE)
            return []
        if "error" in body:
            dispatcher.utter_message(text=f"您提供的情况有误：{body['error']}")
            return []
        send_messages(dispatcher, eligibility_messages(body, lexicon()))
        return []
