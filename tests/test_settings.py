"""config.yml + POLICYBOT_* environment overrides → one validated settings object."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

import knowledge.settings as settings_module
from knowledge.settings import (
    AnswerSettings,
    ChatSettings,
    ConfigError,
    FusionWeights,
    IngestSettings,
    RetrievalSettings,
    Settings,
    WebSettings,
    _Section,
    load_settings,
)

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_resolve_paths_against_the_config_file() -> None:
    settings = load_settings(ROOT / "config.yml")
    assert settings.paths.sources == ROOT / "knowledge" / "sources"
    assert settings.paths.index_root.is_absolute()
    assert settings.ingest.max_provision_chars == 300


def test_environment_overrides_nested_values(tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config.yml",
        env={
            "POLICYBOT_INGEST__MAX_PROVISION_CHARS": "200",
            "POLICYBOT_PATHS__INDEX_ROOT": str(tmp_path),
            "OTHER": "ignored",
        },
    )
    assert settings.ingest.max_provision_chars == 200
    assert settings.paths.index_root == tmp_path


def test_invalid_value_names_the_field() -> None:
    with pytest.raises(ConfigError, match="max_provision_chars"):
        load_settings(ROOT / "config.yml", env={"POLICYBOT_INGEST__MAX_PROVISION_CHARS": "lots"})


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("ingest:\n  max_provison_chars: 100\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_provison_chars"):
        load_settings(config)


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="不存在"):
        load_settings(tmp_path / "nope.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("paths: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML"):
        load_settings(broken)


def test_rate_limit_exemptions_from_the_environment() -> None:
    settings = load_settings(ROOT / "config.yml", env={"POLICYBOT_WEB__RATELIMIT_EXEMPT": "10.0.0.5, 127.0.0.1"})
    assert settings.web.ratelimit_exempt == ["10.0.0.5", "127.0.0.1"]
    assert load_settings(ROOT / "config.yml").web.ratelimit_exempt == ["127.0.0.1", "::1"]


# ----- one default per value: config.yml ------------------------------------------------------------
def _sections(model: type[BaseModel] = Settings, where: str = "") -> Iterator[tuple[str, type[_Section]]]:
    """Every section model reachable from ``Settings``, with its dotted place in config.yml."""
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, _Section):
            place = f"{where}{name}"
            yield place, field.annotation
            yield from _sections(field.annotation, place + ".")


def test_no_section_key_has_a_default_in_code() -> None:
    """A default value lives in config.yml only; the models hold types and limits.

    No exception for null or empty defaults (web.secret_key, database.url, web.allowed_origins …):
    "null" and "[]" are documented meanings and are written in config.yml like any other value.
    """
    sections = dict(_sections())
    assert len(sections) == 13  # the twelve sections and retrieval.weights
    for place, section in sections.items():
        assert section.config_section == place
        with_default = [name for name, field in section.model_fields.items() if not field.is_required()]
        assert not with_default, f"{place}: defaults belong in config.yml, not in code: {with_default}"
    for name, field in Settings.model_fields.items():  # a section left out is built from config.yml's
        assert field.default_factory is None or field.default_factory is field.annotation, name
        assert field.default is PydanticUndefined, name


def test_config_yml_holds_every_key_and_no_other() -> None:
    written = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    for place, section in _sections():
        node = written
        for part in place.split("."):
            node = node[part]
        assert set(node) == set(section.model_fields), place


def test_a_section_built_in_code_takes_the_missing_keys_from_config_yml() -> None:
    written = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    answer = AnswerSettings(shown=3)
    assert answer.shown == 3
    assert answer.results == written["answer"]["results"]
    assert IngestSettings().max_pages == written["ingest"]["max_pages"]
    assert RetrievalSettings(weights={"bm25": 0.3}).weights == FusionWeights(
        bm25=0.3, dense=written["retrieval"]["weights"]["dense"]
    )
    exempt = WebSettings().ratelimit_exempt
    exempt.append("10.0.0.9")  # a settings object's lists are its own, not the cached file's
    assert WebSettings().ratelimit_exempt == written["web"]["ratelimit_exempt"]


def test_a_config_file_leaving_keys_out_gets_the_repository_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("ingest:\n  max_pages: 7\nretrieval:\n  weights:\n    dense: 0.5\n", encoding="utf-8")
    settings = load_settings(config)
    default = load_settings(ROOT / "config.yml")
    assert settings.ingest.max_pages == 7
    assert settings.ingest.model_copy(update={"max_pages": default.ingest.max_pages}) == default.ingest
    assert settings.retrieval.weights == FusionWeights(bm25=default.retrieval.weights.bm25, dense=0.5)
    assert settings.answer == default.answer  # a section left out entirely
    assert settings.paths.sources == tmp_path / "knowledge" / "sources"  # still relative to the file read


def test_a_key_missing_from_the_default_config_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "config.yml").read_text(encoding="utf-8")
    assert "  max_pages: 500" in text
    defaults = tmp_path / "defaults.yml"
    defaults.write_text(text.replace("  max_pages: 500", "  # max_pages left out"), encoding="utf-8")
    monkeypatch.setattr(settings_module, "DEFAULT_CONFIG", defaults)
    with pytest.raises(ConfigError, match=r"defaults\.yml 缺少 ingest\.max_pages"):
        IngestSettings()
    assert IngestSettings(max_pages=9).max_pages == 9  # given, it needs no default
    config = tmp_path / "config.yml"
    config.write_text("ingest:\n  max_chars: 5000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"ingest\.max_pages"):
        load_settings(config)
    monkeypatch.setattr(settings_module, "DEFAULT_CONFIG", tmp_path / "gone.yml")
    with pytest.raises(ConfigError, match=r"默认配置文件不存在.*gone\.yml"):
        ChatSettings()
