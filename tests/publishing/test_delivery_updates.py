"""deliver() for updates and unpublishes, on a real Redis and the live sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, DeliveryState, Platform, UpdatePolicy
from distributor.publishing.delivery import OutcomeKind
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor, RateTable
from tests.support.clock import Clock
from tests.support.publishers import (
    CHANNEL,
    X_ACCOUNT,
    Rig,
    sandbox_harness,
    title_and_link,
)
from tests.support.seed import seed_article_dict

DESTINATIONS = {"telegram": CHANNEL, "x": X_ACCOUNT}


@pytest.fixture
def rig(redis_client: Redis, keys: Keys) -> Iterator[Rig]:
    with sandbox_harness() as harness:
        ledger = Ledger(redis_client, keys, lease_s=60, clock=Clock())
        relaxed = RateTable(chat_burst=10, chat_per_min=60)  # several posts to one chat
        yield Rig(harness, ledger, RateGovernor(redis_client, keys, relaxed))


def revision(n: int) -> Article:
    article = Article.model_validate(seed_article_dict(revision=n))
    return article.model_copy(update={"title": f"{article.title} (rev {n})"})


def states(rig: Rig, destination: str) -> dict[int, DeliveryState]:
    return {
        d.revision: d.state
        for d in rig.ledger.list_deliveries(revision(1).id)
        if d.destination == destination
    }


def test_telegram_update_edits_the_post_in_place(rig: Rig) -> None:
    first = rig.run(revision(1), CHANNEL)
    outcome = rig.run(revision(2), CHANNEL, "update")
    assert outcome.kind is OutcomeKind.DONE and outcome.detail == "edited"
    (message,) = rig.harness.messages()
    assert "(rev 2)" in message["text"] and first.message_ids == (str(message["message_id"]),)
    live = rig.ledger.live_post(revision(1).id, CHANNEL.id)
    assert live is not None and (live.revision, live.message_ids) == (2, first.message_ids)
    assert rig.run(revision(2), CHANNEL, "update").kind is OutcomeKind.NOTHING


def test_x_update_keeps_the_first_post_under_the_edit_policy(rig: Rig) -> None:
    first = rig.run(revision(1), X_ACCOUNT)
    outcome = rig.run(revision(2), X_ACCOUNT, "update")
    assert outcome.kind is OutcomeKind.NOTHING and "stays" in outcome.detail
    (tweet,) = rig.harness.tweets()
    assert "(rev 1)" in tweet["posted_text"]
    record = rig.ledger.get(revision(2).id, X_ACCOUNT.id, 2)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == first.message_ids


@pytest.mark.parametrize(
    ("policy", "posts", "live_revision"),
    [(UpdatePolicy.REPOST, 2, 2), (UpdatePolicy.IGNORE, 1, 2)],
)
def test_repost_and_ignore_policies(
    rig: Rig, policy: UpdatePolicy, posts: int, live_revision: int
) -> None:
    channel = CHANNEL.model_copy(update={"on_update": policy})
    first = rig.run(revision(1), channel)
    second = rig.run(revision(2), channel, "update")
    assert len(rig.harness.messages()) == posts
    live = rig.ledger.live_post(revision(1).id, channel.id)
    assert live is not None and live.revision == live_revision
    expected = second.message_ids if policy is UpdatePolicy.REPOST else first.message_ids
    assert live.message_ids == expected


def test_an_older_revision_after_a_newer_one_does_nothing(rig: Rig) -> None:
    rig.run(revision(2), CHANNEL)
    assert rig.run(revision(1), CHANNEL).kind is OutcomeKind.NOTHING
    (message,) = rig.harness.messages()
    assert "(rev 2)" in message["text"]
    assert states(rig, CHANNEL.id) == {1: DeliveryState.SENT, 2: DeliveryState.SENT}


def test_an_update_waits_for_the_first_post_still_on_its_way(rig: Rig) -> None:
    rig.ledger.ensure(revision(1).id, CHANNEL.id, 1)
    waiting = rig.run(revision(2), CHANNEL, "update")
    assert waiting.kind is OutcomeKind.RETRY and rig.harness.messages() == []
    assert rig.run(revision(1), CHANNEL).kind is OutcomeKind.DONE
    assert rig.run(revision(2), CHANNEL, "update").detail == "edited"
    (message,) = rig.harness.messages()
    assert "(rev 2)" in message["text"]


def test_an_update_is_held_while_the_first_post_is_in_doubt(rig: Rig) -> None:
    rig.harness.fault("telegram", "sendMessage", "server_error", after=True)
    assert rig.run(revision(1), CHANNEL).kind is OutcomeKind.IN_DOUBT
    held = rig.run(revision(2), CHANNEL, "update")
    assert held.kind is OutcomeKind.NOTHING and "held" in held.detail
    assert len(rig.harness.messages()) == 1
    assert states(rig, CHANNEL.id) == {1: DeliveryState.IN_DOUBT}


def test_an_edit_that_may_have_failed_is_simply_repeated(rig: Rig) -> None:
    rig.run(revision(1), CHANNEL)
    rig.harness.fault("telegram", "editMessageText", "server_error", after=True)
    retry = rig.run(revision(2), CHANNEL, "update")
    assert retry.kind is OutcomeKind.RETRY
    assert states(rig, CHANNEL.id)[2] is DeliveryState.PENDING
    assert rig.run(revision(2), CHANNEL, "update").kind is OutcomeKind.DONE
    (message,) = rig.harness.messages()
    assert "(rev 2)" in message["text"]


@pytest.mark.parametrize("platform", ["telegram", "x"])
def test_unpublish_deletes_the_post(rig: Rig, platform: Platform) -> None:
    dest = DESTINATIONS[platform]
    rig.run(revision(1), dest)
    rig.run(revision(2), dest, "update")
    outcome = rig.run(revision(2), dest, "unpublish")
    assert outcome.kind is OutcomeKind.DONE
    assert rig.harness.posts(platform) == []
    assert set(states(rig, dest.id).values()) == {DeliveryState.DELETED}
    assert rig.ledger.live_post(revision(1).id, dest.id) is None
    assert rig.run(revision(2), dest, "unpublish").kind is OutcomeKind.NOTHING


def test_unpublish_before_delivery_cancels_it(rig: Rig) -> None:
    rig.ledger.ensure(revision(1).id, CHANNEL.id, 1)
    assert rig.run(revision(1), CHANNEL, "unpublish").kind is OutcomeKind.NOTHING
    assert rig.run(revision(1), CHANNEL).kind is OutcomeKind.NOTHING
    assert rig.harness.messages() == []
    assert states(rig, CHANNEL.id) == {1: DeliveryState.DELETED}
    assert rig.run(revision(2), CHANNEL).kind is OutcomeKind.DONE  # republished later


def test_unpublish_waits_for_a_post_in_flight(rig: Rig) -> None:
    claim = rig.ledger.claim(revision(1).id, CHANNEL.id, 1)  # another worker, mid-call
    assert claim is not None
    assert rig.run(revision(1), CHANNEL, "unpublish").kind is OutcomeKind.RETRY
    ids = rig.publisher("telegram").publish(CHANNEL, title_and_link(revision(1), CHANNEL))
    rig.ledger.record_sent(claim, ids)
    assert rig.run(revision(1), CHANNEL, "unpublish").kind is OutcomeKind.DONE
    assert rig.harness.messages() == []


TWO_DAYS = 2 * 86_400.0


def published_days_ago(days: float, n: int = 2) -> Article:
    """Revision ``n`` of the seed article, published ``days`` before the rig's clock."""
    when = datetime.fromtimestamp(Clock().now - days * 86_400, UTC)
    return revision(n).model_copy(update={"published_at": when})


def test_an_edit_of_an_old_article_never_posted_here_is_skipped_not_posted(rig: Rig) -> None:
    old = published_days_ago(30)
    outcome = rig.run(old, CHANNEL, "update", first_post_max_age_s=TWO_DAYS)
    assert outcome.kind is OutcomeKind.SKIPPED and "never posted here" in outcome.detail
    assert rig.harness.messages() == []
    assert states(rig, CHANNEL.id) == {2: DeliveryState.SKIPPED}
    again = rig.run(old, CHANNEL, "update", first_post_max_age_s=TWO_DAYS)  # a redelivery
    assert again.kind is OutcomeKind.NOTHING and rig.harness.messages() == []


@pytest.mark.parametrize(
    ("days", "max_age_s"), [(0.5, TWO_DAYS), (30, None)], ids=["recent", "no-limit"]
)
def test_an_edit_never_posted_is_posted_when_recent_or_unlimited(
    rig: Rig, days: float, max_age_s: float | None
) -> None:
    outcome = rig.run(published_days_ago(days), CHANNEL, "update", first_post_max_age_s=max_age_s)
    assert outcome.kind is OutcomeKind.DONE and len(rig.harness.messages()) == 1


def test_an_edit_of_an_old_article_posted_here_before_edits_it(rig: Rig) -> None:
    first = rig.run(published_days_ago(30, n=1), CHANNEL)
    outcome = rig.run(published_days_ago(30), CHANNEL, "update", first_post_max_age_s=TWO_DAYS)
    assert outcome.kind is OutcomeKind.DONE and outcome.detail == "edited"
    (message,) = rig.harness.messages()
    assert first.message_ids == (str(message["message_id"]),)
