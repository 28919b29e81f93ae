"""Injected faults reach the real clients as the errors they raise for real outages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import requests
import telegram
import tweepy
from telegram.error import NetworkError, RetryAfter, TelegramError, TimedOut

from distributor.publishers.transport import route_tweepy_to
from distributor.sandbox.faults import FaultBook, FaultSpec
from tests.support.sandbox import CHANNEL, messages

Run = Any
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def arm(control: httpx.Client, **fault: Any) -> None:
    """Arm one fault through the inspection API."""
    control.post("/sandbox/faults", json=fault).raise_for_status()


def send(bot: telegram.Bot) -> Any:
    return bot.send_message(CHANNEL, "hello")


def test_server_error_raises_network_error_and_posts_nothing(
    bot_run: Run, control: httpx.Client
) -> None:
    arm(control, platform="telegram", method="sendMessage", kind="server_error", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        bot_run(send)
    assert messages(control) == []
    assert bot_run(send).message_id == 1  # only the next call failed


def test_server_error_after_the_post_leaves_it_posted(bot_run: Run, control: httpx.Client) -> None:
    arm(control, platform="telegram", method="sendmessage", kind="server_error", after=True)
    with pytest.raises(NetworkError):
        bot_run(send)
    assert [m["text"] for m in messages(control)] == ["hello"]


def test_rate_limit_fault_raises_retry_after(bot_run: Run, control: httpx.Client) -> None:
    arm(control, platform="telegram", method="*", kind="rate_limit", retry_after=17)
    with pytest.raises(RetryAfter) as info:
        bot_run(send)
    assert info.value.retry_after == 17


def test_hang_past_the_client_timeout_raises_timed_out(bot_run: Run, control: httpx.Client) -> None:
    arm(
        control,
        platform="telegram",
        method="sendMessage",
        kind="hang",
        hang_seconds=1.5,
        after=True,
    )
    with pytest.raises(TimedOut):
        bot_run(send, read_timeout=0.3)
    assert [m["text"] for m in messages(control)] == ["hello"]


def test_malformed_json_raises_telegram_error(bot_run: Run, control: httpx.Client) -> None:
    arm(control, platform="telegram", method="sendMessage", kind="malformed_json", count=2)
    with pytest.raises(TelegramError, match="Invalid server response"):
        bot_run(send)
    assert len(control.get("/sandbox/faults").json()) == 1
    control.delete("/sandbox/faults").raise_for_status()
    assert bot_run(send).text == "hello"


def test_x_server_error_raises_twitter_server_error(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    arm(control, platform="x", method="create_tweet", kind="server_error", status=503)
    with pytest.raises(tweepy.TwitterServerError, match="503"):
        x_client.create_tweet(text="hello", user_auth=True)
    assert control.get("/sandbox/x/tweets").json() == []


def test_x_rate_limit_fault_gives_reset_time(
    x_client: tweepy.Client, control: httpx.Client
) -> None:
    arm(control, platform="x", method="create_tweet", kind="rate_limit", retry_after=60)
    now = control.post("/sandbox/clock", json={"advance_seconds": 0}).json()["now"]
    with pytest.raises(tweepy.TooManyRequests) as info:
        x_client.create_tweet(text="hello", user_auth=True)
    assert info.value.reset_time == int(now) + 60


def test_x_hang_after_posting_times_out_with_the_tweet_posted(control: httpx.Client) -> None:
    client = tweepy.Client(consumer_key="k", consumer_secret="s", access_token="7-t",
                           access_token_secret="t")  # fmt: skip
    route_tweepy_to(client, str(control.base_url), timeout=0.3)
    arm(control, platform="x", method="create_tweet", kind="hang", hang_seconds=1.5, after=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.create_tweet(text="maybe posted", user_auth=True)
    assert [t["text"] for t in control.get("/sandbox/x/tweets").json()] == ["maybe posted"]


def test_x_malformed_json_fails_to_decode(x_client: tweepy.Client, control: httpx.Client) -> None:
    arm(control, platform="x", method="get_me", kind="malformed_json")
    with pytest.raises(requests.exceptions.JSONDecodeError):
        x_client.get_me(user_auth=True)


def test_a_fault_strikes_with_its_probability_and_count_still_bounds() -> None:
    draws = iter([0.9, 0.1, 0.5, 0.2, 0.0])
    book = FaultBook(chance=lambda: next(draws))
    book.add(
        FaultSpec(platform="telegram", method="*", kind="server_error", probability=0.3, count=2)
    )
    struck = [book.take("telegram", "sendMessage") is not None for _ in range(4)]
    assert struck == [False, True, False, True]  # 0.9 and 0.5 miss; 0.1 and 0.2 strike
    assert book.pending() == []  # count 2 spent: the fifth draw is never made
    assert book.take("telegram", "sendMessage") is None


def test_faults_are_tried_in_order_and_a_call_suffers_one() -> None:
    draws = iter([0.5, 0.05])
    book = FaultBook(chance=lambda: next(draws))
    book.add(
        FaultSpec(platform="telegram", method="*", kind="server_error", probability=0.3, count=9)
    )
    book.add(
        FaultSpec(platform="telegram", method="*", kind="rate_limit", probability=0.1, count=9)
    )
    fault = book.take("telegram", "sendMessage")
    assert fault is not None and fault.kind == "rate_limit"


def test_a_zero_probability_fault_never_strikes(bot_run: Run, control: httpx.Client) -> None:
    arm(control, platform="telegram", method="*", kind="server_error", probability=0.0)
    assert [bot_run(send).message_id for _ in range(3)] == [1, 2, 3]
    assert len(control.get("/sandbox/faults").json()) == 1  # still armed, never used


def test_a_slow_answer_is_late_but_real(bot_run: Run, control: httpx.Client) -> None:
    arm(control, platform="telegram", method="sendMessage", kind="slow", delay_s=0.3)
    assert bot_run(send).message_id == 1
    assert [m["text"] for m in messages(control)] == ["hello"]
    assert control.get("/sandbox/faults").json() == []


def test_a_slow_x_answer_is_late_but_real(x_client: tweepy.Client, control: httpx.Client) -> None:
    arm(control, platform="x", method="create_tweet", kind="slow", delay_s=0.3)
    assert x_client.create_tweet(text="slow but there").data["id"]
    assert control.get("/sandbox/faults").json() == []
