"""The X budget through deliver(): a real tweepy client, the sandbox's headers, real Redis.

The sandbox's per-user window on posting is shrunk to a few posts; the product's clock and the
sandbox's move together (``SharedClock``), so windows reopen without sleeping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import DeliveryState, Destination
from distributor.publishers.x_limits import cap_reset
from distributor.publishing.delivery import OutcomeKind
from tests.support.publishers import X_ACCOUNT, sandbox_config, sandbox_harness
from tests.support.xbudget import SharedClock, XRig, article, user_window, x_policy

HOUR = 3600
MakeRig = Callable[..., XRig]


@pytest.fixture
def make_rig(redis_client: Redis, keys: Keys) -> Iterator[MakeRig]:
    """An ``XRig`` on a fresh sandbox shaped by ``sandbox`` (config fields), with ``policy``."""
    with ExitStack() as stack:

        def make(sandbox: dict[str, Any], **policy: Any) -> XRig:
            harness = stack.enter_context(sandbox_harness(sandbox_config(**sandbox)))
            return XRig(harness, redis_client, keys, SharedClock(harness), x_policy(**policy))

        yield make


def test_a_burst_posts_what_the_window_allows_then_the_rest_by_priority(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(3, HOUR))
    categories = ["Opini", "Daerah", "Politik", "Bisnis", "Opini", "Politik", "Daerah", "Bisnis"]
    burst = [article(n, category) for n, category in enumerate(categories)]
    first = [rig.run(item, X_ACCOUNT).kind for item in burst]
    assert first == [OutcomeKind.DONE] * 3 + [OutcomeKind.RETRY] * 5  # at once, no pacing
    assert rig.posted() == ["Story 0", "Story 1", "Story 2"]
    held = rig.run(burst[3], X_ACCOUNT)
    assert held.retry_in is not None and HOUR - 60 < held.retry_in <= HOUR + 1
    assert "5 posts held for x:default" in held.detail and "24-hour limit per user" in held.detail

    def reopen() -> list[str]:
        rig.clock.advance(HOUR + 1)
        before = len(rig.posted())
        for item in burst[3:]:  # the waiting tasks wake in arrival order, not by rank
            rig.run(item, X_ACCOUNT)
        return sorted(rig.posted()[before:])

    # Politik 3 > Daerah 2 > Bisnis 1 > Opini 0, newest first within a category
    assert reopen() == ["Story 5", "Story 6", "Story 7"]
    assert reopen() == ["Story 3", "Story 4"]


def test_breaking_news_after_a_backlog_spends_the_reserve_at_once(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(5, HOUR), reserve=0.2)  # one post of five kept for breaking news
    backlog = [article(n, "Politik") for n in range(6)]
    kinds = [rig.run(item, X_ACCOUNT).kind for item in backlog]
    assert kinds == [OutcomeKind.DONE] * 4 + [OutcomeKind.RETRY] * 2
    breaking = article(9, "Opini", tags=("Breaking",))
    assert rig.run(breaking, X_ACCOUNT).kind is OutcomeKind.DONE
    assert rig.posted()[-1] == "Story 9"


def test_breaking_news_goes_first_when_the_window_reopens(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(2, HOUR))
    backlog = [article(n, "Politik") for n in range(5)]
    for item in backlog:
        rig.run(item, X_ACCOUNT)
    breaking = article(9, "Opini", breaking=True, at=1_706_000_000 - HOUR)  # older, yet first
    assert rig.run(breaking, X_ACCOUNT).kind is OutcomeKind.RETRY
    rig.clock.advance(HOUR + 1)
    for item in [*backlog[2:], breaking]:
        rig.run(item, X_ACCOUNT)
    assert sorted(rig.posted()[2:]) == ["Story 4", "Story 9"]


def test_posts_that_cannot_make_max_delay_end_skipped_never_late(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(2, 24 * HOUR))
    items = [article(n) for n in range(4)]
    outcomes = [rig.run(item, X_ACCOUNT) for item in items]
    assert [o.kind for o in outcomes] == [OutcomeKind.DONE] * 2 + [OutcomeKind.SKIPPED] * 2
    record = rig.ledger.get("a3", X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.SKIPPED
    assert record.error is not None and "max_delay of 3h" in record.error
    assert "24-hour limit per user" in record.error and record.message_ids == ()
    assert rig.budget.holds() == []  # nothing is left waiting
    rig.clock.advance(24 * HOUR + 1)
    assert rig.run(items[3], X_ACCOUNT).kind is OutcomeKind.NOTHING
    assert rig.posted() == ["Story 0", "Story 1"]


def test_a_held_post_whose_next_turn_comes_too_late_is_skipped_then(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(1, HOUR))
    items = [article(n) for n in range(3)]
    kinds = [rig.run(item, X_ACCOUNT, max_delay_s=1.5 * HOUR).kind for item in items]
    assert kinds == [OutcomeKind.DONE, OutcomeKind.RETRY, OutcomeKind.RETRY]
    rig.clock.advance(HOUR + 1)
    kinds = [rig.run(item, X_ACCOUNT, max_delay_s=1.5 * HOUR).kind for item in items[1:]]
    assert kinds == [OutcomeKind.RETRY, OutcomeKind.DONE]  # the newer one has the turn
    late = rig.run(items[1], X_ACCOUNT, max_delay_s=1.5 * HOUR)  # its next turn: too late
    assert late.kind is OutcomeKind.SKIPPED and "max_delay of 1h30m" in late.detail
    assert rig.posted() == ["Story 0", "Story 2"]


def test_a_held_delivery_is_not_claimed(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(1, HOUR))
    rig.run(article(1), X_ACCOUNT)
    rig.ledger.ensure("a2", X_ACCOUNT.id, 1)  # as fan-out does
    outcome = rig.run(article(2), X_ACCOUNT)
    assert outcome.kind is OutcomeKind.RETRY and outcome.retry_in is not None
    assert outcome.retry_in > 60  # a long X wait: the task hands it to the scheduler
    record = rig.ledger.get("a2", X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.PENDING and record.attempts == 0
    notes = [e for e in rig.ledger.history("a2") if e.get("event") == "held"]
    assert len(notes) == 1 and "held for x:default" in notes[0]["reason"]
    assert outcome.notice is not None  # the account just became held: the console says so
    again = rig.run(article(2), X_ACCOUNT)
    assert again.notice is None and len(rig.ledger.history("a2")) == len(notes) + 1


def test_a_429_holds_every_worker_of_that_account(
    make_rig: MakeRig, redis_url: str, keys: Keys
) -> None:
    rig = make_rig({})
    other_redis = Redis.from_url(redis_url, decode_responses=True)
    other = XRig(rig.harness, other_redis, keys, rig.clock, rig.policy)  # another worker
    try:
        rig.harness.fault("x", "create_tweet", "rate_limit", retry_after=600)
        limited = rig.run(article(1), X_ACCOUNT)
        assert limited.kind is OutcomeKind.RETRY and "X rate limit" in limited.detail
        record = rig.ledger.get("a1", X_ACCOUNT.id, 1)
        assert record is not None and record.state is DeliveryState.PENDING
        calls = _post_calls(rig)
        held = other.run(article(2), X_ACCOUNT)
        assert held.kind is OutcomeKind.RETRY and held.retry_in is not None
        assert 590 < held.retry_in <= 601 and "x-rate-limit" in held.detail
        assert _post_calls(rig) == calls  # the other worker did not ask X
        rig.clock.advance(601)
        assert other.run(article(2), X_ACCOUNT).kind is OutcomeKind.DONE
    finally:
        other_redis.close()


def test_governor_learns_the_sandbox_restarted_by_asking(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(2, HOUR, "rate"), probe_s=60)
    assert [rig.run(article(n), X_ACCOUNT).kind for n in range(3)][-1] is OutcomeKind.RETRY
    assert rig.budget.windows("x:default")["rate"].remaining == 0
    rig.harness.http.post("/sandbox/reset").raise_for_status()  # as a restart: empty windows
    rig.clock.advance(61)  # X has not confirmed the count for a while
    rig.harness.http.patch("/sandbox/config", json=user_window(2, HOUR, "rate"))
    assert rig.run(article(2), X_ACCOUNT).kind is OutcomeKind.DONE  # the first in line asks
    (sandbox,) = rig.harness.http.get("/sandbox/x/windows").json()
    learnt = rig.budget.windows("x:default")["rate"]
    assert (learnt.remaining, learnt.reset) == (sandbox["remaining"], math.ceil(sandbox["reset"]))
    assert rig.run(article(3), X_ACCOUNT).kind is OutcomeKind.DONE


def test_a_restarted_governor_takes_the_sandboxs_word(
    make_rig: MakeRig, redis_client: Redis
) -> None:
    rig = make_rig(user_window(2, HOUR))
    for n in range(2):
        assert rig.run(article(n), X_ACCOUNT).kind is OutcomeKind.DONE
    fresh = XRig(rig.harness, redis_client, Keys("restarted"), rig.clock, rig.policy)
    limited = fresh.run(article(2), X_ACCOUNT)  # its guess says 100 a day: X says no
    assert limited.kind is OutcomeKind.RETRY and "X rate limit" in limited.detail
    (sandbox,) = rig.harness.http.get("/sandbox/x/windows").json()
    learnt = fresh.budget.windows("x:default")
    assert set(learnt) == {"rate", "user-24hour"}  # the guessed app window is gone
    assert learnt["user-24hour"].remaining == 0
    assert learnt["user-24hour"].reset == math.ceil(sandbox["reset"])
    held = fresh.run(article(2), X_ACCOUNT)
    assert held.kind is OutcomeKind.RETRY and "held" in held.detail


def test_usage_cap_holds_posts_until_the_caps_reset_without_hammering(
    make_rig: MakeRig,
) -> None:
    rig = make_rig({"x_usage_cap": {"posts": 2}})
    rig.clock.advance(cap_reset(rig.clock(), 10) + HOUR - rig.clock())  # the 10th, 01:00 UTC
    assert [rig.run(article(n), X_ACCOUNT).kind for n in range(2)] == [OutcomeKind.DONE] * 2
    capped = rig.run(article(2), X_ACCOUNT, max_delay_s=None)
    assert capped.kind is OutcomeKind.RETRY and "usage cap" in capped.detail
    reset = cap_reset(rig.clock(), 1)
    for _ in range(3):
        rig.clock.advance(HOUR)
        held = rig.run(article(2), X_ACCOUNT, max_delay_s=None)
        assert held.kind is OutcomeKind.RETRY and "monthly usage cap" in held.detail
        assert held.retry_in is not None and abs(rig.clock() + held.retry_in - reset) < 1
    (usage,) = rig.harness.http.get("/sandbox/x/usage").json()
    assert (usage["posts"], usage["refused"]) == (2, 1)  # asked X once, then waited
    (hold,) = rig.budget.holds()
    assert "UsageCapExceeded" in hold.describe() and hold.until == reset
    record = rig.ledger.get("a2", X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.PENDING
    late = rig.run(article(3), X_ACCOUNT)  # a post that must go within 3 hours cannot
    assert late.kind is OutcomeKind.SKIPPED and "monthly usage cap" in late.detail


def test_two_accounts_post_to_two_timelines_under_their_own_limits(make_rig: MakeRig) -> None:
    rig = make_rig(user_window(2, HOUR))
    newsroom = Destination(id="x-newsroom", platform="x", target="nr", credentials="X_NEWSROOM")
    sports = Destination(id="x-sports", platform="x", target="sp", credentials="X_SPORTS")
    for n in range(3):
        rig.run(article(n), newsroom)
        rig.run(article(n), sports)
    tweets = rig.harness.tweets()
    by_author: dict[str, int] = {}
    for tweet in tweets:
        by_author[tweet["author_id"]] = by_author.get(tweet["author_id"], 0) + 1
    assert sorted(by_author.values()) == [2, 2]  # two timelines, each its own window of two
    holds = {h.scope: h.held for h in rig.budget.holds()}
    assert holds == {"x:x_newsroom": 1, "x:x_sports": 1}


def _post_calls(rig: XRig) -> int:
    windows = rig.harness.http.get("/sandbox/x/windows").json()
    return sum(w["limit"] - w["remaining"] for w in windows if w["operation"] == "create_tweet")
