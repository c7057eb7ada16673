"""The one settings object: ``config.yml`` overlaid with ``POLICYBOT_*`` environment variables.

Built once at an entry point (CLI, web app factory) and passed down; library code never reads
the environment itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from knowledge.yamlfile import read_mapping

ENV_PREFIX = "POLICYBOT_"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yml"


class ConfigError(Exception):
    """The configuration file or an override is malformed; the message says where."""


class _Section(BaseModel):
    """A configuration section: unknown keys are errors, not silently ignored typos."""

    model_config = ConfigDict(extra="forbid")


class PathSettings(_Section):
    """Where the knowledge base and the app's data live."""

    sources: Path = Path("knowledge/sources")
    sources_meta: Path = Path("knowledge/sources.yml")
    lexicon: Path = Path("knowledge/lexicon.yml")
    policies: Path = Path("knowledge/policies.yml")
    doc2query: Path = Path("knowledge/doc2query")
    var: Path = Path("var")
    index_root: Path = Path("var/index")

    def resolved(self, base: Path) -> PathSettings:
        """Return a copy whose relative paths are anchored at ``base``.

        Args:
            base: directory of the configuration file.

        Returns:
            A new ``PathSettings`` holding absolute paths.
        """
        values = {name: (p if p.is_absolute() else (base / p)).resolve() for name, p in self}
        return PathSettings(**values)


class IngestSettings(_Section):
    """How documents are cut into provisions."""

    max_provision_chars: int = Field(300, ge=40, le=2000)
    min_provision_chars: int = Field(8, ge=1, le=100)
    max_file_mb: float = Field(20, gt=0)
    max_pages: int = Field(500, ge=1)
    max_chars: int = Field(1_000_000, ge=1000)
    worker_timeout_s: float = Field(60, gt=0)
    worker_memory_mb: int = Field(1024, ge=256)
    worker_nice: int = Field(10, ge=0, le=19)
    worker_slots: int = Field(1, ge=1, le=16)
    preview_cache_entries: int = Field(200, ge=0)

    @model_validator(mode="after")
    def _min_below_max(self) -> IngestSettings:
        if self.min_provision_chars >= self.max_provision_chars:
            raise ValueError("min_provision_chars must be smaller than max_provision_chars")
        return self


class FusionWeights(_Section):
    """How much each leg counts in the hybrid score (normalised scores, weights need not sum to 1)."""

    bm25: float = Field(1.0, ge=0)
    dense: float = Field(1.0, ge=0)


class RetrievalSettings(_Section):
    """Search: the two legs, their fusion, region awareness and the no-answer threshold."""

    bm25_k1: float = Field(1.2, gt=0)
    bm25_b: float = Field(0.5, ge=0, le=1)
    expansion_weight: float = Field(0.5, ge=0, le=2)
    expansion_part_weight: float = Field(0.5, ge=0, le=1)  # an official term's parts, relative to the term itself
    doc2query_weight: float = Field(1.0, ge=0, le=5)  # BM25 over the citizen questions written for each provision
    section_weight: int = Field(0, ge=0, le=3)
    weights: FusionWeights = FusionWeights()
    candidates: int = Field(100, ge=10, le=5000)
    coverage_weight: float = Field(0.75, ge=0, le=1)
    rerank_depth: int = Field(60, ge=1, le=5000)  # coverage is measured on this many of the best candidates
    region_penalty: float = Field(0.6, gt=0, le=1)
    local_boost: float = Field(1.8, ge=1, le=2)
    unplaced_local_factor: float = Field(0.8, gt=0, le=1)  # asker's place unknown: regional provisions × this
    numeric_boost: float = Field(1.2, ge=1, le=2)
    policy_name_boost: float = Field(1.5, ge=1, le=3)  # fields of the policy-list policy a question names
    policy_field_boost: float = Field(2.5, ge=1, le=3)  # ... and the field it asks for (amount, channel, target)
    policy_name_match: float = Field(0.5, gt=0, le=1)  # share of the name's character pairs that names it
    recency_weight: float = Field(0.03, ge=0, le=0.5)
    validity_weight: float = Field(0.04, ge=0, lt=1)  # score × (1 − this) for a document not in force on the as-of date
    duplicate_similarity: float = Field(0.75, gt=0, le=1)
    duplicate_window: int = Field(10, ge=0, le=1000)  # the collapse looks through 2 × k + this many results
    min_confidence: float = Field(0.10, ge=0, le=1)  # reliable needs at least this (and what is asked, stated)
    untopical_min_confidence: float = Field(0.5, ge=0, le=1)  # … or this, for a question with no word about work
    routed_min_confidence: float = Field(0.5, ge=0, le=1)  # … or this, for a matter another service decides
    coverage_doc2query: bool = True  # judge word coverage against the doc2query questions too
    confidence_dense_share: float = Field(0.2, ge=0, le=1)  # confidence = coverage blended with dense similarity
    max_query_chars: int = Field(500, ge=10, le=10000)


class AnswerSettings(_Section):
    """How the answer composer decides what a reply is (answering/)."""

    followup_max_chars: int = Field(12, ge=0, le=60)  # a shorter message after an answer is read as a follow-up
    alone_min_confidence: float = Field(0.3, ge=0, le=1)  # a longer message finding less alone is read with the topic
    topic_chars: int = Field(40, ge=10, le=200)  # how much of the previous question a follow-up borrows
    counterpart_min_similarity: float = Field(0.3, ge=0, le=1)  # "那聊城呢": a local restatement of it leads
    policy_min_overlap: float = Field(0.6, ge=0, le=1)  # share of a catalogue quote a shown provision must hold
    local_followup_ratio: float = Field(0.6, ge=0, le=1)  # "那宁夏呢": a local provision this close leads
    policy_depth: int = Field(1, ge=1, le=10)  # a policy matches when it cites one of this many top provisions
    topical_min_confidence: float = Field(0.08, ge=0, le=1)  # a question about work is answered above this
    untopical_min_confidence: float = Field(0.5, ge=0, le=1)  # a question with no work word needs this
    direct_min_confidence: float = Field(0.2, ge=0, le=1)  # below this the lead says no provision answers directly
    second_quote_ratio: float = Field(0.5, ge=0, le=1)  # no direct answer: the next provision this close is quoted too
    close_second_ratio: float = Field(0.85, ge=0, le=1)  # a direct answer: the next provision this close is quoted too
    stated_min_confidence: float = Field(0.45, ge=0, le=1)  # an amount counts as stated only above this
    results: int = Field(5, ge=1, le=20)  # provisions the composer looks at
    shown: int = Field(2, ge=1, le=5)  # provisions a reply quotes (the lead's and one related)
    office_hours: str = "工作日 9:00–17:00"  # when 12333 has agents, shown with the handoff


class ModelSettings(_Section):
    """The dense leg's sentence-transformers model."""

    path: Path | None = None
    dim: int = Field(256, ge=16, le=2048)
    epochs: int = Field(5, ge=1, le=50)
    batch_size: int = Field(128, ge=8, le=1024)
    doc2query_pairs: bool = True  # train on (doc2query question, provision) pairs too
    seed: int = 13


class IndexSettings(_Section):
    """Index versions kept on disk."""

    keep_versions: int = Field(5, ge=1, le=100)
    dense: bool = True


class WebSettings(_Section):
    """Where the web app listens and which services it watches."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    health_timeout_s: float = Field(0.5, gt=0, le=10)
    secret_key: SecretStr | None = None
    cookie_secure: bool = False
    allowed_origins: list[str] = []
    ratelimit_storage: str = "memory://"
    workers: int = Field(1, ge=1, le=64)
    threads: int = Field(32, ge=1, le=256)
    gunicorn_config: Path | None = None
    trusted_proxies: int = Field(0, ge=0, le=5)
    api_limit: str = "120 per minute;5000 per day"  # /api/search, /api/eligibility, /api/answer per client address
    health_limit: str = "30 per minute"  # /healthz per client address (each call probes Rasa, actions, database)
    ratelimit_exempt: list[str] = ["127.0.0.1", "::1"]  # addresses the API and health limits skip (action server)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        """Accept a comma-separated string (what an environment variable holds)."""
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    @field_validator("ratelimit_exempt", mode="before")
    @classmethod
    def _split_addresses(cls, value: Any) -> Any:
        """Accept a comma-separated string (what an environment variable holds)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class ChatSettings(_Section):
    """The chat gateway in front of Rasa: limits and timeouts."""

    timeout_s: float = Field(8.0, gt=0, le=60)
    max_message_chars: int = Field(500, ge=10, le=5000)
    session_limit: str = "20 per minute;300 per day"  # per conversation
    ip_limit: str = "300 per minute;20000 per day"  # per client address: a ceiling high enough for a NAT
    session_hours: float = Field(24, gt=0, le=720)  # a session token is refused this long after the last message


class DatabaseSettings(_Section):
    """The app database (conversations, feedback, unanswered questions)."""

    url: str | None = None


class DeploymentSettings(_Section):
    """Embedded (one machine: SQLite, in-memory locks and limits) or scale-out (PostgreSQL + Redis)."""

    mode: Literal["embedded", "scaleout"] = "embedded"
    postgres_url: SecretStr | None = None
    redis_url: SecretStr | None = None
    redis_key_prefix: str = Field("policybot", pattern=r"^[A-Za-z0-9]+$")

    @model_validator(mode="after")
    def _scaleout_needs_services(self) -> DeploymentSettings:
        """Scale-out without its shared services would silently keep state per replica."""
        if self.mode == "scaleout":
            missing = [name for name in ("postgres_url", "redis_url") if getattr(self, name) is None]
            if missing:
                keys = "、".join(f"POLICYBOT_DEPLOYMENT__{name.upper()}" for name in missing)
                raise ValueError(f"scaleout 模式需要设置 {keys}")
        return self


class StaffSettings(_Section):
    """The hotline console and the maintainer admin: logins, pages and uploads."""

    login_limit: str = "5 per minute"  # per client address and (normalised) user name
    login_ip_limit: str = "30 per minute;300 per hour"  # per client address, whatever the names
    session_hours: float = Field(8, gt=0, le=168)
    min_password_chars: int = Field(8, ge=6, le=128)
    console_results: int = Field(10, ge=1, le=50)
    queue_limit: int = Field(50, ge=1, le=500)
    max_upload_files: int = Field(10, ge=1, le=100)


class PrivacySettings(_Section):
    """How long conversations, feedback and logs are kept (``policybot privacy purge``)."""

    retention_days: int = Field(180, ge=1, le=3650)


class Settings(BaseModel):
    """Everything configurable, validated; see config.yml for the meaning of each key."""

    model_config = ConfigDict(extra="forbid")

    config_dir: Path = Path(".")
    paths: PathSettings = PathSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    model: ModelSettings = ModelSettings()
    index: IndexSettings = IndexSettings()
    web: WebSettings = WebSettings()
    chat: ChatSettings = ChatSettings()
    database: DatabaseSettings = DatabaseSettings()
    staff: StaffSettings = StaffSettings()
    privacy: PrivacySettings = PrivacySettings()
    deployment: DeploymentSettings = DeploymentSettings()

    @model_validator(mode="after")
    def _apply_deployment(self) -> Settings:
        """In scale-out mode the replicas share PostgreSQL (app data) and Redis (rate limits) and one secret."""
        deploy = self.deployment
        if deploy.mode != "scaleout":
            return self
        if self.web.secret_key is None:
            raise ValueError("scaleout 模式需要设置 POLICYBOT_WEB__SECRET_KEY（每个副本相同），否则各副本互不认可会话")
        if self.database.url is None and deploy.postgres_url is not None:
            self.database.url = sqlalchemy_postgres_url(deploy.postgres_url.get_secret_value())
        if self.web.ratelimit_storage == "memory://" and deploy.redis_url is not None:
            self.web.ratelimit_storage = deploy.redis_url.get_secret_value()
        return self


def load_settings(
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings object from a YAML file, environment overrides and explicit overrides.

    Args:
        config_file: the YAML file; ``config.yml`` at the repository root when None.
        env: environment to read ``POLICYBOT_*`` overrides from; pass ``os.environ`` at an entry
            point. None means no environment overrides (what tests want).
        **overrides: top-level sections or values that win over everything (tests use this).

    Returns:
        Validated settings with every path absolute.

    Raises:
        ConfigError: the file is missing or malformed, or a value is invalid.
    """
    path = (config_file or DEFAULT_CONFIG).resolve()
    data = read_mapping(path, "配置文件", ConfigError)

    env_values = _env_to_nested(env or {})
    merged: dict[str, Any] = _deep_merge(_deep_merge(data, env_values), overrides)
    merged["config_dir"] = path.parent
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"配置无效 ({path}): {exc}") from exc
    settings.paths = settings.paths.resolved(path.parent)
    if settings.model.path is not None and not settings.model.path.is_absolute():
        settings.model.path = (path.parent / settings.model.path).resolve()
    if settings.web.gunicorn_config is not None and not settings.web.gunicorn_config.is_absolute():
        settings.web.gunicorn_config = (path.parent / settings.web.gunicorn_config).resolve()
    return settings


def sqlalchemy_postgres_url(url: str) -> str:
    """Return a ``postgresql://`` URL with the psycopg 3 driver SQLAlchemy should use.

    Args:
        url: ``postgresql://user:password@host:port/db`` (or already ``postgresql+driver://``).

    Returns:
        The same URL with ``postgresql+psycopg://`` as scheme when no driver was named.
    """
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _env_to_nested(env: Mapping[str, str]) -> dict[str, Any]:
    """Turn ``POLICYBOT_A__B=v`` pairs into ``{"a": {"b": "v"}}``."""
    nested: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX) or key == ENV_PREFIX + "CONFIG":
            continue
        parts = key[len(ENV_PREFIX) :].lower().split("__")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return nested


def _deep_merge(base: Mapping[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``top`` over ``base`` recursively; neither input is modified."""
    out: dict[str, Any] = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        elif isinstance(value, BaseModel):
            out[key] = value.model_dump()
        else:
            out[key] = value
    return out
