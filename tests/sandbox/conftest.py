"""One live sandbox for the module's tests, reset before each; real PTB and tweepy clients."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import httpx
import pytest
import telegram
import tweepy
from telegram.request import HTTPXRequest

from distributor.publishers.transport import route_tweepy_to
from distributor.sandbox.server import running_sandbox
from tests.support.sandbox import CONFIG, TOKEN, USER_TOKEN

T = TypeVar("T")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A live sandbox server on a free port."""
    with running_sandbox(CONFIG) as url:
        yield url


@pytest.fixture
def control(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client on the sandbox, which starts every test from its initial state."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        client.post("/sandbox/reset").raise_for_status()
        yield client


@pytest.fixture
def bot_run(control: httpx.Client) -> Callable[..., Any]:
    """Run ``fn(bot)`` with a real ``telegram.Bot`` pointed at the sandbox."""

    def run(
        fn: Callable[[telegram.Bot], Awaitable[T]], token: str = TOKEN, read_timeout: float = 5.0
    ) -> T:
        async def main() -> T:
            def request() -> HTTPXRequest:
                return HTTPXRequest(
                    connection_pool_size=4, read_timeout=read_timeout, connect_timeout=5.0
                )

            bot = telegram.Bot(
                token,
                base_url=f"{control.base_url}/bot",
                request=request(),
                get_updates_request=request(),
            )
            async with bot:
                return await fn(bot)

        return asyncio.run(main())

    return run


@pytest.fixture
def x_client(control: httpx.Client) -> tweepy.Client:
    """A real ``tweepy.Client`` (OAuth 1.0a user 4242) routed to the sandbox."""
    client = tweepy.Client(
        consumer_key="sandbox-consumer-key",
        consumer_secret="sandbox-consumer-secret",
        access_token=USER_TOKEN,
        access_token_secret="sandbox-access-secret",
    )
    route_tweepy_to(client, str(control.base_url))
    return client


@pytest.fixture
def x_api(control: httpx.Client) -> tweepy.API:
    """A real ``tweepy.API`` (v1.1, for media upload) routed to the sandbox."""
    auth = tweepy.OAuth1UserHandler(
        "sandbox-consumer-key", "sandbox-consumer-secret", USER_TOKEN, "sandbox-access-secret"
    )
    api = tweepy.API(auth)
    route_tweepy_to(api, str(control.base_url))
    return api
