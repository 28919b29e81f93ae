"""Settings from the environment and ``.env`` (pydantic-settings); no import-time singletons."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, IPvAnyNetwork, SecretStr, StringConstraints, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from distributor.errors import ConfigError
from distributor.models import Seconds

PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "placeholder", "xxx", "todo"})
SANDBOX_TELEGRAM_TOKEN = "123456789:sandbox-token-for-local-demo-only-abc"  # noqa: S105
SANDBOX_WEBHOOK_SECRET = "sandbox-webhook-secret-not-for-production"  # noqa: S105
SANDBOX_TELEGRAM_WEBHOOK_SECRET = "sandbox-telegram-webhook-secret"  # noqa: S105


class ApiToken(BaseModel):
    """A manager token and the scopes it grants (``deliveries:read``, ``reshare``, ...)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    token: SecretStr
    scopes: frozenset[str] = frozenset()


class Settings(BaseSettings):
    """Everything the service reads from its environment (prefix ``DISTRIBUTOR_``)."""

    model_config = SettingsConfigDict(
        env_prefix="DISTRIBUTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    redis_url: str = "redis://127.0.0.1:6379/0"
    broker_url: str | None = None  # defaults to redis_url
    namespace: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")] = "distributor"

    webhook_secret: SecretStr = SecretStr("")
    # hardening (#13): more secrets accepted at once, for rotation (a JSON list, newest first:
    # the first one signs `distributor publish`); webhook_secret still works, alone or beside
    webhook_secrets: list[SecretStr] = Field(default_factory=list)
    signature_tolerance_s: int = Field(default=300, ge=1, le=3600)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    tokens: list[ApiToken] = Field(default_factory=list)
    token: SecretStr | None = None  # the manager token the CLI sends (docs/managers.md)

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    # a private chat of the bot's where the reconciler forwards channel posts to look for an
    # in-doubt one (copies are deleted at once); without it in-doubt Telegram posts are held
    telegram_probe_chat: str | None = None
    # rate governor (docs/architecture.md, "Rate governor"): one call in flight per Telegram
    # chat, so no call is on its way to a chat while another's 429 is arriving
    telegram_single_flight: bool = True
    # the reconciler's probe: forwards per pass, all in-doubt items together (the probe chat
    # takes 20 messages a minute; a pass runs every 15 s)
    probe_budget: int = Field(default=20, ge=1, le=10_000)
    x_consumer_key: SecretStr | None = None
    x_consumer_secret: SecretStr | None = None
    x_access_token: SecretStr | None = None
    x_access_token_secret: SecretStr | None = None
    x_bearer_token: SecretStr | None = None
    x_base_url: str = "https://api.twitter.com"
    x_tier: Literal["free", "basic", "pro"] = "basic"  # X API tier: the budget's first guess
    # X budget (docs/architecture.md, "X budget"): X's headers are the truth, the tier only the
    # first guess; what each window keeps back, how often a held account asks X anyway, how
    # late a post may still go out (a destination's max_delay wins), the usage cap's reset day
    x_budget_reserve: float = Field(default=0.1, ge=0, lt=1)  # share kept for breaking news
    x_budget_margin: int = Field(default=1, ge=0, le=100)  # posts per window never spent
    x_probe_s: float | None = Field(default=None, ge=0)  # None: 3600 s, 30 s in sandbox mode
    x_max_delay: Seconds = 3 * 3600.0
    # an edit of an article never posted at a destination, published longer ago than this, is
    # skipped there rather than posted as new (the archive from before distributor)
    first_post_max_age: Seconds = 2 * 86_400.0
    x_usage_cap_reset_day: int = Field(default=1, ge=1, le=28)  # 00:00 UTC of this day
    # "off" lifts the rate governor's limits: only with sandbox=true, for throughput benchmarks
    rate_limits: Literal["on", "off"] = "on"
    # sandbox only: every Telegram limit this many times faster (the sandbox's flood limits
    # scaled alike), so a storm or soak runs in seconds with the governor still in charge
    rate_scale: float = Field(default=1.0, ge=1.0, le=1000.0)
    # operators: the featured image on X, fetched only from public addresses unless a network
    # is listed here (JSON list of CIDRs, e.g. ["127.0.0.1/32"] for the sandbox and tests)
    x_images: bool = True
    image_fetch_allow: list[IPvAnyNetwork] = Field(default_factory=list)
    image_fetch_timeout_s: float = Field(default=10.0, gt=0, le=60)
    # operators: logs ("console" tells the story, "json" for production) and metrics
    log_format: Literal["console", "json"] = "console"
    log_verbose: bool = False  # Celery's per-task lines, beat's schedule, HTTP request lines
    metrics: bool = True  # count into Prometheus metrics (off only to measure their cost)
    metrics_port: int | None = Field(default=None, ge=1, le=65535)  # a worker's exporter
    metrics_host: str = "127.0.0.1"

    routing_file: Path = Path("routing.toml")
    public_base_url: str | None = None  # where /s/... share links are served
    utm_campaign: str = "distributor"

    sandbox: bool = False  # point publishers at the local sandbox
    sandbox_url: str = "http://127.0.0.1:8081"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # hardening (#13): addresses (comma-separated IPs or CIDRs, or "*") of the proxies whose
    # X-Forwarded-For names the client; uvicorn's forwarded_allow_ips
    trusted_proxies: str = "127.0.0.1"

    http_timeout_s: float = Field(default=10.0, gt=0)
    visibility_timeout_s: int = Field(default=600, ge=5)
    lease_s: int = Field(default=60, ge=1)
    max_attempts: int = Field(default=8, ge=1)
    reconcile_min_age_s: float = Field(default=120.0, ge=0)
    # how far the platform's clock may run ahead of ours: a post dated later than an in-doubt
    # delivery's doubt plus this is surely not its post (the probe stops there)
    reconcile_slack_s: float = Field(default=30.0, ge=0, le=3600)
    # the outbox sweep sends an event's fan-out again after this long with a delivery pending
    outbox_stale_s: float = Field(default=900.0, ge=1)

    # hardening (#13): "required" refuses to start on a Redis that may lose acknowledged writes
    # (distributor/durability.py); "best_effort" only warns
    durability: Literal["required", "best_effort"] = "required"

    # hardening (#13): share counting kept apart and bounded (docs/security.md, "Counts")
    counts_redis_url: str | None = None  # a Redis of its own for share counts (default: redis_url)
    site_origins: list[str] = Field(default_factory=list)  # origins whose pages may count views
    click_limit: int = Field(default=30, ge=1)  # counted share clicks per address per window
    click_limit_window_s: int = Field(default=600, ge=1)
    click_limit_addresses: int = Field(default=100_000, ge=1)  # addresses tracked per window
    # readers (distributor/audience/readers, distributor/bot): the bot and its subscribers.
    # The bot takes updates by webhook (POST /telegram/webhook) when public_base_url is HTTPS,
    # else by long polling.
    telegram_webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token
    telegram_webhook_certificate: Path | None = None  # a self-signed certificate to upload
    readers_per_s: float = Field(default=29.0, gt=0, lt=30)  # under the bot's 30/s: channels first
    readers_paid_broadcast: bool = False  # allow_paid_broadcast: up to 1000/s, for a fee
    readers_paid_per_s: float = Field(default=1000.0, gt=0)
    readers_chunk: int = Field(default=100, ge=1, le=1000)  # readers per send task
    readers_lanes: int = Field(default=2, ge=1, le=16)  # send tasks of one job at a time
    readers_in_flight: int = Field(default=64, ge=1, le=512)  # sends in flight per task
    readers_topics: list[str] = Field(default_factory=list)  # offered before any article
    readers_digest_hour: int = Field(default=7, ge=0, le=23)  # /digest on without an hour

    trending_half_life_h: float = Field(default=6.0, gt=0)
    digest_chat: str | None = None  # Telegram chat for the daily "Terpopuler" digest
    digest_hour: int = Field(default=20, ge=0, le=23)  # local hour (``timezone``) to send it
    timezone: str = "Asia/Jakarta"

    # the feed watcher (`distributor watch`, beat task "watch-site" when watch_url is set): the
    # WordPress site whose REST API it polls for posts the webhook missed; an application
    # password lets it see trashed and unpublished posts too
    watch_url: str | None = None
    watch_user: str | None = None
    watch_app_password: SecretStr | None = None
    watch_interval_s: float = Field(default=60.0, ge=5)
    # the managers' desk (/manage): a session ends after this long unused, or this long after
    # sign-in, whichever comes first
    desk_session_idle_s: int = Field(default=3600, ge=60)
    desk_session_max_s: int = Field(default=12 * 3600, ge=300)

    @model_validator(mode="after")
    def _rate_limits_off_only_in_sandbox(self) -> Settings:
        if self.rate_limits == "off" and not self.sandbox:
            raise ValueError("rate_limits=off is only allowed with sandbox=true (benchmarks)")
        if self.rate_scale != 1.0 and not self.sandbox:
            raise ValueError("rate_scale is only allowed with sandbox=true (storms, soaks)")
        return self

    @model_validator(mode="after")
    def _sandbox_urls(self) -> Settings:
        if self.sandbox:
            base = self.sandbox_url.rstrip("/")
            self.telegram_base_url = f"{base}/bot"
            self.x_base_url = base
        return self

    @model_validator(mode="after")
    def _telegram_webhook_secret_shape(self) -> Settings:
        secret = self.telegram_webhook_secret
        if secret is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", secret.get_secret_value()
        ):
            raise ValueError(
                "telegram_webhook_secret: 1-256 of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return self

    @property
    def broker(self) -> str:
        """The Celery broker URL."""
        return self.broker_url or self.redis_url

    @property
    def x_probe_every_s(self) -> float:
        """How often the first held post of an X account asks X whether its limit is spent:
        X's own count only drifts from ours through posts we counted and never sent, while a
        restarted sandbox forgets everything (the demo asks often)."""
        if self.x_probe_s is not None:
            return self.x_probe_s
        return 30.0 if self.sandbox else 3600.0

    @property
    def has_telegram(self) -> bool:
        """Whether a Telegram token is configured."""
        return _is_set(self.telegram_token)

    @property
    def has_x(self) -> bool:
        """Whether X user-context credentials are configured."""
        return _is_set(self.x_access_token) or _is_set(self.x_bearer_token)

    def auto_sandbox(self) -> Settings:
        """These settings, switched to sandbox mode when no platform credentials are set
        (what `distributor run` does on a fresh machine, and `publish` must agree with)."""
        if self.sandbox or self.has_telegram or self.has_x:
            return self
        return type(self)(**{**self.model_dump(), "sandbox": True})

    def telegram_token_value(self) -> str:
        """The bot token; the sandbox one in sandbox mode when none is set."""
        if self.telegram_token is not None and _is_set(self.telegram_token):
            return self.telegram_token.get_secret_value()
        if self.sandbox:
            return SANDBOX_TELEGRAM_TOKEN
        raise ConfigError("DISTRIBUTOR_TELEGRAM_TOKEN is not set")

    @property
    def bot_webhook_url(self) -> str | None:
        """Where Telegram delivers the bot's updates (the API's ``/telegram/webhook``), or None
        for long polling: a webhook needs a public HTTPS URL."""
        base = (self.public_base_url or "").rstrip("/")
        return f"{base}/telegram/webhook" if base.startswith("https://") else None

    def telegram_webhook_secret_value(self) -> str | None:
        """The secret Telegram sends with each update (the sandbox one in sandbox mode)."""
        if self.telegram_webhook_secret is not None and _is_set(self.telegram_webhook_secret):
            return self.telegram_webhook_secret.get_secret_value()
        return SANDBOX_TELEGRAM_WEBHOOK_SECRET if self.sandbox else None

    def check_secrets(self) -> None:
        """Refuse to start with a missing or placeholder secret, unless in sandbox mode."""
        if self.sandbox:
            return
        given = [self.webhook_secret, *self.webhook_secrets]
        weak = [s for s in given if s.get_secret_value() and len(s.get_secret_value()) < 16]
        if weak or not any(_is_set(s) for s in given):
            raise ConfigError(
                "DISTRIBUTOR_WEBHOOK_SECRET(S) is missing, a placeholder or shorter than 16 "
                "characters"
            )
        if not (self.has_telegram or self.has_x):
            raise ConfigError("no platform credentials: set Telegram or X ones, or run in sandbox")

    def webhook_secret_values(self) -> list[bytes]:
        """Every webhook secret a signature may be made with, the signing one first (the
        sandbox one in sandbox mode when none is set)."""
        found = [s.get_secret_value().encode() for s in self.webhook_secrets if _is_set(s)]
        if _is_set(self.webhook_secret):
            found.append(self.webhook_secret.get_secret_value().encode())
        if found:
            return found
        if self.sandbox:
            return [SANDBOX_WEBHOOK_SECRET.encode()]
        raise ConfigError("DISTRIBUTOR_WEBHOOK_SECRET is not set")

    def webhook_secret_value(self) -> bytes:
        """The secret `distributor publish` signs with: the first of ``webhook_secret_values``."""
        return self.webhook_secret_values()[0]


def _is_set(secret: SecretStr | None) -> bool:
    return secret is not None and secret.get_secret_value().strip().lower() not in PLACEHOLDERS


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process, read once on first use (not at import)."""
    return Settings()
