"""Build the platform publishers from Settings (real platforms, or the sandbox)."""

from __future__ import annotations

import tweepy
from pydantic import SecretStr
from telegram import Bot
from telegram.request import HTTPXRequest

from distributor.config import Settings
from distributor.errors import ConfigError
from distributor.models import Platform
from distributor.publishers.base import Publisher
from distributor.publishers.telegram import TelegramPublisher
from distributor.publishers.telegram_aiohttp import AiohttpRequest
from distributor.publishers.transport import route_tweepy_to
from distributor.publishers.x import XPublisher
from distributor.redact import redact_bot_tokens

# the sandbox derives the account from the access token's leading digits
SANDBOX_X_CREDENTIALS = {
    "consumer_key": "sandbox-consumer-key",
    "consumer_secret": "sandbox-consumer-secret",
    "access_token": "1000000001-sandbox-access-token",
    "access_token_secret": "sandbox-access-token-secret",
}


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


def build_x_client(settings: Settings) -> tuple[tweepy.Client, bool]:
    """A tweepy ``Client`` for the configured account, sent to ``settings.x_base_url``, and
    whether it signs with user context (OAuth 1.0a) rather than an OAuth 2.0 bearer token.

    The transport adapter is mounted even for the real host: it gives tweepy (which sets
    none) the configured timeout, without which a stalled call would outlive its lease.
    """
    if _set(settings.x_access_token):
        credentials = {
            "consumer_key": _value(settings.x_consumer_key),
            "consumer_secret": _value(settings.x_consumer_secret),
            "access_token": _value(settings.x_access_token),
            "access_token_secret": _value(settings.x_access_token_secret),
        }
        client, user_auth = tweepy.Client(**credentials), True
    elif _set(settings.x_bearer_token):  # an OAuth 2.0 user-context token
        client, user_auth = tweepy.Client(bearer_token=_value(settings.x_bearer_token)), False
    elif settings.sandbox:
        client, user_auth = tweepy.Client(**SANDBOX_X_CREDENTIALS), True
    else:
        raise ConfigError("no X credentials: set DISTRIBUTOR_X_ACCESS_TOKEN and friends")
    route_tweepy_to(client, settings.x_base_url, timeout=settings.http_timeout_s)
    return client, user_auth


def build_x(settings: Settings) -> XPublisher:
    """The X publisher for the configured account."""
    client, user_auth = build_x_client(settings)
    return XPublisher(client, user_auth=user_auth)


def build_publisher(platform: Platform, settings: Settings) -> Publisher:
    """The publisher for one platform."""
    return build_telegram(settings) if platform == "telegram" else build_x(settings)


def _set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value().strip())


def _value(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
