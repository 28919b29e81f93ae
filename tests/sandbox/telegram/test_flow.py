"""Flood control, reader input through getUpdates, and the webhook conflict, with a real Bot."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import telegram
from telegram.error import Conflict, RetryAfter

from tests.support.sandbox import CHANNEL, GROUP, messages

Run = Any
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
SLOW = {"chat_per_second": 0.01, "chat_burst": 2, "group_per_minute": 3.0}


def test_flood_control_raises_retry_after_until_time_passes(
    bot_run: Run, control: httpx.Client
) -> None:
    control.patch("/sandbox/config", json={"flood": SLOW}).raise_for_status()

    async def burst(bot: telegram.Bot) -> None:
        for n in range(3):
            await bot.send_message(CHANNEL, f"item {n}")

    with pytest.raises(RetryAfter) as info:
        bot_run(burst)
    retry = info.value.retry_after
    assert isinstance(retry, int) and 90 <= retry <= 100  # one message at 0.01/s
    assert len(messages(control, CHANNEL)) == 2
    control.post("/sandbox/clock", json={"advance_seconds": 200}).raise_for_status()
    bot_run(lambda bot: bot.send_message(CHANNEL, "after the wait"))
    assert len(messages(control, CHANNEL)) == 3


def test_groups_have_a_per_minute_limit(bot_run: Run, control: httpx.Client) -> None:
    limits = {"chat_per_second": 100.0, "chat_burst": 100, "group_per_minute": 3.0}
    control.patch("/sandbox/config", json={"flood": limits}).raise_for_status()

    async def burst(bot: telegram.Bot) -> None:
        for n in range(4):
            await bot.send_message(GROUP, f"item {n}")

    with pytest.raises(RetryAfter):
        bot_run(burst)
    assert len(messages(control, GROUP)) == 3


def test_flood_control_can_be_switched_off(bot_run: Run, control: httpx.Client) -> None:
    control.patch("/sandbox/config", json={"flood": SLOW, "flood_control": False})

    async def burst(bot: telegram.Bot) -> None:
        for n in range(5):
            await bot.send_message(CHANNEL, f"item {n}")

    bot_run(burst)
    assert len(messages(control, CHANNEL)) == 5
    assert control.get("/sandbox/config").json()["flood_control"] is False


def test_injected_reader_message_comes_back_from_get_updates(
    bot_run: Run, control: httpx.Client
) -> None:
    injected = control.post(
        "/sandbox/telegram/updates",
        json={"text": "/subscribe politik", "user_id": 777, "username": "reader"},
    )
    assert injected.status_code == 201

    async def go(bot: telegram.Bot) -> tuple[tuple[telegram.Update, ...], ...]:
        first = await bot.get_updates(timeout=0)
        await bot.send_message(777, "Subscribed to politik")
        again = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
        return first, again

    first, again = bot_run(go)
    [update] = first
    assert update.message.text == "/subscribe politik"
    assert update.message.from_user.username == "reader"
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/subscribe")
    assert again == ()
    conversation = messages(control, 777)
    assert [(m["from_bot"], m["text"]) for m in conversation] == [
        (False, "/subscribe politik"),
        (True, "Subscribed to politik"),
    ]


def test_long_poll_returns_when_an_update_arrives(bot_run: Run, control: httpx.Client) -> None:
    async def go(bot: telegram.Bot) -> tuple[telegram.Update, ...]:
        poll = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient(base_url=str(control.base_url)) as client:
            await client.post("/sandbox/telegram/updates", json={"text": "hello"})
        return await poll

    [update] = bot_run(go)
    assert update.message.text == "hello"


def test_get_updates_while_a_webhook_is_set_raises_conflict(bot_run: Run) -> None:
    async def go(bot: telegram.Bot) -> None:
        assert await bot.set_webhook("https://example.com/hook")
        await bot.get_updates(timeout=0)

    with pytest.raises(Conflict, match="webhook is active"):
        bot_run(go)


def test_plain_http_webhook_is_refused(bot_run: Run) -> None:
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)https url must be provided"):
        bot_run(lambda bot: bot.set_webhook("http://example.com/hook"))


def test_a_second_long_poll_terminates_the_first(bot_run: Run) -> None:
    async def go(bot: telegram.Bot) -> tuple[object, tuple[telegram.Update, ...]]:
        first = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
        await asyncio.sleep(0.2)
        second = await bot.get_updates(timeout=0)
        [older] = await asyncio.gather(first, return_exceptions=True)
        return older, second

    older, newer = bot_run(go)
    assert isinstance(older, Conflict) and "terminated by other getUpdates" in str(older)
    assert newer == ()


def test_a_group_takes_twenty_messages_in_its_first_minute(
    bot_run: Run, control: httpx.Client
) -> None:
    """Telegram's default 20 a minute per group, counted over any 60 s: a message a second
    (inside the per-chat limit) stops at the 21st, where a token bucket let 39 through."""

    async def steady(bot: telegram.Bot) -> int:
        for n in range(60):
            try:
                await bot.send_message(GROUP, f"item {n}")
            except RetryAfter:
                return n
            control.post("/sandbox/clock", json={"advance_seconds": 1}).raise_for_status()
        return 60

    assert bot_run(steady) == 20
    assert len(messages(control, GROUP)) == 20


def test_edits_share_the_per_chat_limit(bot_run: Run, control: httpx.Client) -> None:
    control.patch("/sandbox/config", json={"flood": SLOW}).raise_for_status()

    async def edit_twice(bot: telegram.Bot) -> None:
        sent = await bot.send_message(CHANNEL, "v1")
        await bot.edit_message_text("v2", CHANNEL, sent.message_id)
        await bot.edit_message_text("v3", CHANNEL, sent.message_id)

    with pytest.raises(RetryAfter):
        bot_run(edit_twice)
    [message] = messages(control, CHANNEL)
    assert message["text"] == "v2"
