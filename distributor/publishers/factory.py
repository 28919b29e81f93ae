"""Build the platform publishers from Settings (real platforms, or the sandbox)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping

import tweepy
from pydantic import SecretStr
from telegram import Bot
from telegram.request import HTTPXRequest

from distributor.config import Settings
from distributor.errors import ConfigError
from distributor.models import Platform
from distributor.publishers.base import Publisher
from distributor.publishers.image_fetch import ImageFetcher
from distributor.publishers.telegram import TelegramPublisher
from distributor.publishers.telegram_aiohttp import AiohttpRequest
from distributor.publishers.transport import route_tweepy_to
from distributor.publishers.x import XPublisher
from distributor.publishers.x_limits import Observe, watch_post_limits
from distributor.publishers.x_media import XMedia
from distributor.redact import redact_bot_tokens

# the sandbox derives the account from the access token's leading digits
SANDBOX_X_CREDENTIALS = {
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "access_token": "1000000001-sandbox-access-token",
    "access_token_secret": "sandbox-access-token-secret",
}
X_FIELDS = (
    "consumer_key",
    "consumer_secret",
    "access_token",
    "access_token_secret",
    "bearer_token",
)


def build_telegram(settings: Settings) -> TelegramPublisher:
    """A ``Bot`` on ``settings.telegram_base_url`` with the configured HTTP timeout."""
    timeout = settings.http_timeout_s
    request = HTTPXRequest(
        connect_timeout=timeout, read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout
    )
    redact_bot_tokens("httpx")  # it logs each request's URL, token included, at INFO
    bot = Bot(settings.telegram_token_value(), base_url=settings.telegram_base_url, request=request)
    return TelegramPublisher(bot, probe_chat=settings.telegram_probe_chat)


def build_reader_bot(settings: Settings) -> Bot:
    """The ``Bot`` the readers' batch sender uses: over aiohttp, a keep-alive pool of one
    connection per message in flight (readers: distributor/audience/readers/broadcast.py)."""
    request = AiohttpRequest(settings.readers_in_flight + 2, settings.http_timeout_s)
    token, base_url = settings.telegram_token_value(), settings.telegram_base_url
    return Bot(token, base_url=base_url, request=request)


def build_x_client(
    settings: Settings, credentials: str | None = None, environ: Mapping[str, str] = os.environ
) -> tuple[tweepy.Client, bool]:
    """A tweepy ``Client`` for one account, sent to ``settings.x_base_url``, and whether it
    signs with user context (OAuth 1.0a) rather than an OAuth 2.0 bearer token.

    ``credentials`` names the account (a destination's ``credentials = "X_NEWSROOM"``): its
    secrets are read from ``DISTRIBUTOR_X_NEWSROOM_ACCESS_TOKEN`` and friends; None is the
    default account (``DISTRIBUTOR_X_ACCESS_TOKEN``...). In sandbox mode an account without
    secrets gets sandbox ones of its own, so two accounts post to two timelines.

    The transport adapter is mounted even for the real host: it gives tweepy (which sets
    none) the configured timeout, without which a stalled call would outlive its lease.
    """
    found = _x_secrets(settings, credentials, environ)
    if found.get("access_token"):
        user = {k: found.get(k) for k in X_FIELDS[:4]}
        client, user_auth = tweepy.Client(**user), True
    elif found.get("bearer_token"):  # an OAuth 2.0 user-context token
        client, user_auth = tweepy.Client(bearer_token=found["bearer_token"]), False
    elif settings.sandbox:
        client, user_auth = tweepy.Client(**sandbox_x_credentials(credentials)), True
    else:
        where = f"DISTRIBUTOR_{credentials or 'X'}_ACCESS_TOKEN"
        raise ConfigError(f"no X credentials: set {where} and friends")
    route_tweepy_to(client, settings.x_base_url, timeout=settings.http_timeout_s)
    return client, user_auth


def sandbox_x_credentials(credentials: str | None) -> dict[str, str]:
    """Sandbox secrets for an account: the sandbox reads the user id from the token's digits."""
    if credentials is None:
        return dict(SANDBOX_X_CREDENTIALS)
    user = 2_000_000_000 + int(hashlib.sha256(credentials.encode()).hexdigest()[:7], 16)
    return {**SANDBOX_X_CREDENTIALS, "access_token": f"{user}-sandbox-{credentials.lower()}"}


def _x_secrets(
    settings: Settings, credentials: str | None, environ: Mapping[str, str]
) -> dict[str, str]:
    """The account's non-placeholder secrets, by field."""
    if credentials is None:
        values = {f: _value(getattr(settings, f"x_{f}")) for f in X_FIELDS}
    else:
        values = {f: environ.get(f"DISTRIBUTOR_{credentials}_{f.upper()}") for f in X_FIELDS}
    return {f: v for f, v in values.items() if v is not None and _set(SecretStr(v))}


def build_x(
    settings: Settings,
    credentials: str | None = None,
    observe: Observe | None = None,
    clock: Callable[[], float] = time.time,
) -> XPublisher:
    """The X publisher for one account; ``observe`` receives the limits in every answer to a
    post (the budget learns from them). The featured image is uploaded by the same account's
    client (X attaches only media its uploader owns), unless ``x_images`` is off."""
    client, user_auth = build_x_client(settings, credentials)
    if observe is not None:
        watch_post_limits(client.session, observe, settings.x_usage_cap_reset_day, clock)
    media = None
    if settings.x_images:
        fetcher = ImageFetcher(settings.image_fetch_allow, timeout_s=settings.image_fetch_timeout_s)
        media = XMedia(client, fetcher, user_auth=user_auth)
    return XPublisher(client, user_auth=user_auth, media=media)


def build_publisher(platform: Platform, settings: Settings) -> Publisher:
    """The publisher for one platform."""
    return build_telegram(settings) if platform == "telegram" else build_x(settings)


def _set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


def _value(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
