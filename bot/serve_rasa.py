"""Run the Rasa server with its check of action-server replies compiled once.

Usage, from bot/: ``../.venv-rasa/bin/python serve_rasa.py run -i 127.0.0.1 -p 5005 --model …``
(the arguments are ``rasa``'s own).

Rasa 3.6 checks every reply of the action server against its JSON schema with
``jsonschema.validate``, which first re-validates the schema itself against the draft 2020-12
meta-schema. Profiling the load benchmark showed that meta-schema check was about half of Rasa's
CPU time per turn (a form turn calls the action server three or four times). The same schema is
checked here once at start-up, and each reply is checked with a validator built once: replies are
accepted and rejected exactly as before, with the same error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

DOCS_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    "For more information about the format visit "
)


def compiled_reply_check() -> Callable[[Any, dict[str, Any]], bool]:
    """Build Rasa's check of an action-server reply with its schema compiled once.

    Returns:
        A drop-in replacement for ``RemoteAction._validate_action_result``: ``True`` for a valid
        reply; otherwise it raises the ``jsonschema.ValidationError`` Rasa's own check raises.
    """
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator_class = validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)

    def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += f"{DOCS_HINT}{DOCS_BASE_URL}/custom-actions"
        raise error

    return validate_action_result


def main() -> None:
    """Install the compiled check, then hand the command line to ``rasa``."""
    from rasa.__main__ import main as rasa_main
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = compiled_reply_check()
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
