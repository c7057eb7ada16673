"""The eligibility form's groups questions: the asker's groups added up over the conversation, held until
the groups question is asked, and whether the family is a poor one (建档立卡, 低保)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.budgets import skip_fact
from actions.conversation import POOR_GROUPS, canonical_part, earlier_value, groups_asked, is_canonical, stated_facts
from actions.form_retry import declined, read_bool, reply_text, retry, unclear
from actions.lexicon import lexicon
from actions.message_kinds import looks_like_question
from actions.parsing import hints_hardship, parse_groups, says_no_group, says_no_more

NO_GROUP = "好的，您不属于这几类人员。"


def ask_poverty(tracker: Tracker, skipped: list[str]) -> bool:
    """Whether to ask "您家是建档立卡贫困户或低保家庭吗": the groups are answered, name no poor family,
    and the asker lives in the countryside or has spoken of hardship ("屋企好穷"). Several policies are
    for those families (求职创业补贴, 公益性岗位, 技能扶贫); a citizen rarely names the group unasked.

    Returns:
        True when the form should ask the question.
    """
    groups = tracker.get_slot("groups")
    if not isinstance(groups, list) or set(groups) & set(POOR_GROUPS):
        return False
    if tracker.get_slot("poverty") is not None or "poverty" in skipped:
        return False
    rural = bool(set(groups) & {"rural_resident", "relocated", "school_leaver"})
    said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "user"]
    return rural or any(hints_hardship(text) for text in said)


def _held(result: dict[str, Any], tracker: Tracker) -> dict[str, Any]:
    """Groups heard before the form asked about them ("大专毕业" in the opening question, "我是退伍的"
    said to another question) are held in ``heard_groups`` so that the groups question is still asked
    once ("您提到的身份：高校毕业生。您还属于…"): a graduate from a 建档立卡 family was never asked, and the
    policies for that group never shown. They stand as the asker's groups meanwhile (``facts_of``)."""
    groups = result["groups"]
    asked = tracker.get_slot("requested_slot") == "groups" or groups_asked(tracker)
    if asked or not groups or "groups" in (tracker.get_slot("skipped_facts") or []):
        return result
    return {"groups": None, "heard_groups": groups}


class GroupsValidation:
    """The validators of the groups and poverty slots, mixed into the eligibility form's validation action."""

    def validate_groups(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Add the groups the answer names to those known; "都不是" and "没有了" are answers too.

        Returns:
            The slot values to set: the groups (or held in ``heard_groups``), or the skip or retry.
        """
        text = reply_text(tracker)
        # groups add up over the conversation: a group the extractor hears now does not replace the earlier ones
        earlier = canonical_part("groups", earlier_value(tracker, "groups")) or []
        heard = canonical_part("groups", tracker.get_slot("heard_groups")) or []
        known = list(dict.fromkeys([*heard, *earlier]))
        said = parse_groups(text)
        if is_canonical("groups", value):
            if not text.startswith("/"):  # typed, not a button
                # a group the NLU hears must be the asker's own: "老公打散工" said to 就业状态 is the husband's
                # 灵活就业, "唔系应届生" denies one (the text reading knows; the entity does not)
                entities = tracker.latest_message.get("entities") or []
                now = {e.get("value") for e in entities if e.get("entity") == "group"}
                value = [v for v in value if v not in now or v in known or v in said]
            return _held({"groups": list(dict.fromkeys(known + value + said))}, tracker)
        if declined(tracker):
            # nothing more to say: the groups heard before stand as the answer
            return {"groups": known} if heard else skip_fact("groups", tracker)
        codes = [v for v in (value if isinstance(value, list) else [value]) if v in lexicon()["group_labels"]]
        codes = list(dict.fromkeys(codes + said))
        if codes:
            return _held({"groups": list(dict.fromkeys(known + codes))}, tracker)
        if tracker.get_slot("requested_slot") == "groups" and heard and says_no_more(text):
            return {"groups": known}  # "没有了": the groups heard are all
        if tracker.get_slot("requested_slot") == "groups" and says_no_group(text):
            # none of the groups offered: an answer, so no "没听明白"; what was known stands, else "none" (an
            # empty list: the policies for a group do not fit, and are neither asked about nor listed as open)
            dispatcher.utter_message(text=NO_GROUP)
            return {"groups": known}
        if set(stated_facts(text)) - {"groups"} and not looks_like_question(text):
            # "银川" answers another question: kept, and this one asked again (once)
            return retry("groups", "", dispatcher, tracker)
        return unclear("groups", "没听明白您的身份，可以点下面的按钮选择。", dispatcher, tracker)

    def validate_poverty(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "系建档立卡户" / "吃着低保" / "是" / "不是": the family's group joins the asker's groups.

        Returns:
            The slot values to set: the answer and the groups it adds, or the skip or retry.
        """
        if declined(tracker):
            return skip_fact("poverty", tracker)
        groups = canonical_part("groups", tracker.get_slot("groups")) or []
        named = [g for g in parse_groups(reply_text(tracker)) if g in POOR_GROUPS]
        if not named:
            answer = read_bool("poverty", value, dispatcher, tracker)
            if answer.get("poverty") is not True:
                return answer  # no, or not understood (asked once more, then skipped)
            named = ["poor_household"]  # the question names 建档立卡 first; 低保 has its own button
        return {"poverty": True, "groups": list(dict.fromkeys([*groups, *named]))}
