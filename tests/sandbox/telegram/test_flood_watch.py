"""The storm check (issue 13): a call to a chat before its 429's retry_after passed is early,
whether the 429 came from the sandbox's flood control or an injected fault."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telegram
from telegram.error import RetryAfter

from tests.support.sandbox import CHANNEL, GROUP

Run = Any
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def flood(control: httpx.Client) -> dict[str, Any]:
    response = control.get("/sandbox/telegram/flood")
    result: dict[str, Any] = response.raise_for_status().json()
    return result


def refuse_next_send(control: httpx.Client) -> None:
    """The next sendMessage is answered 429, retry after 30 s."""
    fault = {"platform": "telegram", "method": "sendMessage", "kind": "rate_limit",
             "retry_after": 30}  # fmt: skip
    control.post("/sandbox/faults", json=fault).raise_for_status()


def test_a_call_to_a_chat_before_its_retry_after_is_early(
    bot_run: Run, control: httpx.Client
) -> None:
    refuse_next_send(control)

    async def storm(bot: telegram.Bot) -> None:
        with pytest.raises(RetryAfter):
            await bot.send_message(CHANNEL, "refused")
        await bot.send_message(GROUP, "another chat is not blocked")
        await bot.send_message(CHANNEL, "too soon")  # the fault is spent: it goes through

    bot_run(storm)
    seen = flood(control)
    assert seen["refusals"] == 1 and seen["early_count"] == 1
    (early,) = seen["early"]
    assert early["chat"] == str(CHANNEL) and early["method"] == "sendmessage"
    assert list(seen["blocked_now"]) == [str(CHANNEL)]


def test_the_flood_controls_own_429_blocks_the_chat_too(
    bot_run: Run, control: httpx.Client
) -> None:
    async def burst(bot: telegram.Bot) -> int:
        refused = 0
        for n in range(30):  # far past a group's burst
            try:
                await bot.send_message(GROUP, f"message {n}")
            except RetryAfter:
                refused += 1
        return refused

    refused = bot_run(burst)
    seen = flood(control)
    assert refused > 1 and seen["refusals"] == refused
    assert seen["early_count"] == refused - 1  # every call after the first refusal was early


def test_a_reset_starts_the_check_over(bot_run: Run, control: httpx.Client) -> None:
    refuse_next_send(control)
    with pytest.raises(RetryAfter):
        bot_run(lambda bot: bot.send_message(CHANNEL, "refused"))
    assert flood(control)["refusals"] == 1
    control.post("/sandbox/reset").raise_for_status()
    assert flood(control) | {"early": []} == {
        "refusals": 0,
        "calls": 0,
        "early_count": 0,
        "blocked_now": {},
        "early": [],
    }
