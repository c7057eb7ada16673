"""What the composer returns: the reply a citizen reads, and the parts the console and the bot use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AnswerKind = Literal["answer", "policy", "not_in_documents", "out_of_domain", "clarify"]


@dataclass(frozen=True)
class AnswerContext:
    """What the conversation has established before this question."""

    region: str | None = None
    groups: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    topic: str | None = None
    previous_question: str | None = None
    previous_provision: str | None = None  # id of the provision the previous reply led with

    @classmethod
    def from_json(cls, raw: Any) -> AnswerContext:
        """Build a context from the ``context`` object of ``POST /api/answer`` (unknown keys ignored).

        Raises:
            ValueError: a field has the wrong type (the message names it, in Chinese).
        """
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise ValueError("context 必须是对象")
        for key in ("region", "topic", "previous_question", "previous_provision"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise ValueError(f"context.{key} 必须是文字")
        groups = raw.get("groups") or []
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ValueError("context.groups 必须是文字列表")
        facts = raw.get("facts") or {}
        if not isinstance(facts, dict):
            raise ValueError("context.facts 必须是对象")
        return cls(
            region=raw.get("region") or None,
            groups=tuple(groups),
            facts=facts,
            topic=(raw.get("topic") or None),
            previous_question=(raw.get("previous_question") or None),
            previous_provision=(raw.get("previous_provision") or None),
        )


@dataclass(frozen=True)
class Answer:
    """One reply: its kind, the lead the citizen reads first, and what it rests on."""

    kind: AnswerKind
    understood: str
    lead: str
    source: str  # the lead provision's source line ("" when the lead quotes none)
    provisions: list[dict[str, Any]]
    policy: dict[str, Any] | None
    period_status: dict[str, Any] | None
    next_actions: list[dict[str, str]]
    topic: str | None  # what a follow-up in this conversation should be read against
    region: str | None

    @property
    def text(self) -> str:
        """The whole message: the lead, then its source line and at most one related provision."""
        parts = [self.lead]
        if self.source:
            parts.append(f"来源：{self.source}")
        related = [p for p in self.provisions[1:] if p.get("related")]
        if related:
            parts.append("相关条文：" + "".join(f"\n· {p['text']}（{p['short_source']}）" for p in related))
        return "\n".join(parts)

    def as_json(self) -> dict[str, Any]:
        """Return the ``POST /api/answer`` shape (plus ``text``, the message as the widget shows it)."""
        return {
            "kind": self.kind,
            "understood": self.understood,
            "lead": self.lead,
            "source": self.source,
            "text": self.text,
            "provisions": self.provisions,
            "policy": self.policy,
            "period_status": self.period_status,
            "next_actions": self.next_actions,
            "topic": self.topic,
            "region": self.region,
        }
