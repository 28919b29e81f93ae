"""The audit log: appended, read newest first, filtered by actor, action and time."""

from __future__ import annotations

import time

from redis import Redis

from distributor.keys import Keys
from distributor.manage.audit import AuditLog


def test_entries_come_back_newest_first_and_filtered(redis_client: Redis, keys: Keys) -> None:
    log = AuditLog(redis_client, keys)
    log.append("desk", "reshare.create", "a1", "ok", "rs_1: tg-main: queued")
    log.append("desk", "reshare.cancel", "rs_1", "refused", "it has started")
    log.append("night", "delivery.retry", "a1/x-main/r1")
    entries = log.read()
    assert [e.action for e in entries] == ["delivery.retry", "reshare.cancel", "reshare.create"]
    assert entries[1].outcome == "refused" and entries[1].detail == "it has started"
    assert [e.actor for e in log.read(actor="night")] == ["night"]
    assert [e.action for e in log.read(action="reshare.")] == ["reshare.cancel", "reshare.create"]
    assert [e.target for e in log.read(action="reshare.create")] == ["a1"]
    assert len(log.read(limit=2)) == 2
    assert log.read(end=time.time() - 3600) == []
    assert len(log.read(start=time.time() - 3600)) == 3


def test_reading_pages_through_a_long_log(redis_client: Redis, keys: Keys) -> None:
    log = AuditLog(redis_client, keys)
    for i in range(1200):
        log.append("evergreen" if i % 2 else "desk", "evergreen.pick", f"a{i}")
    picks = log.read(actor="desk", limit=1000)
    assert len(picks) == 600 and picks[0].target == "a1198" and picks[-1].target == "a0"
