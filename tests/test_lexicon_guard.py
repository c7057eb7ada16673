"""Guard against fitting the lexicon to the evaluation sets.

A colloquial synonym the lexicon holds must have evidence of its own: it occurs in the documents,
the NLU training data, the catalogue, or the doc2query questions (written from the provisions alone,
by people who did not see the evaluation sets). A key found in an evaluation question and nowhere
else was fitted to that question, and the figures on that set would flatter the product.
"""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.lexicon import load_lexicon
from knowledge.settings import Settings
from retrieval.ingest.models import Document

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval" / "citizen"
EVAL_FILES = [
    SHARED / "citizen_questions.jsonl",
    SHARED / "not_in_documents.jsonl",
    SHARED / "time_questions.jsonl",
    SHARED / "followups.jsonl",
    SHARED / "personas.jsonl",
    ROOT / "knowledge" / "eval" / "colloquial_questions.jsonl",
    ROOT / "knowledge" / "eval" / "frozen" / "citizen_questions.jsonl",
    ROOT / "knowledge" / "eval" / "frozen" / "not_in_documents.jsonl",
    ROOT / "knowledge" / "eval" / "own" / "personas.jsonl",
]
# Sets written after the lexicon and the doc2query questions (2026-12-05, by helpers who saw neither): a key
# they share that predates them is common wording, not fitting; one added later would be fitting. Their
# echoes of older doc2query questions are likewise coincidences of wording and are not checked.
LATER_FILES = [
    ROOT / "knowledge" / "eval" / "frozen" / "followups.jsonl",
    ROOT / "knowledge" / "eval" / "frozen" / "personas.jsonl",
    ROOT / "knowledge" / "eval" / "frozen2" / "citizen_questions.jsonl",
    ROOT / "knowledge" / "eval" / "frozen2" / "not_in_documents.jsonl",
    *(ROOT / "knowledge" / "eval" / f"own{n}" / "personas.jsonl" for n in (2, 3, 4, 5, 6)),
    *(ROOT / "knowledge" / "eval" / f"own{n}" / "followups.jsonl" for n in (7, 8, 9, 10, 11, 12)),
]
# in the lexicon before the later sets were written
PREDATING_KEYS = frozenset({"生态移民", "养牛", "当过兵", "续上", "坐轮椅", "房租贵", "重新找工作"})


def eval_texts(files: list[Path] = EVAL_FILES) -> list[str]:
    """Every sentence a citizen says in the evaluation sets (a missing file fails, naming it)."""
    texts: list[str] = []
    for path in files:
        assert path.exists(), f"evaluation file missing: {path}"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            texts += [row[k] for k in ("question", "opening") if k in row]
            texts += [turn["say"] for turn in row.get("turns", [])]
            texts += [str(v) for v in row.get("persona", {}).values()]
    return texts


def evidence(settings: Settings, documents: dict[str, Document]) -> str:
    """All text a lexicon key may legitimately come from."""
    parts = [p.text for doc in documents.values() for p in doc.provisions]
    parts += [path.read_text(encoding="utf-8") for path in sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml"))]
    parts.append(settings.paths.policies.read_text(encoding="utf-8"))
    for path in sorted(settings.paths.doc2query.glob("*.jsonl")):
        parts += [q for line in path.read_text(encoding="utf-8").splitlines() for q in json.loads(line)["questions"]]
    return "\n".join(parts)


def test_no_synonym_comes_only_from_an_evaluation_question(
    settings: Settings, seed_documents: dict[str, Document]
) -> None:
    keys = list(load_lexicon(settings.paths.lexicon).synonyms)
    asked = eval_texts()
    known = evidence(settings, seed_documents)
    fitted = [k for k in keys if k not in known and any(k in text for text in asked)]
    assert not fitted, f"lexicon keys found only in evaluation questions (fitted to them): {fitted}"
    later = eval_texts(LATER_FILES)
    fitted_later = [k for k in keys if k not in known and k not in PREDATING_KEYS and any(k in t for t in later)]
    assert not fitted_later, f"lexicon keys found only in the later evaluation sets (fitted to them): {fitted_later}"


ECHO_CHARS = 10  # a run this long shared with an evaluation sentence is an echo, not a coincidence of wording


def _plain(text: str) -> str:
    """NFKC, without whitespace, punctuation and symbols (the matching rule of the evaluation sets)."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PS")


def test_no_doc2query_question_echoes_an_evaluation_question(settings: Settings) -> None:
    """The doc2query questions are written from the provisions alone; one that shares a long run with an
    evaluation sentence would make that set's figures flatter the product."""
    runs: dict[str, str] = {}
    for text in eval_texts():
        plain = _plain(text)
        for i in range(len(plain) - ECHO_CHARS + 1):
            runs.setdefault(plain[i : i + ECHO_CHARS], text)
    files = sorted(settings.paths.doc2query.glob("*.jsonl"))
    assert files, f"no doc2query files in {settings.paths.doc2query}"
    echoes = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            for question in json.loads(line)["questions"]:
                plain = _plain(question)
                shared = next(
                    (
                        plain[i : i + ECHO_CHARS]
                        for i in range(len(plain) - ECHO_CHARS + 1)
                        if plain[i : i + ECHO_CHARS] in runs
                    ),
                    None,
                )
                if shared is not None:
                    echoes.append(f"{path.name}: {question} ↔ {runs[shared]}")
    assert not echoes, "doc2query questions that echo evaluation questions:\n" + "\n".join(echoes)
