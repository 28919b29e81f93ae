"""The delivery ledger on a real Redis: claims, leases, tokens, in-doubt, history, unpublish."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from redis import Redis

from distributor.errors import DistributorError, LeaseLost
from distributor.keys import Keys
from distributor.models import DeliveryState
from distributor.publishing.ledger import Ledger, LivePost, Snapshot
from distributor.publishing.ledger.lists import newest_deliveries
from tests.support.clock import Clock

A, DEST = "art-1", "tg-main"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(redis_client: Redis, keys: Keys, clock: Clock) -> Ledger:
    return Ledger(redis_client, keys, lease_s=60, clock=clock)


def transitions(ledger: Ledger, article_id: str = A) -> list[tuple[str | None, str | None]]:
    return [(e.get("from"), e.get("to")) for e in ledger.history(article_id) if "to" in e]


def test_ensure_creates_pending_once(ledger: Ledger) -> None:
    first = ledger.ensure(A, DEST, 1)
    again = ledger.ensure(A, DEST, 1)
    assert first.state is DeliveryState.PENDING and first.attempts == 0
    assert again == first
    assert [d.destination for d in ledger.list_deliveries(A)] == [DEST]
    assert transitions(ledger) == [(None, "pending")]


def test_ensure_all_creates_the_missing_and_leaves_the_rest(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    ledger.ensure_all(A, [DEST, "x-main"], 1)
    states = {d.destination: d.state for d in ledger.list_deliveries(A)}
    assert states == {DEST: DeliveryState.SENDING, "x-main": DeliveryState.PENDING}
    ledger.ensure_all(A, [], 1)  # nothing to do is not an error


def test_claim_takes_pending_once(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None and claim.attempt == 1 and claim.action == "post"
    assert ledger.claim(A, DEST, 1) is None
    got = ledger.get(A, DEST, 1)
    assert got is not None and got.state is DeliveryState.SENDING and got.attempts == 1


def test_concurrent_claims_have_exactly_one_winner(
    redis_url: str, keys: Keys, clock: Clock
) -> None:
    barrier = threading.Barrier(16)
    wins: list[str] = []

    def contender() -> None:
        client = Redis.from_url(redis_url, decode_responses=True)
        try:
            mine = Ledger(client, keys, clock=clock)
            barrier.wait()
            claim = mine.claim(A, DEST, 1)
            if claim is not None:
                wins.append(claim.token)
        finally:
            client.close()

    threads = [threading.Thread(target=contender) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1


def test_sent_records_ids_and_live_post(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    ledger.record_sent(claim, ["42"], method="sendPhoto")
    got = ledger.get(A, DEST, 1)
    assert got is not None and got.state is DeliveryState.SENT and got.message_ids == ("42",)
    live = ledger.live_post(A, DEST)
    assert live is not None and (live.revision, live.message_ids, live.method) == (
        1,
        ("42",),
        "sendPhoto",
    )
    assert ledger.claim(A, DEST, 1) is None
    with pytest.raises(LeaseLost):
        ledger.record_sent(claim, ["43"])


def test_stale_or_forged_token_is_refused(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    with pytest.raises(LeaseLost):
        ledger.record_sent(replace(claim, token="f" * 32), ["1"])
    ledger.release(claim, "connect timeout")
    second = ledger.claim(A, DEST, 1)
    assert second is not None and second.token != claim.token and second.attempt == 2
    with pytest.raises(LeaseLost):
        ledger.record_sent(claim, ["1"])
    ledger.record_sent(second, ["2"])
    got = ledger.get(A, DEST, 1)
    assert got is not None and got.message_ids == ("2",)


def test_release_failed_and_in_doubt_keep_the_reason(ledger: Ledger) -> None:
    for revision, record, state in [
        (1, ledger.release, DeliveryState.PENDING),
        (2, ledger.record_failed, DeliveryState.FAILED),
        (3, ledger.record_in_doubt, DeliveryState.IN_DOUBT),
    ]:
        claim = ledger.claim(A, DEST, revision)
        assert claim is not None
        record(claim, f"reason {revision}")
        got = ledger.get(A, DEST, revision)
        assert got is not None and got.state is state and got.error == f"reason {revision}"
    assert [i.delivery.revision for i in ledger.in_doubt_items()] == [3]
    assert ledger.claim(A, DEST, 2) is None
    assert ledger.claim(A, DEST, 3) is None


def test_expired_lease_becomes_in_doubt_and_is_never_claimed(ledger: Ledger, clock: Clock) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    clock.now += 59
    assert ledger.claim(A, DEST, 1) is None
    assert ledger.get(A, DEST, 1).state is DeliveryState.SENDING  # type: ignore[union-attr]
    clock.now += 2
    assert ledger.claim(A, DEST, 1) is None
    got = ledger.get(A, DEST, 1)
    assert got is not None and got.state is DeliveryState.IN_DOUBT
    assert got.error is None  # the in-doubt reason is in the history
    items = ledger.in_doubt_items()
    assert [(i.delivery.revision, i.action, i.since) for i in items] == [(1, "post", clock.now)]
    assert ledger.claim(A, DEST, 1) is None


def test_expire_leases_sweeps_only_dead_ones(ledger: Ledger, clock: Clock) -> None:
    old = ledger.claim(A, DEST, 1)
    clock.now += 30
    young = ledger.claim(A, DEST, 2)
    assert old is not None and young is not None
    clock.now += 31
    assert [d.revision for d in ledger.expire_leases()] == [1]
    assert ledger.expire_leases() == []
    assert ledger.get(A, DEST, 2).state is DeliveryState.SENDING  # type: ignore[union-attr]


def test_slow_worker_with_its_token_settles_an_in_doubt_record(
    ledger: Ledger, clock: Clock
) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    clock.now += 120
    assert [d.revision for d in ledger.expire_leases()] == [1]
    ledger.record_sent(claim, ["7"])
    got = ledger.get(A, DEST, 1)
    assert got is not None and got.state is DeliveryState.SENT and got.message_ids == ("7",)
    assert ledger.in_doubt_items() == []


def test_resolve_only_moves_in_doubt_records(ledger: Ledger, clock: Clock) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    delivery = ledger.get(A, DEST, 1)
    assert delivery is not None
    assert not ledger.resolve(delivery, DeliveryState.SENT, "found", ["9"])
    ledger.record_in_doubt(claim, "read timeout")
    with pytest.raises(DistributorError):
        ledger.resolve(delivery, DeliveryState.FAILED, "no")
    assert ledger.resolve(delivery, DeliveryState.PENDING, "not on the timeline")
    with pytest.raises(LeaseLost):
        ledger.record_sent(claim, ["9"])  # a re-pended record belongs to the next claim
    again = ledger.claim(A, DEST, 1)
    assert again is not None
    ledger.record_in_doubt(again, "5xx")
    assert ledger.resolve(delivery, DeliveryState.SENT, "found on the timeline", ["9"], "tweet")
    assert not ledger.resolve(delivery, DeliveryState.PENDING, "late")
    live = ledger.live_post(A, DEST)
    assert live is not None and live.message_ids == ("9",)


def test_history_lists_every_transition(ledger: Ledger, clock: Clock) -> None:
    first = ledger.claim(A, DEST, 1)
    assert first is not None
    ledger.release(first, "429")
    second = ledger.claim(A, DEST, 1)
    assert second is not None
    clock.now += 61
    ledger.expire_leases()
    ledger.record_sent(second, ["5"])
    ledger.note(A, DEST, 2, "skipped", "policy ignore")
    assert transitions(ledger) == [
        (None, "pending"),
        ("pending", "sending"),
        ("sending", "pending"),
        ("pending", "sending"),
        ("sending", "in_doubt"),
        ("in_doubt", "sent"),
    ]
    history = ledger.history(A)
    assert history[2]["reason"] == "429"
    assert history[5]["message_ids"] == ("5",)
    assert history[-1]["event"] == "skipped" and history[-1]["revision"] == 2
    assert [e["t"] for e in history] == sorted(e["t"] for e in history)


def test_older_revision_never_replaces_the_live_post(ledger: Ledger) -> None:
    newer, older = ledger.claim(A, DEST, 2), ledger.claim(A, DEST, 1)
    assert newer is not None and older is not None
    ledger.record_sent(newer, ["20"])
    ledger.record_sent(older, ["10"])
    live = ledger.live_post(A, DEST)
    assert live is not None and (live.revision, live.message_ids) == (2, ("20",))


def test_unpublish_cancels_pending_and_lists_posts_to_delete(ledger: Ledger) -> None:
    posted = ledger.claim(A, DEST, 1)
    assert posted is not None
    ledger.record_sent(posted, ["11"])
    edit = ledger.claim(A, DEST, 2, action="edit")
    assert edit is not None
    ledger.record_sent(edit, ["11"])
    ledger.ensure(A, DEST, 3)
    ledger.ensure(A, "x-main", 1)
    plan = ledger.unpublish(A, DEST, 3)
    assert (plan.busy, plan.message_ids, plan.in_doubt) == (False, ("11",), ())
    assert ledger.get(A, DEST, 3).state is DeliveryState.DELETED  # type: ignore[union-attr]
    assert ledger.get(A, "x-main", 1).state is DeliveryState.PENDING  # type: ignore[union-attr]
    assert ledger.claim(A, DEST, 2) is None
    ledger.mark_deleted(A, DEST, 3, "article unpublished")
    states = {d.revision: d.state for d in ledger.list_deliveries(A) if d.destination == DEST}
    assert set(states.values()) == {DeliveryState.DELETED}
    assert ledger.live_post(A, DEST) is None
    assert ledger.unpublished_revision(A, DEST) == 3
    republished = ledger.claim(A, DEST, 4)
    assert republished is not None


def test_unpublish_reports_in_flight_and_in_doubt(ledger: Ledger) -> None:
    flying, doubtful = ledger.claim(A, DEST, 1), ledger.claim(A, DEST, 2)
    assert flying is not None and doubtful is not None
    ledger.record_in_doubt(doubtful, "read timeout")
    plan = ledger.unpublish(A, DEST, 2)
    assert plan.busy and plan.in_doubt == (2,) and plan.message_ids == ()
    ledger.record_sent(flying, ["3"])
    assert ledger.unpublish(A, DEST, 2).message_ids == ("3",)


def test_settle_marks_a_pending_delivery_sent_without_a_call(ledger: Ledger) -> None:
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    ledger.record_sent(claim, ["8"], method="sendMessage")
    assert ledger.settle(A, DEST, 2, ["8"], "update policy ignore")
    assert not ledger.settle(A, DEST, 2, ["8"], "again")
    got = ledger.get(A, DEST, 2)
    assert got is not None and got.state is DeliveryState.SENT and got.message_ids == ("8",)
    live = ledger.live_post(A, DEST)
    assert live is not None and (live.revision, live.method) == (2, "sendMessage")
    assert transitions(ledger)[-2:] == [(None, "pending"), ("pending", "sent")]


def test_unpublished_revision_only_grows(ledger: Ledger) -> None:
    ledger.unpublish(A, DEST, 3)
    ledger.unpublish(A, DEST, 2)
    assert ledger.unpublished_revision(A, DEST) == 3
    assert ledger.claim(A, DEST, 3) is None
    assert ledger.claim(A, DEST, 4) is not None


def test_snapshot_and_live_posts_read_what_the_single_reads_do(ledger: Ledger) -> None:
    assert ledger.snapshot(A, DEST, 2) == Snapshot(None, None, [])
    ledger.ensure(A, "x-main", 1)
    claim = ledger.claim(A, DEST, 1)
    assert claim is not None
    ledger.record_sent(claim, ["7", "8"], "sendPhoto")
    ledger.ensure(A, DEST, 2)
    snap = ledger.snapshot(A, DEST, 2)
    assert snap.current == ledger.get(A, DEST, 2)
    assert snap.live == ledger.live_post(A, DEST) == LivePost(1, ("7", "8"), "sendPhoto")
    assert snap.deliveries == ledger.list_deliveries(A)
    assert [(d.destination, d.revision) for d in snap.deliveries] == [
        (DEST, 1), (DEST, 2), ("x-main", 1)
    ]  # fmt: skip
    assert ledger.live_posts(A, [DEST, "x-main", "nowhere"]) == {DEST: snap.live}


def test_an_in_doubt_claim_knows_the_highest_message_id_recorded_before_it(
    ledger: Ledger, clock: Clock
) -> None:
    for article_id, ids in (("art-a", ["41"]), ("art-b", ["40"]), ("art-c", ["7", "43"])):
        claim = ledger.claim(article_id, DEST, 1)
        assert claim is not None
        ledger.record_sent(claim, ids)
    other = ledger.claim("art-d", "x-main", 1)  # another destination keeps its own mark
    assert other is not None
    ledger.record_sent(other, ["99"])
    lease_until = clock.now + 60
    assert ledger.claim(A, DEST, 1) is not None
    clock.advance(61)
    ledger.expire_leases()
    [item] = ledger.in_doubt_items()
    assert (item.after_id, item.lease_until, item.since) == (43, lease_until, clock.now)


def test_the_newest_records_of_many_articles_are_read_together(
    ledger: Ledger, redis_client: Redis, keys: Keys
) -> None:
    ledger.ensure_all("a1", ["x-main", "tg-main"], 1)
    ledger.ensure_all("a1", ["tg-main"], 2)
    claim = ledger.claim("a2", "tg-main", 1)
    assert claim is not None
    ledger.record_failed(claim, "400 chat not found")
    ledger.ensure_all("a2", ["x-main"], 1)
    found = newest_deliveries(redis_client, keys, ["a1", "a2", "none"])
    assert [(d.destination, d.revision) for d in found["a1"]] == [("tg-main", 2), ("x-main", 1)]
    assert found["a1"][0] == ledger.get("a1", "tg-main", 2)
    assert [(d.destination, d.state, d.error) for d in found["a2"]] == [
        ("tg-main", DeliveryState.FAILED, "400 chat not found"),
        ("x-main", DeliveryState.PENDING, None),
    ]
    assert found["none"] == []
