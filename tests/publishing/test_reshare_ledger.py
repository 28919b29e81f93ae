"""Reshare records in the ledger: keyed apart from revisions, exactly once, never the live post,
stopped and deleted by an unpublish; the failed index and a manager's retry."""

from __future__ import annotations

import pytest
from redis import Redis

from distributor.errors import LeaseLost
from distributor.keys import Keys
from distributor.models import DeliveryState
from distributor.publishing.ledger import Ledger
from tests.support.clock import Clock

A, DEST, RS = "art-1", "tg-main", "rs_00000000000000aa"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(redis_client: Redis, keys: Keys, clock: Clock) -> Ledger:
    return Ledger(redis_client, keys, lease_s=60, clock=clock)


def _post(ledger: Ledger, revision: int, ids: list[str], reshare: str = "") -> None:
    claim = ledger.claim(A, DEST, revision, reshare=reshare)
    assert claim is not None
    ledger.record_sent(claim, ids, "sendMessage")


def test_a_reshare_is_its_own_record_beside_the_revision(ledger: Ledger, clock: Clock) -> None:
    _post(ledger, 1, ["10"])
    clock.advance(100)
    _post(ledger, 1, ["11"], reshare=RS)
    original, reshare = ledger.get(A, DEST, 1), ledger.get(A, DEST, 1, RS)
    assert original is not None and original.message_ids == ("10",) and original.reshare is None
    assert reshare is not None and reshare.message_ids == ("11",) and reshare.reshare == RS
    assert [d.reshare for d in ledger.list_deliveries(A)] == [None]
    assert [d.reshare for d in ledger.list_deliveries(A, reshares=True)] == [RS]
    live = ledger.live_post(A, DEST)
    assert live is not None and live.message_ids == ("10",)  # an update still edits the original
    assert ledger.last_post_at(A, DEST) == clock.now
    assert ledger.last_fresh_post(DEST) == clock.now - 100  # only the original is fresh
    assert ledger.high_water(DEST) == 11
    assert [e.get("reshare") for e in ledger.history(A) if e.get("to") == "sent"] == [None, RS]


def test_a_reshare_posts_once_and_a_stale_claim_cannot_record(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1, reshare=RS)
    assert claim is not None and claim.reshare == RS
    assert ledger.claim(A, DEST, 1, reshare=RS) is None
    assert ledger.claim(A, DEST, 1) is not None  # the revision's own delivery is another record
    ledger.record_sent(claim, ["5"])
    with pytest.raises(LeaseLost):
        ledger.record_sent(claim, ["6"])
    assert ledger.claim(A, DEST, 1, reshare=RS) is None


def test_an_expired_reshare_lease_becomes_in_doubt_and_resolves(
    ledger: Ledger, clock: Clock
) -> None:
    assert ledger.claim(A, DEST, 1, reshare=RS) is not None
    clock.advance(61)
    [expired] = ledger.expire_leases()
    assert expired.reshare == RS and expired.state is DeliveryState.IN_DOUBT
    [item] = ledger.in_doubt_items()
    assert ledger.resolve(item.delivery, DeliveryState.SENT, "found", ["9"])
    assert ledger.get(A, DEST, 1, RS).message_ids == ("9",)  # type: ignore[union-attr]
    assert ledger.live_post(A, DEST) is None


def test_unpublish_stops_pending_reshares_and_lists_posted_ones(ledger: Ledger) -> None:
    _post(ledger, 1, ["10"])
    _post(ledger, 1, ["11"], reshare=RS)
    ledger.ensure(A, DEST, 1)  # already sent: unchanged
    assert ledger.claim(A, DEST, 1, reshare="rs_later") is not None  # in flight
    plan = ledger.unpublish(A, DEST, 1)
    assert plan.busy and set(plan.message_ids) == {"10", "11"}
    ledger.mark_deleted(A, DEST, 1, "article unpublished")
    assert ledger.get(A, DEST, 1, RS).state is DeliveryState.DELETED  # type: ignore[union-attr]
    assert ledger.claim(A, DEST, 1, reshare="rs_new") is None  # the tombstone refuses it
    assert ledger.get(A, DEST, 1, "rs_new").state is DeliveryState.DELETED  # type: ignore[union-attr]
    assert ledger.live_post(A, DEST) is None


def test_failed_deliveries_are_listed_and_a_retry_starts_over(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1, reshare=RS)
    assert claim is not None
    ledger.record_failed(claim, "Telegram refused: chat not found")
    [item] = ledger.failed_items()
    assert item.delivery.reshare == RS and item.delivery.error == "Telegram refused: chat not found"
    assert ledger.retry(item.delivery, "retried by desk")
    assert ledger.failed_items() == []
    again = ledger.get(A, DEST, 1, RS)
    assert again is not None and again.state is DeliveryState.PENDING and again.attempts == 0
    assert not ledger.retry(item.delivery, "twice")  # no longer failed
    assert ledger.retry(again, "not queued", undo=True)  # back, when the send was refused
    assert [i.delivery.state for i in ledger.failed_items()] == [DeliveryState.FAILED]
