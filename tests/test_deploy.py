"""The deployment switch: embedded vs scale-out settings, Rasa's endpoints per mode, the gunicorn files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from knowledge.settings import ConfigError, load_settings
from webchat.cli import app as cli
from webchat.rasaendpoints import EndpointsError, rasa_endpoints
from webchat.server import WebServer

ROOT = Path(__file__).resolve().parent.parent
SCALEOUT = {
    "POLICYBOT_DEPLOYMENT__MODE": "scaleout",
    "POLICYBOT_DEPLOYMENT__POSTGRES_URL": "postgresql://bot:p%40ss@db.internal:6543/policy",
    "POLICYBOT_DEPLOYMENT__REDIS_URL": "redis://:r3dis@cache.internal:6380/2",
    "POLICYBOT_WEB__SECRET_KEY": "the-same-secret-on-every-replica",
}


def test_embedded_is_the_default_sqlite_everywhere(tmp_path: Path) -> None:
    settings = load_settings(ROOT / "config.yml", paths={"var": str(tmp_path)})
    assert settings.deployment.mode == "embedded"
    assert settings.database.url is None and settings.web.ratelimit_storage == "memory://"
    endpoints = rasa_endpoints(settings)
    assert endpoints["tracker_store"] == {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "rasa_tracker.db")}
    assert "lock_store" not in endpoints, "one Rasa: the in-memory lock store is enough"
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:5055/webhook"


def test_one_switch_moves_app_data_limits_and_rasa_to_postgres_and_redis() -> None:
    settings = load_settings(ROOT / "config.yml", env=SCALEOUT)
    assert settings.database.url == "postgresql+psycopg://bot:p%40ss@db.internal:6543/policy"
    assert settings.web.ratelimit_storage == "redis://:r3dis@cache.internal:6380/2"
    endpoints = rasa_endpoints(settings, "http://127.0.0.1:6055")
    assert endpoints["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "port": 6543,
        "db": "policy",
        "username": "bot",
        "password": "p@ss",
    }
    lock = endpoints["lock_store"]
    assert (lock["type"], lock["url"], lock["port"], lock["db"], lock["password"]) == (
        "redis",
        "cache.internal",
        6380,
        2,
        "r3dis",
    )
    assert endpoints["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"


def test_an_explicit_database_url_wins_over_the_switch() -> None:
    settings = load_settings(ROOT / "config.yml", env={**SCALEOUT, "POLICYBOT_DATABASE__URL": "sqlite:///x.db"})
    assert settings.database.url == "sqlite:///x.db"


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("POLICYBOT_DEPLOYMENT__POSTGRES_URL", "POLICYBOT_DEPLOYMENT__POSTGRES_URL"),
        ("POLICYBOT_DEPLOYMENT__REDIS_URL", "POLICYBOT_DEPLOYMENT__REDIS_URL"),
        ("POLICYBOT_WEB__SECRET_KEY", "POLICYBOT_WEB__SECRET_KEY"),
    ],
)
def test_scaleout_without_a_shared_service_or_secret_is_refused(missing: str, named: str) -> None:
    env = {k: v for k, v in SCALEOUT.items() if k != missing}
    with pytest.raises(ConfigError, match=named):
        load_settings(ROOT / "config.yml", env=env)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ConfigError, match="mode"):
        load_settings(ROOT / "config.yml", env={"POLICYBOT_DEPLOYMENT__MODE": "cluster"})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("POLICYBOT_DEPLOYMENT__POSTGRES_URL", "mysql://db/x", "postgresql://"),
        ("POLICYBOT_DEPLOYMENT__POSTGRES_URL", "postgresql://db.internal", "postgresql://"),
        ("POLICYBOT_DEPLOYMENT__REDIS_URL", "memcached://cache", "redis://"),
        ("POLICYBOT_DEPLOYMENT__REDIS_URL", "redis://cache/zero", "数字"),
    ],
)
def test_bad_service_urls_get_a_clear_message(key: str, value: str, message: str) -> None:
    settings = load_settings(ROOT / "config.yml", env={**SCALEOUT, key: value})
    with pytest.raises(EndpointsError, match=message):
        rasa_endpoints(settings)


def test_cli_writes_rasa_endpoints_readable_by_rasa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SCALEOUT.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "run" / "endpoints.yml"
    result = CliRunner().invoke(cli, ["deploy", "rasa-endpoints", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["tracker_store"]["dialect"] == "postgresql" and written["lock_store"]["type"] == "redis"
    assert out.stat().st_mode & 0o077 == 0, "the file holds passwords: owner only"


def test_cli_refuses_a_bad_url_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**SCALEOUT, "POLICYBOT_DEPLOYMENT__REDIS_URL": "http://cache"}.items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(cli, ["deploy", "rasa-endpoints"])
    assert result.exit_code == 2 and "redis_url" in result.output


def test_the_shipped_gunicorn_file_is_applied_on_top_of_the_settings() -> None:
    settings = load_settings(
        ROOT / "config.yml",
        web={"workers": 3, "threads": 4, "gunicorn_config": str(ROOT / "deploy" / "gunicorn.conf.py")},
    )
    server = WebServer(settings, "127.0.0.1", 8123)
    assert server.cfg.workers == 3 and server.cfg.threads == 4
    assert server.cfg.bind == ["127.0.0.1:8123"]
    assert server.cfg.max_requests == 5000 and server.cfg.forwarded_allow_ips == []


def test_a_missing_gunicorn_file_is_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings(ROOT / "config.yml", web={"gunicorn_config": str(tmp_path / "nope.py")})
    with pytest.raises(ValueError, match="找不到 gunicorn 配置文件"):
        WebServer(settings, "127.0.0.1", 8123)


def test_shipped_units_run_what_the_readme_says() -> None:
    units = ROOT / "deploy" / "systemd"
    rasa = (units / "policybot-rasa.service").read_text(encoding="utf-8")
    assert "deploy rasa-endpoints" in rasa and "-i 127.0.0.1" in rasa and "--enable-api" not in rasa
    web = (units / "policybot-web.service").read_text(encoding="utf-8")
    assert "policybot serve" in web and "EnvironmentFile=/etc/policybot/policybot.env" in web
    env = (ROOT / "deploy" / "policybot.env.example").read_text(encoding="utf-8")
    for key in SCALEOUT:
        assert key in env


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_one_proxy_each_citizen_has_their_own_rate_limit(tmp_path: Path, hops: int) -> None:
    from tests.staffkit import make_app, make_settings

    settings = make_settings(tmp_path, chat={"ip_limit": "2 per minute"}, web={"trusted_proxies": hops})
    client = make_app(settings).test_client()

    def send(address: str) -> int:
        body = {"message": "创业担保贷款"}
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
        return client.post("/api/chat", json=body, headers=headers, base_url="http://127.0.0.1").status_code

    first = [send("203.0.113.7") for _ in range(3)]
    other = send("198.51.100.9")
    assert first[:2] == [503, 503] and first[2] == 429, "Rasa is down here: 503 until the limit, then 429"
    if hops:
        assert other == 503, "another citizen behind the same nginx is not limited by the first one's requests"
    else:
        assert other == 429, "without a trusted proxy the header is ignored: one address, one bucket"


def test_the_retention_purge_runs_daily_with_the_same_environment() -> None:
    units = ROOT / "deploy" / "systemd"
    service = (units / "policybot-purge.service").read_text(encoding="utf-8")
    assert "Type=oneshot" in service and "EnvironmentFile=/etc/policybot/policybot.env" in service
    assert "ExecStart=/opt/policybot/.venv/bin/policybot privacy purge" in service
    assert "ReadWritePaths=/srv/policybot-shared" in service, "paths.var (logs, SQLite) lives on the shared mount"
    timer = (units / "policybot-purge.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 03:30:00" in timer and "Persistent=true" in timer
    assert "Unit=policybot-purge.service" in timer and "WantedBy=timers.target" in timer
    # the command the unit runs exists and says what it would remove
    result = CliRunner().invoke(cli, ["privacy", "purge", "--help"])
    assert result.exit_code == 0 and "--dry-run" in result.output
