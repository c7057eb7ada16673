"""The eligibility form's validators of single facts: the place, the employment status (farming included),
years since graduation, the other numbers of years, and the yes/no facts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.budgets import skip_fact
from actions.conversation import canonical_part, earlier_value, is_canonical, last_known_region
from actions.form_retry import declined, read_bool, read_years, reply_text, retry, unclear
from actions.lexicon import lexicon
from actions.parsing import employment_denied, parse_employment, parse_region, says_farming, work_negated
from actions.short_replies import parse_first_business, parse_graduation

FARMING = "好的，您在家务农，不算在职、未就业或创业，这一项先不按这三种看。"
FARMING_VALUE = "farming"  # an answer read as working one's own land: the status stays unknown

# The longest a working life can still run: from 16 to the highest legal retirement age (63).
YEARS_OF_WORK = 47


def _farming(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
    """ "在家种地" answers the status question without being one of its three statuses: said back, the
    status left unknown and not asked again (never "没听明白"). Groups already answered gain 农村常住居民,
    which the rural policies ask about; groups not yet asked stay unasked-for, so the question still comes."""
    dispatcher.utter_message(text=FARMING)
    skipped = skip_fact("employment_status", tracker)
    earlier = canonical_part("groups", earlier_value(tracker, "groups"))
    if isinstance(earlier, list):  # answered, "none of these" ([]) included
        return {**skipped, "groups": list(dict.fromkeys([*earlier, "rural_resident"]))}
    return skipped


class FactsValidation:
    """The validators of the single-fact slots, mixed into the eligibility form's validation action. Each
    understands the natural answer and re-asks with a hint when unclear; each returns the slot values to set.

    A value already in its canonical form (a number, a yes/no, a known place or code) was known before
    the form asked: stated in an earlier question, or filled before the form started. It is kept as it
    is; re-reading it from the message that started the form ("那我能申请哪些政策") lost it.
    """

    def validate_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return the place the answer names ("在深圳"), the one known before, or the skip or retry."""
        if is_canonical("region", value):
            return {"region": value}
        text = reply_text(tracker)
        if declined(tracker):
            return skip_fact("region", tracker)
        place = parse_region(str(value)) or parse_region(text)
        if place is None and tracker.get_slot("requested_slot") != "region":
            # a word the NLU took for a place in the answer to another question ("从西海固山里搬下来的"
            # answering 身份): no place learnt, the one known before kept, nothing asked about it
            return {"region": last_known_region(tracker)}
        if place is None:
            return unclear(
                "region", "没听明白是哪个地方，请说省或城市的名字，例如“深圳”“银川”“临清”。", dispatcher, tracker
            )
        return {"region": place}

    def validate_employment_status(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return the employment status the answer states, or farming's skip, or the skip or retry."""
        text = reply_text(tracker)
        if value == "employed" and work_negated(text):
            # "家里没一个上班的" names 上班 but says the opposite: no job when this is the question
            # asked, nothing learnt about the asker when another one is
            asked = tracker.get_slot("requested_slot") == "employment_status"
            return {"employment_status": "unemployed" if asked else earlier_value(tracker, "employment_status")}
        if isinstance(value, str) and employment_denied(text, value):
            # "不想做生意" said to another question: the extractor reads 做生意; the earlier answer stands
            if tracker.get_slot("requested_slot") != "employment_status":
                return {"employment_status": earlier_value(tracker, "employment_status")}
            value = None
        if is_canonical("employment_status", value):
            return {"employment_status": value}
        if declined(tracker):
            return skip_fact("employment_status", tracker)
        status = value if value in ("unemployed", "employed", "self_employed") else parse_employment(text)
        asked = tracker.get_slot("requested_slot") == "employment_status"
        if status is None and asked and (value == FARMING_VALUE or says_farming(text)):
            return _farming(dispatcher, tracker)
        if status is None:
            return unclear(
                "employment_status", "请问您现在是没有工作、在上班，还是自己在创业或做个体？", dispatcher, tracker
            )
        return {"employment_status": status}

    def validate_years_since_graduation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return the years since graduation ("2024年毕业", "去年"), or the skip or retry."""
        if is_canonical("years_since_graduation", value):
            return {"years_since_graduation": float(value)}
        text = reply_text(tracker)
        if declined(tracker):
            return skip_fact("years_since_graduation", tracker)
        years = parse_graduation(text)
        if years is None or years < 0 or years > 60:
            return unclear(
                "years_since_graduation",
                "请告诉我您哪年毕业，或毕业几年了，例如“2024年毕业”“毕业两年了”“今年刚毕业”。",
                dispatcher,
                tracker,
            )
        return {"years_since_graduation": years}

    def validate_business_operating_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return how many years the business has run, or the skip or retry."""
        return read_years(
            "business_operating_years", value, dispatcher, tracker, "请说一下已经经营多久了，例如“一年多”“半年”。"
        )

    def validate_unemployment_insurance_years(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return the years of unemployment insurance paid, or the skip or retry."""
        return read_years(
            "unemployment_insurance_years",
            value,
            dispatcher,
            tracker,
            "请说一下交失业保险多少年了，例如“三年”“两年半”。",
        )

    def validate_years_to_retirement(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return the years to retirement (an age, "55岁", is no answer), or the skip or retry."""
        # no one works more than 47 years before retiring: "55" is an age ("您今年多大" is not what was asked)
        hint = "请说一下离法定退休年龄还有几年（不是年龄），例如“还有五年”。"
        if "岁" in reply_text(tracker):
            return unclear("years_to_retirement", hint, dispatcher, tracker)
        return read_years("years_to_retirement", value, dispatcher, tracker, hint, most=YEARS_OF_WORK)

    def validate_business_first_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether the business is the first ("还没开始" yes), or the skip or retry."""
        if not isinstance(value, bool) and (first := parse_first_business(reply_text(tracker))) is not None:
            return {"business_first_time": first}
        return read_bool("business_first_time", value, dispatcher, tracker)

    def validate_certificate_this_year(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether a certificate was obtained this year, or the skip or retry."""
        return read_bool("certificate_this_year", value, dispatcher, tracker)

    def validate_overcapacity_industry(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether the employer is a 去产能 enterprise, or the skip or retry."""
        return read_bool("overcapacity_industry", value, dispatcher, tracker)

    def validate_labor_contract(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether a labour contract was signed, or the skip or retry."""
        return read_bool("labor_contract", value, dispatcher, tracker)

    def validate_grassroots_job(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether the job is a grassroots one (a 中西部 place says yes), or the skip or retry."""
        if not isinstance(value, bool) and not declined(tracker):
            place = parse_region(reply_text(tracker))
            if place is not None and tracker.get_slot("requested_slot") == "grassroots_job":
                region = str(lexicon()["places"].get(place) or place)
                if any(region.startswith(p) for p in lexicon()["central_western"]):
                    return {"grassroots_job": True}  # "在宁夏固原": 中西部地区 answers it
                return retry(
                    "grassroots_job",
                    f"{place}不属于中西部地区；如果您在城乡基层或中小微企业工作，请回答“是”，否则回答“不是”。",
                    dispatcher,
                    tracker,
                )
        return read_bool("grassroots_job", value, dispatcher, tracker)

    def validate_enlisting(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return whether the asker is enlisting, or the skip or retry."""
        return read_bool("enlisting", value, dispatcher, tracker)

    def validate_employer_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Return "small_micro" for a yes; a no skips the fact; else the skip or retry."""
        if is_canonical("employer_type", value):
            return {"employer_type": value}
        answer = read_bool("employer_type", value, dispatcher, tracker)
        if answer.get("employer_type") is True:
            return {"employer_type": "small_micro"}
        if answer.get("employer_type") is False:
            skipped = [*(tracker.get_slot("skipped_facts") or []), "employer_type"]
            return {"employer_type": None, "skipped_facts": skipped}
        return answer
