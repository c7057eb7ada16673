"""The one settings object: ``config.yml`` overlaid with ``POLICYBOT_*`` environment variables.

Built once at an entry point (CLI, web app factory) and passed down; library code never reads
the environment itself.

Every default value lives in the repository's ``config.yml`` (``DEFAULT_CONFIG``) and only there:
the models below hold each key's type and limits. A key missing from the configuration being read,
or from the keyword arguments of a section built in code (``RetrievalSettings(rerank_depth=7)``),
takes its value from that file.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from knowledge.yamlfile import read_mapping

ENV_PREFIX = "POLICYBOT_"
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.yml"


class ConfigError(Exception):
    """The configuration file or an override is malformed; the message says where."""


def configured(
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
    pattern: str | None = None,
) -> Any:
    """Declare a section key: its limits here, its default in ``config.yml``.

    The field has no default in code (pydantic sees it as required); ``_Section`` fills a missing key
    from ``DEFAULT_CONFIG`` before validation. This is ``Field`` under another name so that type
    checkers see what is true, that the key may be left out: pydantic's mypy plugin and
    ``dataclass_transform`` treat a bare ``Field(ge=1)`` as a required ``__init__`` argument but any
    other right-hand side as a default, so ``IngestSettings()`` type-checks.

    Args:
        ge: the value must be at least this.
        gt: the value must be above this.
        le: the value must be at most this.
        lt: the value must be below this.
        pattern: a string value must match this regular expression.

    Returns:
        A pydantic ``FieldInfo`` with these constraints and no default (typed ``Any``, as ``Field`` is).
    """
    limits: dict[str, Any] = {"ge": ge, "gt": gt, "le": le, "lt": lt, "pattern": pattern}
    return Field(**{name: limit for name, limit in limits.items() if limit is not None})


@functools.cache
def _read_defaults(path: Path) -> dict[str, Any]:
    """The default configuration file, read once per path (the caller must not modify it)."""
    return read_mapping(path, "默认配置文件", ConfigError)


def _default(section: str, key: str) -> Any:
    """Return a copy of ``section.key`` (``section`` may be dotted: ``retrieval.weights``) in ``DEFAULT_CONFIG``.

    Raises:
        ConfigError: the file is missing or malformed, or holds no such key.
    """
    node: Any = _read_defaults(DEFAULT_CONFIG)
    for part in (*section.split("."), key):
        if not isinstance(node, Mapping) or part not in node:
            raise ConfigError(
                f"默认配置文件 {DEFAULT_CONFIG} 缺少 {section}.{key}：代码中没有默认值，每个键的默认值只写在这个文件里"
            )
        node = node[part]
    return copy.deepcopy(node)


class _Section(BaseModel):
    """A configuration section: unknown keys are errors, not silently ignored typos; a key left out
    takes its default from ``DEFAULT_CONFIG``."""

    model_config = ConfigDict(extra="forbid")

    config_section: ClassVar[str]  # where the section's keys sit in config.yml, dotted when nested

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        """Fill every key ``data`` leaves out with its value in ``DEFAULT_CONFIG``."""
        if not isinstance(data, Mapping):
            return data  # an instance already built, or a wrong type pydantic reports itself
        missing = [name for name in cls.model_fields if name not in data]
        if not missing:
            return data
        return {**data, **{name: _default(cls.config_section, name) for name in missing}}


class PathSettings(_Section):
    """Where the knowledge base and the app's data live."""

    config_section = "paths"

    sources: Path = configured()
    sources_meta: Path = configured()
    lexicon: Path = configured()
    policies: Path = configured()
    doc2query: Path = configured()
    var: Path = configured()
    index_root: Path = configured()

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

    config_section = "ingest"

    max_provision_chars: int = configured(ge=40, le=2000)
    min_provision_chars: int = configured(ge=1, le=100)
    max_file_mb: float = configured(gt=0)
    max_pages: int = configured(ge=1)
    max_chars: int = configured(ge=1000)
    worker_timeout_s: float = configured(gt=0)
    worker_memory_mb: int = configured(ge=256)
    worker_nice: int = configured(ge=0, le=19)
    worker_slots: int = configured(ge=1, le=16)
    preview_cache_entries: int = configured(ge=0)

    @model_validator(mode="after")
    def _min_below_max(self) -> IngestSettings:
        if self.min_provision_chars >= self.max_provision_chars:
            raise ValueError("min_provision_chars must be smaller than max_provision_chars")
        return self


class FusionWeights(_Section):
    """How much each leg counts in the hybrid score (normalised scores, weights need not sum to 1)."""

    config_section = "retrieval.weights"

    bm25: float = configured(ge=0)
    dense: float = configured(ge=0)


class RetrievalSettings(_Section):
    """Search: the two legs, their fusion, region awareness and the no-answer threshold."""

    config_section = "retrieval"

    bm25_k1: float = configured(gt=0)
    bm25_b: float = configured(ge=0, le=1)
    expansion_weight: float = configured(ge=0, le=2)
    expansion_part_weight: float = configured(ge=0, le=1)  # an official term's parts, relative to the term itself
    doc2query_weight: float = configured(ge=0, le=5)  # BM25 over the citizen questions written for each provision
    mend_homophones: bool = configured()  # "失叶金" is searched as 失业金 (a same-sounding pinyin slip)
    section_weight: int = configured(ge=0, le=3)
    weights: FusionWeights = configured()
    candidates: int = configured(ge=10, le=5000)
    coverage_weight: float = configured(ge=0, le=1)
    rerank_depth: int = configured(ge=1, le=5000)  # coverage is measured on this many of the best candidates
    region_penalty: float = configured(gt=0, le=1)
    local_boost: float = configured(ge=1, le=2)
    unplaced_local_factor: float = configured(gt=0, le=1)  # asker's place unknown: regional provisions × this
    numeric_boost: float = configured(ge=1, le=2)
    policy_name_boost: float = configured(ge=1, le=3)  # fields of the policy-list policy a question names
    policy_field_boost: float = configured(ge=1, le=3)  # ... and the field it asks for (amount, channel, target)
    policy_name_match: float = configured(gt=0, le=1)  # share of the name's character pairs that names it
    recency_weight: float = configured(ge=0, le=0.5)
    validity_weight: float = configured(ge=0, lt=1)  # score × (1 − this) for a document not in force on the as-of date
    duplicate_similarity: float = configured(gt=0, le=1)
    duplicate_window: int = configured(ge=0, le=1000)  # the collapse looks through 2 × k + this many results
    min_confidence: float = configured(ge=0, le=1)  # reliable needs at least this (and what is asked, stated)
    untopical_min_confidence: float = configured(ge=0, le=1)  # … or this, for a question with no word about work
    routed_min_confidence: float = configured(ge=0, le=1)  # … or this, for a matter another service decides
    coverage_doc2query: bool = configured()  # judge word coverage against the doc2query questions too
    confidence_dense_share: float = configured(ge=0, le=1)  # confidence = coverage blended with dense similarity
    max_query_chars: int = configured(ge=10, le=10000)


class AnswerSettings(_Section):
    """How the answer composer decides what a reply is (answering/)."""

    config_section = "answer"

    followup_max_chars: int = configured(ge=0, le=60)  # a shorter message after an answer is read as a follow-up
    alone_min_confidence: float = configured(ge=0, le=1)  # a longer message finding less alone is read with the topic
    topic_chars: int = configured(ge=10, le=200)  # how much of the previous question a follow-up borrows
    followup_topic_keys: bool = configured()  # a content follow-up carries the topic's lexicon words
    own_words_ratio: float = configured(ge=0, le=1)  # a follow-up's own words lead if a result this close has them
    benefit_lead_ratio: float = configured(ge=0, le=1)  # "有啥补贴吗": a result this close naming a benefit leads
    lacking_lead_ratio: float = configured(ge=0, le=1)  # "没签合同": a result this close without that condition leads
    counterpart_min_similarity: float = configured(ge=0, le=1)  # "那聊城呢": a local restatement of it leads
    policy_min_overlap: float = configured(ge=0, le=1)  # share of a catalogue quote a shown provision must hold
    local_followup_ratio: float = configured(ge=0, le=1)  # "那宁夏呢": a local provision this close leads
    policy_depth: int = configured(ge=1, le=10)  # a policy matches when it cites one of this many top provisions
    topical_min_confidence: float = configured(ge=0, le=1)  # a question about work is answered above this
    untopical_min_confidence: float = configured(ge=0, le=1)  # a question with no work word needs this
    direct_min_confidence: float = configured(ge=0, le=1)  # below this the lead says no provision answers directly
    second_quote_ratio: float = configured(ge=0, le=1)  # no direct answer: the next provision this close is quoted too
    close_second_ratio: float = configured(ge=0, le=1)  # a direct answer: the next provision this close is quoted too
    stated_min_confidence: float = configured(ge=0, le=1)  # an amount counts as stated only above this
    results: int = configured(ge=1, le=20)  # provisions the composer looks at
    group_depth: int = configured(ge=0, le=50)  # "妇女能参加不": provisions searched for one naming the group (0 = off)
    shown: int = configured(ge=1, le=5)  # provisions a reply quotes (the lead's and one related)
    office_hours: str = configured()  # when 12333 has agents, shown with the handoff


class ModelSettings(_Section):
    """The dense leg's sentence-transformers model."""

    config_section = "model"

    path: Path | None = configured()
    dim: int = configured(ge=16, le=2048)
    epochs: int = configured(ge=1, le=50)
    batch_size: int = configured(ge=8, le=1024)
    doc2query_pairs: bool = configured()  # train on (doc2query question, provision) pairs too
    seed: int = configured()


class IndexSettings(_Section):
    """Index versions kept on disk."""

    config_section = "index"

    keep_versions: int = configured(ge=1, le=100)
    dense: bool = configured()


class WebSettings(_Section):
    """Where the web app listens and which services it watches."""

    config_section = "web"

    host: str = configured()
    port: int = configured(ge=1, le=65535)
    rasa_url: str = configured()
    actions_url: str = configured()
    health_timeout_s: float = configured(gt=0, le=10)
    secret_key: SecretStr | None = configured()
    cookie_secure: bool = configured()
    allowed_origins: list[str] = configured()
    ratelimit_storage: str = configured()
    workers: int = configured(ge=1, le=64)
    threads: int = configured(ge=1, le=256)
    gunicorn_config: Path | None = configured()
    trusted_proxies: int = configured(ge=0, le=5)
    api_limit: str = configured()  # /api/search, /api/eligibility, /api/answer per client address
    health_limit: str = configured()  # /healthz per client address (each call probes Rasa, actions, database)
    ratelimit_exempt: list[str] = configured()  # addresses the API and health limits skip (action server)

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

    config_section = "chat"

    timeout_s: float = configured(gt=0, le=60)
    max_message_chars: int = configured(ge=10, le=5000)
    session_limit: str = configured()  # per conversation
    ip_limit: str = configured()  # per client address: a ceiling high enough for a NAT
    session_hours: float = configured(gt=0, le=720)  # a session token is refused this long after the last message


class DatabaseSettings(_Section):
    """The app database (conversations, feedback, unanswered questions)."""

    config_section = "database"

    url: str | None = configured()


class DeploymentSettings(_Section):
    """Embedded (one machine: SQLite, in-memory locks and limits) or scale-out (PostgreSQL + Redis)."""

    config_section = "deployment"

    mode: Literal["embedded", "scaleout"] = configured()
    postgres_url: SecretStr | None = configured()
    redis_url: SecretStr | None = configured()
    redis_key_prefix: str = configured(pattern=r"^[A-Za-z0-9]+$")

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

    config_section = "staff"

    login_limit: str = configured()  # per client address and (normalised) user name
    login_ip_limit: str = configured()  # per client address, whatever the names
    session_hours: float = configured(gt=0, le=168)
    min_password_chars: int = configured(ge=6, le=128)
    console_results: int = configured(ge=1, le=50)
    queue_limit: int = configured(ge=1, le=500)
    max_upload_files: int = configured(ge=1, le=100)


class PrivacySettings(_Section):
    """How long conversations, feedback and logs are kept (``policybot privacy purge``)."""

    config_section = "privacy"

    retention_days: int = configured(ge=1, le=3650)


class Settings(BaseModel):
    """Everything configurable, validated; see config.yml for the meaning of each key."""

    model_config = ConfigDict(extra="forbid")

    config_dir: Path  # the configuration file's directory (load_settings sets it)
    # A section left out of the configuration is built from DEFAULT_CONFIG's.
    paths: PathSettings = Field(default_factory=PathSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    chat: ChatSettings = Field(default_factory=ChatSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    staff: StaffSettings = Field(default_factory=StaffSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    deployment: DeploymentSettings = Field(default_factory=DeploymentSettings)

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
