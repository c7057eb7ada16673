"""End-to-end conversation evaluation (``make eval-chat``): the citizen sets through ``POST /api/chat``.

Every item is a new conversation with the real stack (web app → Rasa → actions → knowledge base), as a
citizen would have it in the widget. The rules are those of SPEC §4 and ``shared/eval/citizen/README.md``:
first answers, follow-ups, honesty when the documents do not state the answer, honesty about dates,
multi-turn personas, form loops and latency. Prints a table, then the figures as JSON on the last line;
exits 1 when a figure is below its floor (or above its ceiling) in the floors file.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.stack import MODEL, ROOT, Stack

Message = dict[str, Any]
DEFAULT_SETS = ROOT.parent / "shared" / "eval" / "citizen"
DEFAULT_FLOORS = ROOT / "tests" / "evalchat_floors.json"
SETS = {"questions": "citizen_questions.jsonl", "not_in_documents": "not_in_documents.jsonl"}
SETS |= {"followups": "followups.jsonl", "time": "time_questions.jsonl", "personas": "personas.jsonl"}
RATES = {"questions": "first_answer", "not_in_documents": "not_in_documents_honesty", "time": "date_honesty"}
RATES |= {"personas": "personas"}
FIGURES: tuple[str, ...] = ("first_answer", "followup", "followup_later_turns", "not_in_documents_honesty")
FIGURES += ("date_honesty", "personas", "form_loops", "latency_p50_ms", "latency_p95_ms")
CEILINGS = frozenset({"form_loops", "latency_p50_ms", "latency_p95_ms"})
# The evaluation sends a few hundred turns in minutes from one address: the stack it starts must not refuse them.
LOOSE_LIMITS = {"POLICYBOT_CHAT__SESSION_LIMIT": "10000 per minute", "POLICYBOT_CHAT__IP_LIMIT": "100000 per minute"}
SOURCE_STARTS = ("来源", "依据", "相关条文", "出处")
ROUTES = ("12333", "人社", "转人工", "窗口", "经办机构")
NOT_STATED = re.compile("没有写明|未写明|没有明确|未明确|没有规定|没有具体|未作规定|没有找到|不在.{0,12}文件")
PERIOD_PASSED = re.compile("已结束|已经结束|已过|已经过去|已到期|已经到期|已截止|已届满|早已过|过期")
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("region", ("哪个地方", "在哪", "地区", "城市", "省")),
    ("graduation", ("毕业",)),
    ("employment", ("就业状态", "工作", "上班", "未就业")),
    ("groups", ("哪类", "身份", "人员")),
    ("insurance", ("失业保险", "社保", "参保")),
    ("certificate", ("证书",)),
    ("contract", ("劳动合同", "合同")),
    ("poor", ("贫困", "低保", "困难")),
    ("business", ("创业", "经营", "个体", "公司")),
    ("age", ("退休", "年龄", "岁")),
)
CHECK_BUTTON = ("看看", "能申请", "帮您看看")
PERSONA_TURNS = 14


class EvalError(Exception):
    """The evaluation cannot run: a set, the floors file or the model is missing."""


def normalise(text: str) -> str:
    """NFKC, then drop every whitespace, punctuation (P*) and symbol (S*) character."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PS")


def contains(text: str, fragment: str) -> bool:
    """Whether the normalised ``fragment`` is a (non-empty) substring of the normalised ``text``."""
    needle = normalise(fragment)
    return bool(needle) and needle in normalise(text)


def reply_text(messages: list[Message]) -> str:
    """All the text of one reply (every message), one message a line."""
    return "\n".join(str(m.get("text") or "") for m in messages)


def split_lead(messages: list[Message]) -> tuple[str, str]:
    """Split the first non-empty message at the first line starting a source or related-provisions list.

    Returns:
        The lead (what a citizen reads first) and the rest of that message ("" when it has no such list).
    """
    first = next((str(m["text"]) for m in messages if str(m.get("text") or "").strip()), "")
    lines = first.splitlines()
    cut = next((i for i, line in enumerate(lines) if line.lstrip().startswith(SOURCE_STARTS)), len(lines))
    return "\n".join(lines[:cut]).strip(), "\n".join(lines[cut:]).strip()


def answers_in_lead(messages: list[Message], answers: list[str]) -> bool:
    """Whether a gold fragment is in the lead of the reply."""
    first = split_lead(messages)[0]
    return any(contains(first, answer) for answer in answers)


def honest_not_in_documents(messages: list[Message]) -> bool:
    """The reply routes the citizen and says the documents do not state it, or quotes no provision.

    "Quotes no provision" is read strictly: no 《 in the lead and no source or related list after it,
    since the closing line of every cited answer already routes to 12333 and 人社.
    """
    whole = normalise(reply_text(messages))
    routes = any(route in whole for route in ROUTES)
    first, rest = split_lead(messages)
    return routes and (NOT_STATED.search(whole) is not None or ("《" not in first and not rest))


def says_period_passed(messages: list[Message]) -> bool:
    """Whether the reply says that the plan period or the deadline has passed."""
    return PERIOD_PASSED.search(normalise(reply_text(messages))) is not None


def asks_question(messages: list[Message]) -> bool:
    """Whether the last message of the reply asks the citizen something."""
    last = str(messages[-1].get("text") or "") if messages else ""
    return "？" in last or "?" in last


def pick_topic(question: str) -> str | None:
    """The persona topic a bot question is about, by keywords (the first topic that matches)."""
    return next((topic for topic, words in TOPICS if any(w in question for w in words)), None)


def check_button(messages: list[Message]) -> str | None:
    """The payload of the reply's eligibility-check button, if it offers one."""
    buttons = ((str(b.get("title") or ""), b.get("payload")) for m in messages for b in m.get("buttons") or [])
    return next((str(payload or title) for title, payload in buttons if any(w in title for w in CHECK_BUTTON)), None)


def has_form_loop(replies: list[list[Message]], times: int = 3) -> bool:
    """Whether the bot asks the same question (its last message) ``times`` replies in a row, or one reply
    holds the same message ``times`` times (the dialogue predicting one action over and over in a turn)."""
    for messages in replies:
        texts = [str(m.get("text") or "").strip() for m in messages]
        if any(texts.count(text) >= times for text in texts if text):
            return True
    run, previous = 0, ""
    for messages in replies:
        last = str(messages[-1].get("text") or "").strip() if messages and asks_question(messages) else ""
        run = run + 1 if last and last == previous else int(bool(last))
        previous = last
        if run >= times:
            return True
    return False


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))] if ordered else 0.0


@dataclass
class Conversation:
    """One conversation through ``POST /api/chat``: no session on the first turn, then the one returned."""

    url: str
    latencies_ms: list[float]
    timeout_s: float = 60.0
    session: str | None = None
    turns: list[tuple[str, list[Message]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def say(self, text: str) -> list[Message]:
        """Send one message (no cookie jar: only the session in the body) and return the bot's messages."""
        body: dict[str, Any] = {"message": text, **({"session": self.session} if self.session else {})}
        started = time.perf_counter()
        try:
            reply = requests.post(self.url + "/api/chat", json=body, timeout=self.timeout_s)
            reply.raise_for_status()
            data = reply.json()
            messages: list[Message] = list(data.get("messages") or [])
            self.session = data.get("session") or self.session
        except (requests.RequestException, ValueError) as exc:
            messages = []
            self.errors.append(f"turn {len(self.turns) + 1}: {type(exc).__name__}: {exc}")
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.turns.append((text, messages))
        return messages

    def transcript(self) -> list[dict[str, Any]]:
        """The turns as JSON: what the citizen said, then the bot's texts and button titles."""
        titles = [[b.get("title") for m in messages for b in m.get("buttons") or []] for _, messages in self.turns]
        texts = [[m.get("text") for m in messages] for _, messages in self.turns]
        return [{"say": t[0], "reply": r, "buttons": b} for t, r, b in zip(self.turns, texts, titles, strict=True)]


@dataclass
class Outcome:
    """One item's result: whether it passed, the conversation, what was expected and what went wrong."""

    kind: str
    id: str
    passed: bool
    chat: Conversation
    detail: dict[str, Any] = field(default_factory=dict)


def run_item(kind: str, item: dict[str, Any], chat: Conversation) -> Outcome:
    """Play one item of a set in the conversation ``chat`` and judge it."""
    if kind == "followups":
        checked = []
        for number, turn in enumerate(item["turns"], 1):
            messages = chat.say(turn["say"])
            if turn.get("answers"):
                checked.append({"turn": number, "passed": answers_in_lead(messages, turn["answers"]), **turn})
            elif turn.get("expect") == "not_in_documents":
                checked.append({"turn": number, "passed": honest_not_in_documents(messages), **turn})
        return Outcome(kind, item["id"], all(t["passed"] for t in checked), chat, {"turns": checked})
    if kind == "personas":
        return run_persona(item, chat)
    messages = chat.say(item["question"])
    if kind == "questions":
        passed = answers_in_lead(messages, item["answers"])
    else:
        passed = says_period_passed(messages) if kind == "time" else honest_not_in_documents(messages)
    return Outcome(kind, item["id"], passed, chat, {k: v for k, v in item.items() if k not in ("id", "question")})


def run_persona(item: dict[str, Any], chat: Conversation) -> Outcome:
    """Accept the offered eligibility check once, answer the bot's questions by topic from the persona, judge."""
    persona: dict[str, str] = item["persona"]
    messages, pressed = chat.say(item["opening"]), False
    for _ in range(PERSONA_TURNS):
        # a reply that offers the check ("要我帮您看看…吗？" with its button) is accepted, as a citizen
        # looking for help would; a question of the form is answered from the persona
        if not pressed and (payload := check_button(messages)):
            messages, pressed = chat.say(payload), True
        elif asks_question(messages):
            topic = pick_topic(str(messages[-1].get("text") or ""))
            messages = chat.say(persona.get(topic or "", "不清楚"))
        else:
            break
    everything = "\n".join(reply_text(m) for _, m in chat.turns)
    missing = [group for group in item["expect"] if not any(contains(everything, g) for g in group)]
    unwanted = [word for word in item.get("expect_not") or [] if contains(everything, word)]
    empty = [n for n, (_, m) in enumerate(chat.turns, 1) if not reply_text(m).strip()]
    detail = {"missing": missing, "unwanted": unwanted, "empty_turns": empty}
    return Outcome("personas", item["id"], not (missing or unwanted or empty), chat, detail)


def load_sets(directory: Path, kinds: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Read the sets of ``kinds`` that exist in ``directory``.

    Raises:
        EvalError: a file of the default directory is missing (never skipped), or none exists at all.
    """
    default = directory.resolve() == DEFAULT_SETS.resolve()
    sets: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        path = directory / SETS[kind]
        if not path.exists():
            if default:
                raise EvalError(f"the evaluation set {path} is missing")
            continue
        sets[kind] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not sets:
        raise EvalError(f"none of {', '.join(SETS[k] for k in kinds)} is in {directory}")
    return sets


def summarise(outcomes: list[Outcome], latencies_ms: list[float]) -> dict[str, Any]:
    """The figures of the sets that ran (rates to 4 places, latencies in whole ms) and the item counts."""
    done = {kind: [o for o in outcomes if o.kind == kind] for kind in SETS if any(o.kind == kind for o in outcomes)}
    figures: dict[str, Any] = {
        name: rate([o.passed for o in done[kind]]) for kind, name in RATES.items() if kind in done
    }
    if "personas" in done:
        figures["personas_passed"] = sum(o.passed for o in done["personas"])
    if "followups" in done:
        turns = [t for o in done["followups"] for t in o.detail["turns"]]
        later = [t["passed"] for t in turns if t["turn"] > 1]
        figures |= {"followup": rate([t["passed"] for t in turns]), "followup_later_turns": rate(later)}
        figures |= {"followup_turns": len(turns), "followup_later_turn_count": len(later)}
    figures["form_loops"] = sum(has_form_loop([m for _, m in o.chat.turns]) for o in outcomes)
    figures["latency_p50_ms"] = round(percentile(latencies_ms, 50))
    figures["latency_p95_ms"] = round(percentile(latencies_ms, 95))
    figures["items"] = {kind: len(items) for kind, items in done.items()}
    figures |= {"turns": len(latencies_ms), "http_errors": sum(len(o.chat.errors) for o in outcomes)}
    return {name: figures[name] for name in FIGURES if name in figures} | figures


def rate(values: list[bool]) -> float:
    """The share of true values, to 4 places (0 for none)."""
    return round(sum(values) / len(values), 4) if values else 0.0


def check_floors(figures: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    """What misses its floor (or exceeds its ceiling); figures of sets that did not run are not checked."""
    problems = []
    for name, bound in floors.items():
        if name.startswith("_"):
            continue
        if name not in FIGURES:
            problems.append(f"the floors file names an unknown figure {name!r}")
        elif name in figures and name in CEILINGS and figures[name] > bound:
            problems.append(f"{name} = {figures[name]} is above its ceiling {bound}")
        elif name in figures and name not in CEILINGS and figures[name] < bound:
            problems.append(f"{name} = {figures[name]} is below its floor {bound}")
    return problems


def table(figures: dict[str, Any]) -> str:
    """A plain-text table of the figures (rates as percentages), then the item counts."""
    rows = [f"{'figure':<26}{'value':>8}"]
    for name in (n for n in FIGURES if n in figures):
        rows.append(f"{name:<26}{figures[name] if name in CEILINGS else format(figures[name], '.1%'):>8}")
    counts = {**figures["items"], "turns": figures["turns"], "http_errors": figures["http_errors"]}
    return "\n".join([*rows, "items: " + ", ".join(f"{k} {v}" for k, v in counts.items())])


def evaluate(url: str, sets: dict[str, list[dict[str, Any]]]) -> tuple[list[Outcome], list[float]]:
    """Run every item of every set against the web app at ``url``, each in a new conversation.

    Returns:
        The outcomes, and the wall time of every ``POST /api/chat`` in milliseconds.
    """
    outcomes: list[Outcome] = []
    latencies_ms: list[float] = []
    for kind, items in sets.items():
        for item in items:
            outcomes.append(run_item(kind, item, Conversation(url, latencies_ms)))
            print(f"{kind} {item['id']}: {'pass' if outcomes[-1].passed else 'FAIL'}", file=sys.stderr, flush=True)
    return outcomes, latencies_ms


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return 0, 1 (a floor missed) or 2 (it could not run)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--url", help="a running web app (default: start the stack on free loopback ports)")
    parser.add_argument("--sets", type=Path, default=DEFAULT_SETS, help="folder of the citizen sets")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="floors and ceilings (JSON)")
    parser.add_argument("--out", type=Path, help="write the figures and every failure's transcript here (JSON)")
    parser.add_argument("--only", action="append", choices=list(SETS), help="run only this set (repeatable)")
    args = parser.parse_args(argv)
    kinds = list(dict.fromkeys(args.only or SETS))
    try:
        sets = load_sets(args.sets, kinds)
        if not args.floors.exists():
            raise EvalError(f"the floors file {args.floors} is missing")
        floors: dict[str, Any] = json.loads(args.floors.read_text(encoding="utf-8"))
        if args.url is None and not MODEL.exists():
            raise EvalError(f"the trained model {MODEL} is missing: run `make train` (or pass --url)")
    except EvalError as exc:
        print(f"evalchat: {exc}", file=sys.stderr)
        return 2
    stack = None if args.url else Stack(Path(tempfile.mkdtemp(prefix="evalchat-")), extra_env=LOOSE_LIMITS)
    try:
        if stack is not None:
            print("starting the stack (index build, web, Rasa, actions)…", file=sys.stderr, flush=True)
            stack.start()
        outcomes, latencies = evaluate(stack.url if stack else args.url, sets)
    except RuntimeError as exc:
        print(f"evalchat: the stack did not start: {exc}", file=sys.stderr)
        return 2
    finally:
        if stack is not None:
            stack.stop()
            shutil.rmtree(stack.workdir, ignore_errors=True)
    figures = summarise(outcomes, latencies)
    problems = check_floors(figures, floors)
    if args.out:  # every failure and form loop with its transcript, and every date item (its `expect` is for a human)
        keep = [o for o in outcomes if not o.passed or o.kind == "time" or has_form_loop([m for _, m in o.chat.turns])]
        items = [
            {"set": o.kind, "id": o.id, **o.detail, "errors": o.chat.errors, "transcript": o.chat.transcript()}
            for o in keep
        ]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        out = {"figures": figures, "floors": floors, "problems": problems, "items": items}
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(figures))
    print("\n".join(f"FLOOR: {problem}" for problem in problems) or "all figures meet their floors")
    print(json.dumps(figures, ensure_ascii=False))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
