"""The Rasa launcher's compiled reply check accepts and rejects exactly what Rasa's own check does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from serve_rasa import compiled_reply_check

VALID = {
    "events": [
        {"event": "slot", "name": "region", "value": "深圳"},
        {"event": "active_loop", "name": None},
    ],
    "responses": [{"text": "请问您目前的就业状况是？", "buttons": [{"title": "失业", "payload": "/inform"}]}],
}
INVALID = [
    {"events": "slot region 深圳"},  # events must be a list
    {"events": [{"event": "no_such_event"}]},  # unknown event type
    {"events": [{"event": "slot", "value": "深圳"}]},  # a slot event without its name
    {"responses": ["请问您在哪里"]},  # a response must be an object
    [],  # not an object at all
]


def _rasa_own(result: Any) -> bool:
    return bool(RemoteAction("action_x", None)._validate_action_result(result))


def test_valid_reply_is_accepted_like_rasa() -> None:
    check = compiled_reply_check()
    assert _rasa_own(VALID) is True
    assert check(None, VALID) is True
    assert check(None, {}) is True and _rasa_own({}) is True


@pytest.mark.parametrize("reply", INVALID)
def test_invalid_reply_is_rejected_with_rasas_error(reply: dict[str, Any]) -> None:
    check = compiled_reply_check()
    with pytest.raises(ValidationError) as own:
        _rasa_own(reply)
    with pytest.raises(ValidationError) as compiled:
        check(None, reply)
    assert compiled.value.message == own.value.message
    assert "Failed to validate Action server response" in compiled.value.message
