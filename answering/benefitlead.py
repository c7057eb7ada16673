"""A question whether a benefit exists ("有啥补贴吗") is led by the closest provision that names one, so the
reply does not say the documents name none while the next provision names exactly that."""

from __future__ import annotations

import re

from knowledge.lexicon import Lexicon
from knowledge.questionkind import QuestionKind
from retrieval.search import SearchResult
from retrieval.stages.answers import BENEFIT_STATED
from retrieval.stages.bigrams import bigrams

# Benefit words a question uses; 补贴 and 补助 ask for any benefit, the others for that one ("有生活费补贴不"
# needs a provision on 生活费).
_ASKED = re.compile(r"补贴|补助|津贴|资助|生活费|报销|免费|减免|贴息|学费|路费")
_ANY_BENEFIT = frozenset({"补贴", "补助"})
_WAIVERS = frozenset({"免费", "减免", "资助"})  # a fee waived or aid given answers any question about a cost


def names_benefit_asked(question: str, text: str) -> bool:
    """Whether provision ``text`` names the benefit ``question`` asks about: the very one when the question
    names one ("报销", "生活费", "学费", or a waiver or aid: 免费, 减免, 资助), any when it asks for 补贴 or 补助."""
    specific = set(_ASKED.findall(question)) - _ANY_BENEFIT
    if not specific:
        return bool(BENEFIT_STATED.search(text))
    return any(word in text for word in specific | _WAIVERS)


class BenefitLead:
    """Puts first the closest result naming the benefit a question asks about, when the best names none."""

    def __init__(self, lexicon: Lexicon, ratio: float) -> None:
        """Create the component.

        Args:
            lexicon: the policy words a question's everyday words stand for (手艺 → 职业技能培训).
            ratio: a result must score at least this share of the best to lead instead (0 = off).

        Raises:
            ValueError: a ratio outside 0 … 1.
        """
        if not 0 <= ratio <= 1:
            raise ValueError("answer.benefit_lead_ratio 必须在 0 到 1 之间")
        self.lexicon = lexicon
        self.ratio = ratio

    def reorder(self, question: str, kind: QuestionKind, results: list[SearchResult]) -> list[SearchResult]:
        """Return ``results`` with the closest one naming the benefit asked about first, when the best does
        not name it.

        Args:
            question: the question as typed ("刚毕业还没找到工作 有啥补贴吗").
            kind: what it asks; only a question whether a benefit exists (not how much, not how) is reordered.
            results: the results, best first.

        Returns:
            The results reordered, or as given: when the question does not ask whether a benefit exists, when
            the best names it, or when no result close enough names it and shares a character pair with the
            rest of the question or with the policy words it stands for (a 内部退养 provision's 生活费 does not
            answer a question on training).
        """
        if not self.ratio or not results or "benefit" not in kind.kinds or kind.specific:
            return results
        best = results[0]
        if names_benefit_asked(question, best.provision.text):
            return results
        # the rest of the question: a pair of its characters, or a policy word its everyday words stand for
        rest = bigrams(_ASKED.sub(" ", question))
        terms = {t for _, found in self.lexicon.matches(question) for t in found if not _ASKED.search(t)}
        for result in results[1:]:
            if result.score < self.ratio * best.score:
                break
            text = result.provision.text
            about_it = bool(rest & bigrams(text)) or any(term in text for term in terms)
            if result.applies is not False and names_benefit_asked(question, text) and about_it:
                return [result, *(r for r in results if r is not result)]
        return results
