"""The bot's derived files (jieba dictionary, lookups, synonyms, action lexicon) match the lexicon."""

from __future__ import annotations

import json
from pathlib import Path

from knowledge.export import derived_files, stale_files, write_derived
from knowledge.lexicon import load_lexicon
from knowledge.settings import Settings


def test_committed_derived_files_are_fresh(settings: Settings) -> None:
    lexicon = load_lexicon(settings.paths.lexicon)
    assert stale_files(lexicon, settings.config_dir) == [], "run `policybot bot export` (make bot-data)"


def test_a_lexicon_change_makes_them_stale_until_regenerated(settings: Settings, tmp_path: Path) -> None:
    lexicon = load_lexicon(settings.paths.lexicon)
    write_derived(lexicon, tmp_path)
    assert stale_files(lexicon, tmp_path) == []
    new_word = "跑闪送"
    assert new_word not in (tmp_path / "bot/jieba_userdict/userdict.txt").read_text(encoding="utf-8")
    changed = lexicon.model_copy(update={"synonyms": {**lexicon.synonyms, new_word: ["新就业形态劳动者"]}})
    assert "bot/jieba_userdict/userdict.txt" in stale_files(changed, tmp_path)


def test_action_lexicon_resolves_places_and_groups(settings: Settings) -> None:
    files = derived_files(load_lexicon(settings.paths.lexicon))
    data = json.loads(files["bot/actions/lexicon.json"])
    assert data["places"]["深圳"] == "广东" and data["places"]["临清"] == "山东省聊城市"
    assert "退伍" in data["groups"]["veteran"]
    assert "- lookup: region" in files["bot/data/generated/lookups.yml"]
    assert "- synonym: veteran" in files["bot/data/generated/lookups.yml"]


def test_situation_patterns_reach_the_bot_and_bad_ones_are_refused(settings: Settings, tmp_path: Path) -> None:
    """The bot reads the lexicon's situation patterns; a pattern naming no real group is refused with the reason."""
    from knowledge.regions import LexiconError

    data = json.loads(derived_files(load_lexicon(settings.paths.lexicon))["bot/actions/lexicon.json"])
    assert data["situations"]["hard_to_employ"] and data["situation_window"] > 0
    broken = settings.paths.lexicon.read_text(encoding="utf-8").replace(
        "situations:\n  migrant_worker:", "situations:\n  migrant_workers:"
    )
    path = tmp_path / "lexicon.yml"
    path.write_text(broken, encoding="utf-8")
    try:
        load_lexicon(path)
    except LexiconError as exc:
        assert "migrant_workers" in str(exc) and "人群代码" in str(exc)
    else:
        raise AssertionError("a situation pattern for an unknown group was accepted")
