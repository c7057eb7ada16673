"""The NLU evaluation helpers: seeded cross-validation folds and the intent-report summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sklearn.model_selection
from rasa.nlu.test import generate_folds
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import nlu_report
from nlu_cv import seeded_stratified_kfold

INTENTS = {"greet": "你好", "affirm": "是的", "deny": "不是"}


def _data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": f"{text}{i}", "intent": intent}) for intent, text in INTENTS.items() for i in range(12)]
    )


def _held_out(seed: int, monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    monkeypatch.setattr(sklearn.model_selection, "StratifiedKFold", seeded_stratified_kfold(seed))
    return [{m.get("text") for m in test.intent_examples} for _, test in generate_folds(3, _data())]


def test_a_seed_gives_rasa_the_same_folds_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    first, again, other = _held_out(7, monkeypatch), _held_out(7, monkeypatch), _held_out(8, monkeypatch)
    assert first == again
    assert first != other
    # Still a partition, stratified: every example is held out exactly once, 4 of each intent per fold.
    assert sorted(t for fold in first for t in fold) == sorted(m.get("text") for m in _data().intent_examples)
    assert all(sum(t.startswith(text) for t in fold) == 4 for fold in first for text in INTENTS.values())


def test_rasa_unseeded_folds_differ_between_runs() -> None:
    # Why nlu_cv.py exists: without it two runs on the same data hold out different examples.
    runs = [
        [frozenset(m.get("text") for m in test.intent_examples) for _, test in generate_folds(3, _data())]
        for _ in range(5)
    ]
    assert len({tuple(run) for run in runs}) > 1


REPORT = {
    "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 20},
    "deny": {"precision": 0.8, "recall": 0.9, "f1-score": 0.847, "support": 10},
    "accuracy": 0.93,
    "macro avg": {"precision": 0.9, "recall": 0.9, "f1-score": 0.897, "support": 30},
    "weighted avg": {"precision": 0.93, "recall": 0.9, "f1-score": 0.914, "support": 30},
}


def test_report_summary_puts_the_worst_intent_first_and_enforces_the_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weighted, intents = nlu_report.summarise(REPORT)
    assert weighted == pytest.approx(0.914)
    assert intents == [("deny", 0.847, 10), ("greet", 0.947, 20)]
    path = tmp_path / "intent_report.json"
    path.write_text(json.dumps(REPORT), encoding="utf-8")
    assert nlu_report.main([str(path), "--min", "0.9"]) == 0
    assert nlu_report.main([str(path), "--min", "0.95"]) == 1
    out = capsys.readouterr().out
    assert "weighted intent F1 0.914 over 30 examples" in out
    assert "FAILED: weighted intent F1 0.914 < 0.95" in out
