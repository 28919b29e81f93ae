"""Reshare requests on the real Redis with a moved clock: guard rails, the schedule firing once,
cancelling, and an unpublish cancelling what waits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from redis import Redis

from distributor.errors import Refused
from distributor.keys import Keys
from distributor.publishing.reshares.records import TargetStatus
from tests.support.reshares import TZ, Desk, reshare_desk

A = "20240201-rakor"
HOUR = 3600.0


@pytest.fixture
def desk(redis_client: Redis, keys: Keys) -> Iterator[Desk]:
    with reshare_desk(redis_client, keys) as desk:
        desk.article(A, age_days=1)
        desk.post(A, "tg-main", "100")
        desk.post(A, "x-main", "200")
        yield desk


def _status(desk: Desk, reshare_id: str) -> dict[str, TargetStatus]:
    found = desk.reshares.get(reshare_id)
    assert found is not None
    return {t.destination: t.status for t in found.targets}


def test_right_after_the_post_the_cooldown_refuses_naming_its_end(desk: Desk) -> None:
    desk.clock.advance(60)
    with pytest.raises(Refused) as refused:
        desk.reshares.request(A, actor="desk")
    assert refused.value.status_code == 409
    targets = {t.destination: t for t in refused.value.details}  # type: ignore[attr-defined]
    assert targets["x-main"].cooldown_until is not None
    assert targets["x-main"].cooldown_until.timestamp() == desk.clock.now - 60 + 6 * HOUR
    ends = datetime.fromtimestamp(desk.clock.now - 60 + 6 * HOUR, UTC).isoformat()
    assert f"x-main: cooldown until {ends}" in str(refused.value)
    assert desk.sent == [] and desk.reshares.calendar(0, 2e9) == []  # nothing written


def test_force_queues_one_delivery_per_live_destination(desk: Desk) -> None:
    answer = desk.reshares.request(A, actor="desk", force=True, text="Masih hangat")
    assert {t.destination: t.status for t in answer.targets} == {
        "tg-main": TargetStatus.QUEUED, "x-main": TargetStatus.QUEUED,
    }  # fmt: skip
    assert sorted(desk.sent) == [(answer.reshare_id, "tg-main"), (answer.reshare_id, "x-main")]
    assert desk.reshares.fire_due() == 0  # fired already: nothing due


def test_after_the_cooldown_a_reshare_is_accepted_and_a_second_is_refused(desk: Desk) -> None:
    desk.clock.advance(6 * HOUR)
    first = desk.reshares.request(A, actor="desk", destinations=["x-main"])
    assert [t.status for t in first.targets] == [TargetStatus.QUEUED]
    with pytest.raises(Refused):
        desk.reshares.request(A, actor="desk", destinations=["x-main"], at=desk.clock.now + HOUR)


def test_unknown_unpublished_or_not_posted_articles_are_refused(desk: Desk) -> None:
    with pytest.raises(Refused) as unknown:
        desk.reshares.request("nope", actor="desk")
    assert unknown.value.status_code == 404
    desk.article("fresh")  # stored, never posted
    with pytest.raises(Refused, match="not posted anywhere"):
        desk.reshares.request("fresh", actor="desk", force=True)
    with pytest.raises(Refused) as bad:
        desk.reshares.request(A, actor="desk", destinations=["tg-nowhere"], force=True)
    assert bad.value.status_code == 422
    desk.articles.set_published(A, False)
    with pytest.raises(Refused, match="unpublished"):
        desk.reshares.request(A, actor="desk", force=True)


def test_a_scheduled_reshare_fires_once_however_many_fire_at_once(desk: Desk) -> None:
    due = desk.clock.now + 8 * HOUR  # 23:53 WIB: inside tg-main's quiet hours
    answer = desk.reshares.request(A, actor="desk", at=due)
    targets = {t.destination: t for t in answer.targets}
    assert targets["x-main"].at is not None and targets["x-main"].at.timestamp() == due
    moved = targets["tg-main"].at
    assert moved is not None and moved.astimezone(TZ).strftime("%H:%M") == "06:00"
    assert targets["tg-main"].note.startswith("moved to 2024-01-24 06:00")
    assert _status(desk, answer.reshare_id) == {
        "tg-main": TargetStatus.SCHEDULED, "x-main": TargetStatus.SCHEDULED,
    }  # fmt: skip
    assert desk.reshares.fire_due() == 0
    desk.clock.now = due
    barrier, counts = threading.Barrier(8), list[int]()

    def beat() -> None:
        barrier.wait()
        counts.append(desk.reshares.fire_due())

    threads = [threading.Thread(target=beat) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 1 and desk.sent == [(answer.reshare_id, "x-main")]
    assert _status(desk, answer.reshare_id)["x-main"] is TargetStatus.QUEUED
    desk.reshares.store.settled(answer.reshare_id, "x-main")  # as its delivery does
    desk.clock.now = moved.timestamp()
    assert desk.reshares.fire_due() == 1 and desk.sent[-1] == (answer.reshare_id, "tg-main")


def test_a_fired_but_never_settled_reshare_is_sent_again_after_the_stale_period(
    desk: Desk,
) -> None:
    answer = desk.reshares.request(A, actor="desk", force=True, destinations=["x-main"])
    assert len(desk.sent) == 1  # the worker that took it died before the ledger heard of it
    desk.clock.advance(899)
    assert desk.reshares.fire_due() == 0
    desk.clock.advance(2)
    assert desk.reshares.fire_due() == 1 and desk.sent[-1] == (answer.reshare_id, "x-main")
    desk.reshares.store.settled(answer.reshare_id, "x-main")  # its delivery left pending
    desk.clock.advance(1000)
    assert desk.reshares.fire_due() == 0


def test_cancel_before_it_fires_and_not_after(desk: Desk) -> None:
    later = desk.reshares.request(A, actor="desk", at=desk.clock.now + 7 * HOUR)
    cancelled = desk.reshares.cancel(later.reshare_id, "cancelled by desk")
    assert {t.status for t in cancelled.targets} == {TargetStatus.CANCELLED}
    desk.clock.advance(30 * HOUR)
    assert desk.reshares.fire_due() == 0 and desk.sent == []
    # the cancelled one no longer holds the cooldown: a new one at the same time is accepted
    now = desk.reshares.request(A, actor="desk")
    with pytest.raises(Refused, match="has started"):
        desk.reshares.cancel(now.reshare_id, "too late")
    with pytest.raises(Refused) as unknown:
        desk.reshares.cancel("rs_0000000000000000", "nope")
    assert unknown.value.status_code == 404


def test_the_daily_cap_counts_per_local_day(desk: Desk) -> None:
    for _ in range(3):
        desk.reshares.request(A, actor="desk", destinations=["tg-main"], force=True)
    with pytest.raises(Refused, match="daily cap"):
        desk.reshares.request(A, actor="desk", destinations=["tg-main"], force=True)
    tomorrow = desk.clock.now + 15 * HOUR  # 06:53 WIB the next day
    answer = desk.reshares.request(A, actor="desk", destinations=["tg-main"], force=True,
                                   at=tomorrow)  # fmt: skip
    assert [t.status for t in answer.targets] == [TargetStatus.SCHEDULED]


def test_unpublishing_cancels_what_waits(desk: Desk) -> None:
    later = desk.reshares.request(A, actor="desk", at=desk.clock.now + 7 * HOUR)
    assert desk.reshares.cancel_article(A, "article unpublished") == [later.reshare_id]
    assert set(_status(desk, later.reshare_id).values()) == {TargetStatus.CANCELLED}
    assert desk.reshares.cancel_article(A, "again") == []


def test_the_calendar_reads_many_reshares_as_get_reads_each(desk: Desk) -> None:
    desk.article("other", age_days=1)  # never posted: its reshare is refused everywhere but
    desk.post("other", "x-main", "300")  # here, where it is live
    queued = desk.reshares.request(A, actor="desk", force=True)  # fired: queued, then a record
    claim = desk.ledger.claim(A, "x-main", 1, reshare=queued.reshare_id)
    assert claim is not None
    desk.ledger.record_failed(claim, "403 Forbidden")
    scheduled = desk.reshares.request(A, actor="desk", at=desk.clock.now + 8 * HOUR, force=True)
    cancelled = desk.reshares.request(A, actor="desk", at=desk.clock.now + 9 * HOUR, force=True)
    desk.reshares.cancel(cancelled.reshare_id, "cancelled by desk")
    partly = desk.reshares.request("other", actor="desk", destinations=["tg-main", "x-main"],
                                   at=desk.clock.now + 2 * HOUR, force=True)  # fmt: skip
    ids = [a.reshare_id for a in (queued, scheduled, cancelled, partly)]
    each = [desk.reshares.get(i) for i in ids]
    assert desk.reshares.many([*ids, "rs_0000000000000000"]) == each
    statuses = [{t.destination: t.status for t in r.targets} for r in each if r]
    assert statuses[0] == {"tg-main": TargetStatus.QUEUED, "x-main": TargetStatus.FAILED}
    assert set(statuses[1].values()) == {TargetStatus.SCHEDULED}
    assert set(statuses[2].values()) == {TargetStatus.CANCELLED}
    assert statuses[3] == {"x-main": TargetStatus.SCHEDULED}  # tg-main: not posted there
    listed = desk.reshares.calendar(0, 2e9)
    assert {r.id for r in listed} == set(ids)
    assert listed == [desk.reshares.get(r.id) for r in listed]
