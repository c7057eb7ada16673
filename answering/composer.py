"""The answer composer: one place decides what a reply to a citizen's question is.

It answers first, from the policy text: the provision that answers (or the catalogue policy it
grounds), said plainly when the documents do not state what was asked, always with where the
provision stands today (a plan period that has ended), and routed to the right service when the
question is a 人社 matter the employment plans do not cover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from answering.benefitlead import BenefitLead, names_benefit_asked
from answering.followup import asks_of_what_was_quoted, is_bare_reply, resolve, understood_clause
from answering.groupnote import groups_named, subject_terms, unmentioned_group
from answering.groupprovision import GroupProvisionFinder
from answering.lacking import conditioned_on_a_lack, not_for_what_they_lack
from answering.models import Answer, AnswerContext, AnswerKind
from answering.ownwords import OwnWordsLead
from answering.period import period_status
from answering.placefollowup import PlaceFollowups
from answering.policymatch import for_other_groups, match_policy
from answering.reading import Reading
from answering.replies import (
    BARE_REPLY,
    CHECK,
    FINAL_WORD,
    HUMAN,
    STATEMENT_ASK,
    STATEMENT_CLOSEST,
    plain_answer,
)
from answering.shown import short_source, shown_provision
from answering.unanswered import unanswered
from knowledge.eligibility import NARROW_GROUPS
from knowledge.facts import FactError
from knowledge.questionkind import QuestionKind, classify, what_is_missing
from knowledge.routing import about_work, customer_errand, general_route, route_for
from knowledge.service import EligibilityService
from knowledge.settings import AnswerSettings
from retrieval.citation import source_line
from retrieval.ingest.models import DocumentMeta, Provision
from retrieval.ingest.policylabels import field_kind
from retrieval.search import Searcher, SearchError, SearchResult
from retrieval.stages.answers import states_amount, states_what_is_asked
from retrieval.stages.policyfield import names_policy_of


class AnswerComposer:
    """Compose the reply to a question, given what the conversation has established."""

    def __init__(
        self,
        searcher: Searcher,
        eligibility: EligibilityService,
        settings: AnswerSettings,
        today: Callable[[], date] | None = None,
    ) -> None:
        """Create a composer.

        Args:
            searcher: the hybrid search over the published index.
            eligibility: the catalogue (policies and their citations).
            settings: the ``answer`` settings slice.
            today: the clock (tests pass a fixed date); None uses the searcher's.
        """
        if settings.shown > settings.results:
            raise ValueError("answer.shown 不能大于 answer.results")
        self.searcher = searcher
        self.eligibility = eligibility
        self.settings = settings
        self.today = today or searcher.clock
        self.places = PlaceFollowups(searcher, eligibility.catalogue, settings)
        self.subjects = subject_terms(searcher.lexicon)
        self.group_provisions = GroupProvisionFinder(searcher, settings.group_depth)
        self.own_words = OwnWordsLead(searcher.lexicon, settings.own_words_ratio)
        self.benefit_lead = BenefitLead(searcher.lexicon, settings.benefit_lead_ratio)

    def compose(self, question: str, context: AnswerContext | None = None, as_of: date | None = None) -> Answer:
        """Return the reply to ``question``.

        Args:
            question: the message as typed.
            context: region, groups, facts and topic of the conversation so far.
            as_of: the day validity is judged on (default: today, from the clock).

        Returns:
            An ``Answer``: its ``kind`` is answer, policy, not_in_documents, out_of_domain or clarify.
        """
        context = context or AnswerContext()
        day = as_of or self.today()
        text = self.searcher.mend((question or "").strip())  # "有见洗补贴不": read as 见习 everywhere below
        regions = self.searcher.lexicon.region_table
        resolved = resolve(
            text,
            context.topic or context.previous_question,
            context.region,
            regions,
            self.settings.followup_max_chars,
            self.settings.topic_chars,
            self.searcher.documented_regions(),
            self._topic_keys(context.topic or context.previous_question),
            self.subjects,
            self._topic_keys(text),
        )
        if not text:
            return plain_answer("clarify", "请输入您想咨询的问题。", resolved.region, None)
        if is_bare_reply(text):
            return plain_answer("clarify", BARE_REPLY, resolved.region, context.topic)
        kind = classify(text)
        if kind.main == "validity" and context.previous_provision:
            # "这些都是十四五的 今年还管用不": the provision just quoted, with where it stands today
            previous = self.searcher.provision(context.previous_provision)
            if previous is not None and asks_of_what_was_quoted(text, self.settings.followup_max_chars):
                return self._validity_of(previous, text, kind, context, resolved.region, day)
        route = route_for(text)
        place = None
        if resolved.followup and resolved.place:
            # "那宁夏呢" (nothing but a place) looks for that place's counterpart of what was just quoted
            place = self.places.turn(resolved.place, context.previous_provision if resolved.short else None)
        try:
            depth = self.places.depth(place) if place is not None else self.settings.results
            response = self.searcher.search(resolved.query, k=depth, region=resolved.region, as_of=day)
            alone = self.settings.alone_min_confidence
            if response.confidence < alone and resolved.combined and context.topic:
                # "妇女能参加不 我是跟着老公在外头打工的": alone it finds nothing; read against the topic
                again = self.searcher.search(
                    resolved.combined, k=self.settings.results, region=resolved.region, as_of=day
                )
                if again.confidence >= alone:
                    response = again
                    understood = understood_clause(context.topic[: self.settings.topic_chars], None, None)
                    resolved = replace(resolved, query=resolved.combined, followup=True, understood=understood)
        except SearchError as exc:
            return plain_answer("clarify", exc.message, resolved.region, context.topic)
        results = sorted(response.results, key=lambda r: r.applies is False)  # stable: ranking kept within
        results = not_for_what_they_lack(
            text, results, self.searcher.lexicon, self.settings.lacking_lead_ratio
        )  # "没签合同": not the provision for those who signed
        results = self.benefit_lead.reorder(text, kind, results)  # "有啥补贴吗": a provision naming one leads
        if resolved.followup and place is None:  # "想学门手艺": a provision on training, not the topic's again
            asked_of = context.topic or context.previous_question or ""
            results = self.own_words.reorder(text, asked_of, results)
        if place is not None:
            results = self.places.reorder(results, place)
            understood = self.places.understood(resolved.understood, context.topic, place, results)
            resolved = replace(resolved, understood=understood)
        # the conversation's topic stays the question that opened it; a follow-up does not replace it
        topic = (context.topic or text) if resolved.followup else text
        reading = Reading(
            kind,
            route,
            results,
            resolved.region,
            topic,
            resolved.understood,
            day,
            resolved.query,
            asked=text if resolved.followup else "",
            lacked=conditioned_on_a_lack(text, results),
        )
        # a follow-up ("那宁夏呢") is about work when its topic is
        topical = about_work(resolved.query, self.searcher.lexicon)
        if customer_errand(text):  # "我的快递到哪了": 快递 is a trade here, but not in this question
            answerable = False
        elif topical:
            answerable = response.confidence >= self.settings.topical_min_confidence
        else:  # nothing in it about work or 人社: only a strong match answers ("手机充不进电咋办" does not)
            answerable = response.confidence >= self.settings.untopical_min_confidence
        if not answerable or not results:
            return unanswered(text, reading)
        direct = response.confidence >= self.settings.direct_min_confidence
        # judged only when a provision answers: the policy it may be answered under must fit the asker
        said = f"{text} {context.topic or ''}"  # with what its everyday words stand for: 毕业 → 高校毕业生
        said += " " + " ".join(word for _, words in self.searcher.lexicon.matches(said) for word in words)
        named = groups_named(said, self.searcher.lexicon.groups) | set(context.groups)
        others = for_other_groups(self.eligibility.catalogue, named, NARROW_GROUPS)
        reading = replace(reading, ruled_out=self._ruled_out(context) | others)
        return self._answered(reading, response.confidence, direct)

    def _validity_of(
        self,
        quoted: tuple[Provision, DocumentMeta],
        text: str,
        kind: QuestionKind,
        context: AnswerContext,
        region: str | None,
        day: date,
    ) -> Answer:
        """The reply to a question whether what was just quoted still holds: that provision, its document's
        period or status on ``day``, and who decides today."""
        provision, document = quoted
        topic = context.topic or context.previous_question or text
        understood = understood_clause(topic[: self.settings.topic_chars], None, None)
        result = SearchResult(provision, document, score=1.0, legs={})
        reading = Reading(kind, None, [result], region, topic, understood, day, text, asked=text)
        return self._answered(reading, 1.0, direct=True)

    def _topic_keys(self, topic: str | None) -> list[str]:
        """The topic's everyday words the lexicon knows, which a content-bearing follow-up carries (none
        when ``followup_topic_keys`` is off: the topic's text is carried)."""
        if not topic or not self.settings.followup_topic_keys:
            return []
        return [key for key, _ in self.searcher.lexicon.matches(topic)]

    # ----- the documents answer ----------------------------------------------------------------
    def _answered(self, reading: Reading, confidence: float, direct: bool) -> Answer:
        kind, route, results, region = reading.kind, reading.route, reading.results, reading.region
        understood, topic = reading.understood, reading.topic
        today = reading.day
        matched = match_policy(
            [r for r in results[: self.settings.policy_depth] if r.provision.id not in reading.lacked],
            self.eligibility.catalogue,
            region,
            self.searcher.lexicon.region_table,
            self.settings.policy_min_overlap,
            reading.ruled_out,
        )
        best = matched[1] if matched else results[0]
        policy = matched[0] if matched else None
        status = period_status(best.document, best.provision, today)
        # another place's figure or procedure is no answer for someone whose place is known (深圳 ≠ 洛阳's 5000元)
        elsewhere_only = best.applies is False and kind.specific
        not_stated = self._not_stated(kind, best, confidence, reading.query) or route is not None or elsewhere_only
        if (
            "benefit" in kind.kinds
            and not kind.specific
            and not names_benefit_asked(reading.asked or reading.query, best.provision.text)
        ):
            not_stated = True  # "考驾照国家给报销不": a 贴息 provision names no 报销
        quote = f"“{best.provision.text}”"
        elsewhere = "" if best.applies is not False else f"（这是{best.document.region}的规定，仅供参考）"
        parts: list[str] = [f"{understood}：" if understood else ""]
        second: SearchResult | None = None
        naming: SearchResult | None = None  # a follow-up's group, named by no quoted provision: one that does
        if kind.main == "validity":
            if not_stated:
                parts.append(f"政策文件里没有写明{what_is_missing(kind)}。")
            parts.append(f"这是{short_source(best.document)}里的内容，{status.text}。文件原文：{quote}{elsewhere}")
            parts.append(
                "文件只写了当时的安排，看不出现在的执行情况；现在是否还在执行，以当地人社部门现行政策为准，可拨打12333咨询。"
            )
        else:
            if not_stated:
                parts.append(f"政策文件里没有写明{what_is_missing(kind)}。最相关的条文是：")
            elif not direct and kind.statement:  # "俺们村在山上 出门打工不方便": nothing asked, nothing to deny
                parts.append(STATEMENT_CLOSEST)
            elif not direct:  # topical, but no provision covers the question well: say so
                parts.append("政策文件里没有找到直接回答这个问题的规定，最相关的条文是：")
            elif policy is not None:
                parts.append(f"{policy.name}：")
            else:
                parts.append("政策文件里是这样写的：")
            parts.append(f"{quote}{elsewhere}（{status.text}）。")
            second = self._second_closest(results, best, direct, reading.lacked) if not not_stated else None
            if second is not None:  # unsure which one answers: the two closest, side by side
                second_status = period_status(second.document, second.provision, today)
                parts.append(
                    f"另一条相关的是{short_source(second.document)}："
                    f"“{second.provision.text}”（{second_status.text}）。"
                )
            # "妇女能申请吗" after a loan question: say so when nothing quoted names women at all
            quoted = [best.provision.text] + ([second.provision.text] if second else [])
            if reading.asked and (group := unmentioned_group(reading.asked, quoted, self.searcher.lexicon.groups)):
                parts.append(f"以上条文没有专门提到{group}。")
                naming = self.group_provisions.find(
                    reading.asked, reading.topic, group, results, reading.region, reading.day
                )
                if naming is not None:  # the closest provision that does name them, said as such
                    naming_status = period_status(naming.document, naming.provision, today)
                    parts.append(
                        f"文件里提到{group}的相关条文是{short_source(naming.document)}："
                        f"“{naming.provision.text}”（{naming_status.text}）。"
                    )
            if route is not None:
                parts.append(route.text)
            elif not direct and kind.statement:
                parts.append(STATEMENT_ASK)
            elif not_stated or not direct:
                parts.append(policy.how_to_apply if policy is not None else general_route(region))
            else:
                parts.append(FINAL_WORD)
        lead = "".join(parts)
        shown = [shown_provision(best, today, related=False)]
        # a related provision of another region is not shown to someone whose region is known (长沙 ≠ 聊城)
        quoted_ones = [r for r in (best, second, naming) if r is not None]
        related = [r for r in results if all(r is not q for q in quoted_ones) and r.applies is not False]
        for quoted_too in (second, naming):  # quoted in the lead too: its card comes next, not listed as "related"
            if quoted_too is not None:
                shown.append(shown_provision(quoted_too, today, related=False))
        shown += [shown_provision(r, today, related=True) for r in related][: self.settings.shown - len(shown)]
        answer_kind: AnswerKind = "policy" if policy is not None and not not_stated else "answer"
        if not_stated or not direct:
            answer_kind = "not_in_documents"
        return Answer(
            kind=answer_kind,
            understood=understood,
            lead=lead,
            source=source_line(best.document, best.provision, today),
            provisions=shown,
            policy=self.eligibility.policy_json(policy) if policy is not None else None,
            period_status=status.as_json(),
            next_actions=[CHECK, HUMAN] if route is None else [HUMAN],
            topic=topic,
            region=region,
        )

    def _second_closest(
        self, results: list[SearchResult], best: SearchResult, direct: bool, lacked: frozenset[str] = frozenset()
    ) -> SearchResult | None:
        """Return the next provision (one that applies to the asker) close enough to the best to be quoted
        beside it: at least ``second_quote_ratio`` of its score when no provision answers directly, at least
        ``close_second_ratio`` when one does (a near tie: the search cannot tell which of the two answers),
        and not one whose condition the asker says they lack (``lacked``). None when there is none or the
        ratio is 0 (off)."""
        ratio = self.settings.close_second_ratio if direct else self.settings.second_quote_ratio
        if ratio <= 0:
            return None
        return next(
            (
                r
                for r in results
                if r is not best
                and r.applies is not False
                and r.provision.id not in lacked
                and r.score >= ratio * best.score
            ),
            None,
        )

    def _ruled_out(self, context: AnswerContext) -> frozenset[str]:
        """Return the catalogue policies the asker's known facts rule out ("刚上班半年" rules out help for
        graduates still without a job): the reply does not answer under their name. Empty when nothing
        but the place is known, or the facts do not validate."""
        facts = dict(context.facts)
        if context.groups:
            facts["groups"] = list(context.groups)
        if not facts:
            return frozenset()
        if context.region:
            facts["region"] = context.region
        try:
            verdict = self.eligibility.check(facts)
        except FactError:
            return frozenset()
        return frozenset(r.policy.id for r in verdict.results if r.status == "ineligible")

    def _not_stated(self, kind: QuestionKind, best: SearchResult, confidence: float, query: str) -> bool:
        """True when the question asks for a figure or procedure the best provision does not give."""
        text, label = best.provision.text, best.provision.policy_field
        if "amount" in kind.kinds:
            if field_kind(label) == "amount" and names_policy_of(query, text, self.searcher.settings.policy_name_match):
                return False  # the 补贴标准 of the very policy the question names ("一次性创业补贴给多少钱")
            return not (states_amount(query, text, label) and confidence >= self.settings.stated_min_confidence)
        return not states_what_is_asked(kind, query, text, label)
