"""Summarise a Rasa intent report: weighted F1, then each intent's F1, worst first.

Usage, from bot/: ``../.venv-rasa/bin/python nlu_report.py results/intent_report.json [--min 0.95]``
Exits 1 when ``--min`` is given and the weighted F1 is below it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def summarise(report: dict[str, object]) -> tuple[float, list[tuple[str, float, int]]]:
    """Read the figures a person looks at out of ``intent_report.json``.

    Args:
        report: The parsed report Rasa writes (``rasa test nlu``).

    Returns:
        The weighted F1 and, for every intent, ``(intent, f1, support)`` sorted worst first.
    """
    weighted = report["weighted avg"]
    assert isinstance(weighted, dict)
    intents = [
        (name, float(row["f1-score"]), int(row["support"]))
        for name, row in report.items()
        if isinstance(row, dict) and name not in {"weighted avg", "macro avg", "micro avg"}
    ]
    return float(weighted["f1-score"]), sorted(intents, key=lambda item: (item[1], item[0]))


def main(argv: list[str]) -> int:
    """Print the summary of one report; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--min", type=float, default=None, help="fail when the weighted F1 is below this")
    args = parser.parse_args(argv)
    weighted, intents = summarise(json.loads(args.report.read_text(encoding="utf-8")))
    total = sum(support for _, _, support in intents)
    print(f"weighted intent F1 {weighted:.3f} over {total} examples ({args.report})")
    print("  " + ", ".join(f"{name} {f1:.3f}" for name, f1, _ in intents))
    if args.min is not None and weighted < args.min:
        print(f"FAILED: weighted intent F1 {weighted:.3f} < {args.min}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
