"""Hand off to a person: 12333 and the local 人社 office, after answering any question asked with it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import api
from actions.answers import answer_question, answered, not_an_answer
from actions.message_kinds import asks_for_person, is_real_question, question_besides_handoff
from actions.messages import HUMAN, HUMAN_BUTTONS


class ActionHumanHandoff(Action):
    """Point to 12333 and the local 人社 office, after answering any policy question the message also asks."""

    def name(self) -> str:
        return "action_human_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and not asks_for_person(text):
            # the NLU heard a request for a person in a message that names none: a question, or inside the form a
            # reply it misheard ("厂里让待岗" to 就业状态); both count against the form's retry budget — answered
            # with no budget, the form had asked the same question twelve times
            if tracker.active_loop_name == "eligibility_form" and not is_real_question(text):
                return not_an_answer(text, tracker, dispatcher)
            return answered(text, tracker, dispatcher)
        question = question_besides_handoff(text)
        events: list[EventType] = []
        if question:  # "灵活就业怎么交养老保险 能转人工吗": the answer first, then the way to a person
            events = answer_question(question, tracker, dispatcher)
        hours = api.office_hours()
        dispatcher.utter_message(text=HUMAN + (f"人工坐席时间：{hours}。" if hours else ""), buttons=HUMAN_BUTTONS)
        return events
