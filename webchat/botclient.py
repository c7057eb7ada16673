"""Talk to the Rasa server's REST channel and turn its reply into the gateway's message shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


class BotUnavailable(Exception):
    """Rasa did not answer in time, or answered with an error."""


@dataclass(frozen=True)
class BotReply:
    """The bot's messages for one user turn, and whether it had no reliable answer."""

    messages: list[dict[str, Any]]
    unanswered: bool


def _citation(raw: Any) -> dict[str, str] | None:
    """One citation as ``{"source", "text", "status"}`` from a composed answer or an eligibility result
    (``status``: where the provision stands today, in words, e.g. "“十三五”规划期2016–2020年已结束")."""
    if not isinstance(raw, dict):
        return None
    source = raw.get("source") or raw.get("number") or ""  # never "doc", the internal document id
    text = raw.get("text") or raw.get("quote") or ""
    if not source and not text:
        return None
    return {"source": str(source), "text": str(text), "status": str(raw.get("period_status") or "")}


def merge_reply(raw: list[dict[str, Any]]) -> BotReply:
    """Fold Rasa REST output into widget messages.

    The REST channel sends a message's ``custom`` payload (our citations and flags) as a separate
    item after its text; it is attached to the text message before it.

    Args:
        raw: the JSON list Rasa's ``/webhooks/rest/webhook`` returned.

    Returns:
        Messages with ``text``, ``buttons`` and ``citations``, and the no-reliable-answer flag.
    """
    messages: list[dict[str, Any]] = []
    unanswered = False
    for item in raw:
        if not isinstance(item, dict):
            continue
        custom = item.get("custom")
        if isinstance(custom, dict):
            unanswered = unanswered or bool(custom.get("no_answer"))
            citations = [c for c in map(_citation, custom.get("citations") or []) if c]
            if "text" not in item and messages:
                messages[-1]["citations"].extend(citations)
                continue
        else:
            citations = []
        text = item.get("text")
        if not isinstance(text, str) and not citations:
            continue
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict) and b.get("title")
        ]
        messages.append({"text": text or "", "buttons": buttons, "citations": citations})
    return BotReply(messages, unanswered)


class BotClient:
    """A client of one Rasa server's REST channel."""

    def __init__(self, rasa_url: str, timeout_s: float) -> None:
        """Check the settings.

        Args:
            rasa_url: base URL of the Rasa server (``http://127.0.0.1:5005``).
            timeout_s: the longest the gateway waits for a reply.

        Raises:
            ValueError: the URL is not http(s) or the timeout is not positive.
        """
        if not rasa_url.startswith(("http://", "https://")):
            raise ValueError(f"rasa_url must be an http(s) URL: {rasa_url!r}")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.webhook = rasa_url.rstrip("/") + "/webhooks/rest/webhook"
        self.timeout_s = timeout_s
        self._http = requests.Session()

    def send(self, sender: str, text: str) -> BotReply:
        """Send one user message and return the bot's reply.

        Raises:
            BotUnavailable: connection refused, timeout, or a non-2xx/non-JSON answer.
        """
        try:
            response = self._http.post(
                self.webhook, json={"sender": sender, "message": text}, timeout=(2.0, self.timeout_s)
            )
            response.raise_for_status()
            raw = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise BotUnavailable(str(exc)) from exc
        if not isinstance(raw, list):
            raise BotUnavailable("unexpected reply from Rasa")
        return merge_reply(raw)
