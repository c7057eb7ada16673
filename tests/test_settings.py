"""config.yml + POLICYBOT_* environment overrides → one validated settings object."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.settings import ConfigError, load_settings

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
