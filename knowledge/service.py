"""Wiring of the catalogue and the eligibility engine from the settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.catalogue import CATEGORY_LABELS, Catalogue, Policy, condition_facts, load_catalogue
from knowledge.docnames import document_name
from knowledge.eligibility import EligibilityEngine, PolicyResult, Verdict
from knowledge.facts import FACTS, FactError, validate_facts
from knowledge.lexicon import Lexicon
from knowledge.regions import NATIONAL
from knowledge.settings import Settings

_NUMBER = re.compile(r"〔\d{4}〕\d+号$")


@dataclass
class EligibilityService:
    """The catalogue, the engine and how citations name their documents."""

    catalogue: Catalogue
    engine: EligibilityEngine
    documents: dict[str, tuple[str, str | None, str]]  # 文号 or id → (id, 文号, title)

    @classmethod
    def from_settings(
        cls, settings: Settings, lexicon: Lexicon, documents: list[tuple[str, str | None, str]] | None = None
    ) -> EligibilityService:
        """Load and validate the catalogue (a malformed one raises ``CatalogueError`` here, at start-up).

        Args:
            settings: where the catalogue is.
            lexicon: regions.
            documents: (id, 文号, title) of the knowledge base's documents, to resolve citations.
        """
        known = set(lexicon.regions) | {NATIONAL}
        catalogue = load_catalogue(settings.paths.policies, known)
        refs = _by_reference(documents or [])
        return cls(catalogue, EligibilityEngine(catalogue, lexicon.region_table, names=_names(refs)), refs)

    def with_documents(self, documents: list[tuple[str, str | None, str]]) -> EligibilityService:
        """Return the same catalogue citing another set of documents (those of a newly published index).

        Args:
            documents: (id, 文号, title) of the knowledge base's documents.
        """
        refs = _by_reference(documents)
        engine = EligibilityEngine(self.catalogue, self.engine.regions, self.engine.today, names=_names(refs))
        return EligibilityService(self.catalogue, engine, refs)

    def document_refs(self) -> list[tuple[str, str | None, str]]:
        """Return the (id, 文号, title) of the documents citations are resolved against."""
        return sorted(set(self.documents.values()), key=lambda ref: ref[0])

    def check(self, raw_facts: Any, skip: Any = ()) -> Verdict:
        """Validate facts and judge every policy.

        Args:
            raw_facts: the facts object as received.
            skip: names of facts the citizen declined to give (not asked again).

        Raises:
            knowledge.facts.FactError: a fact is malformed (names the field).
        """
        facts = validate_facts(raw_facts, self.engine.regions)
        if not isinstance(skip, list | tuple) or any(name not in FACTS for name in skip):
            raise FactError("skip", "必须是条件名称的列表")
        return self.engine.evaluate(facts, tuple(skip))

    def citation_json(self, policy: Policy) -> list[dict[str, Any]]:
        """Return the policy's citations as ``{"doc", "number", "title", "source", "quote"}``: ``doc`` is
        the document's id (for programs), ``source`` the name to show (《title》文号, never the id)."""
        out = []
        for citation in policy.citations:
            doc_id, number, title = self.documents.get(
                citation.doc, (citation.doc, citation.doc if _NUMBER.search(citation.doc) else None, "")
            )
            source = document_name(title, number, citation.doc)
            out.append({"doc": doc_id, "number": number, "title": title, "source": source, "quote": citation.quote})
        return out

    def policy_json(self, policy: Policy, full: bool = True) -> dict[str, Any]:
        """Return a policy as JSON (``full`` adds conditions, how to apply and citations)."""
        body: dict[str, Any] = {
            "id": policy.id,
            "name": policy.name,
            "category": policy.category,
            "category_label": CATEGORY_LABELS[policy.category],
            "regions": policy.regions,
            "period": list(policy.period) if policy.period else None,
            "benefit": policy.benefit,
        }
        if full:
            body.update(
                how_to_apply=policy.how_to_apply,
                note=policy.note,
                facts=[f for f in FACTS if f != "region" and f in condition_facts(policy.conditions)],
                citations=self.citation_json(policy),
            )
        return body

    def result_json(self, result: PolicyResult) -> dict[str, Any]:
        """Return one verdict in the SPEC §3 shape (plus benefit, how to apply and the period note)."""
        return {
            "policy_id": result.policy.id,
            "name": result.policy.name,
            "status": result.status,
            "reasons": result.reasons,
            "missing": result.missing,
            "citations": self.citation_json(result.policy),
            "benefit": result.policy.benefit,
            "how_to_apply": result.policy.how_to_apply,
            "period_ended": result.period_ended,
        }

    def verdict_json(self, verdict: Verdict) -> dict[str, Any]:
        """Return a whole verdict: results, the next question and how many conditions were evaluated."""
        next_fact = verdict.next_fact
        return {
            "results": [self.result_json(r) for r in verdict.results],
            "next_question": {"fact": next_fact, "question": FACTS[next_fact].question} if next_fact else None,
            "conditions_evaluated": verdict.conditions_evaluated,
        }


def _names(refs: dict[str, tuple[str, str | None, str]]) -> dict[str, str]:
    """A citation reference (文号 or id) → the name it is shown by (《title》文号)."""
    return {ref: document_name(title, number, ref) for ref, (_, number, title) in refs.items()}


def _by_reference(documents: list[tuple[str, str | None, str]]) -> dict[str, tuple[str, str | None, str]]:
    """Index (id, 文号, title) triples by id and by 文号."""
    index: dict[str, tuple[str, str | None, str]] = {}
    for doc_id, number, title in documents:
        index[doc_id] = (doc_id, number, title)
        if number:
            index[number] = (doc_id, number, title)
    return index
