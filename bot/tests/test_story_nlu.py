"""The trained model reads every user message of the test stories the way the story says.

``rasa test core`` without ``--e2e`` feeds the stories' intents straight to the dialogue policies,
so it never runs the NLU on the messages. With ``--e2e`` it compares the whole entity list, and the
two extractors (DIET and the lookup tables) each report the same entity, so every story with an
entity would fail. Here each message is parsed by the trained model: the intent must be the
story's, and every entity the story marks must be among those found.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

BOT = Path(__file__).resolve().parents[1]
MODEL = BOT / "models" / "policybot.tar.gz"
ANNOTATION = re.compile(r"\[([^\]]+)\]\(([a-z_]+)(?::([a-z_]+))?\)")


def _story_messages() -> list[tuple[str, str, set[tuple[str, str]]]]:
    """Every ``user`` step of bot/tests/test_stories.yml as (text, intent, {(entity, value)})."""
    stories = yaml.safe_load((BOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]
    found = {}
    for story in stories:
        for step in story["steps"]:
            if "user" in step:
                marked = step["user"].strip()
                entities = {(m[2], m[3] or m[1]) for m in ANNOTATION.finditer(marked)}
                found[ANNOTATION.sub(r"\1", marked)] = (step["intent"], entities)
    return [(text, intent, entities) for text, (intent, entities) in found.items()]


MESSAGES = _story_messages()


@pytest.fixture(scope="module")
def agent() -> Any:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run make train")
    from rasa.core.agent import Agent

    return Agent.load(str(MODEL))


def test_the_stories_have_messages_to_check() -> None:
    assert len(MESSAGES) >= 20
    assert {"12333", "书记好", "886"} <= {text for text, _, _ in MESSAGES}


@pytest.mark.parametrize(("text", "intent", "entities"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_story_message_is_understood(agent: Any, text: str, intent: str, entities: set[tuple[str, str]]) -> None:
    parsed = asyncio.run(agent.parse_message(text))
    assert parsed["intent"]["name"] == intent, f"{text!r}: {parsed['intent']}"
    got = {(e["entity"], str(e["value"])) for e in parsed["entities"]}
    assert entities <= got, f"{text!r}: entities {sorted(got)}"
