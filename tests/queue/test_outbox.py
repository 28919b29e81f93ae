"""The outbox on a real Redis: accepted once with its marker, swept until every delivery left
``pending``, then forgotten."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import ArticleEvent
from distributor.publishing.ledger import Ledger
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.loader import parse_routing
from distributor.queue.outbox import Outbox, sweep
from tests.support.seed import seed_event

ROUTING = """
defaults = ["tg-main", "x-main"]
[[destinations]]
id = "tg-main"
platform = "telegram"
target = "@news"
[[destinations]]
id = "x-main"
platform = "x"
target = "desk"
[[rules]]
category = "Nowhere"
skip = ["tg-main", "x-main"]
"""
T0 = 1_000_000.0
STALE = 60.0


@pytest.fixture
def outbox(redis_client: Redis, keys: Keys) -> Outbox:
    return Outbox(redis_client, keys)


@pytest.fixture
def ledger(redis_client: Redis, keys: Keys) -> Ledger:
    return Ledger(redis_client, keys)


@pytest.fixture
def routing() -> RoutingTable:
    return parse_routing(ROUTING)


def accepted(
    outbox: Outbox, kind: str = "article.published", category: str = "Politik"
) -> dict[str, Any]:
    data = seed_event(kind)
    data["article"]["category"] = category
    event = ArticleEvent.model_validate(data)
    kwargs = {"event": event.model_dump(mode="json"), "event_id": event.event_id}
    assert outbox.add_once(event.event_id, kwargs, T0, 3600)
    return kwargs


def run_sweep(outbox: Outbox, ledger: Ledger, routing: RoutingTable, now: float) -> list[Any]:
    sent: list[Any] = []
    sweep(outbox, ledger, routing, sent.append, now=now, stale_s=STALE)
    return sent


def test_add_once_sets_marker_and_entry_atomically(
    outbox: Outbox, redis_client: Redis, keys: Keys
) -> None:
    kwargs = accepted(outbox)
    event_id = kwargs["event_id"]
    assert redis_client.get(keys.event(event_id)) == f"{T0:.3f}"
    assert 0 < redis_client.ttl(keys.event(event_id)) <= 3600
    before = sorted(redis_client.scan_iter(f"{keys.prefix}:*"))
    assert not outbox.add_once(event_id, {"other": 1}, T0 + 5, 3600)
    assert sorted(redis_client.scan_iter(f"{keys.prefix}:*")) == before
    assert outbox.due(T0) == [(event_id, kwargs)]
    outbox.forget(event_id, marker=True)
    assert list(redis_client.scan_iter(f"{keys.prefix}:*")) == []


def test_a_lost_fan_out_is_sent_again_once_stale_then_waits_again(
    outbox: Outbox, ledger: Ledger, routing: RoutingTable
) -> None:
    kwargs = accepted(outbox)
    assert run_sweep(outbox, ledger, routing, T0 + STALE - 1) == []  # not stale yet
    assert run_sweep(outbox, ledger, routing, T0 + STALE) == [kwargs]
    assert run_sweep(outbox, ledger, routing, T0 + 2 * STALE - 1) == []
    assert run_sweep(outbox, ledger, routing, T0 + 2 * STALE) == [kwargs]
    assert len(outbox) == 1


def test_kept_while_a_delivery_is_pending_forgotten_when_all_left_pending(
    outbox: Outbox, ledger: Ledger, routing: RoutingTable
) -> None:
    kwargs = accepted(outbox)
    article_id = kwargs["event"]["article"]["id"]
    for dest in ("tg-main", "x-main"):
        ledger.ensure(article_id, dest, 1)
    claim = ledger.claim(article_id, "x-main", 1)
    assert claim is not None
    ledger.record_sent(claim, ["123"], "tweet")  # tg-main still pending: its message was lost
    assert run_sweep(outbox, ledger, routing, T0 + STALE) == [kwargs]
    tg = ledger.claim(article_id, "tg-main", 1)
    assert tg is not None
    ledger.record_in_doubt(tg, "worker died mid-call")  # settled, for the reconciler
    assert run_sweep(outbox, ledger, routing, T0 + 2 * STALE) == []
    assert len(outbox) == 0


def test_an_event_routed_nowhere_is_forgotten(
    outbox: Outbox, ledger: Ledger, routing: RoutingTable
) -> None:
    accepted(outbox, category="Nowhere")
    assert run_sweep(outbox, ledger, routing, T0 + STALE) == []
    assert len(outbox) == 0


def test_an_unpublish_is_resent_until_its_fan_out_forgets_it(
    outbox: Outbox, ledger: Ledger, routing: RoutingTable
) -> None:
    kwargs = accepted(outbox, "article.unpublished")
    assert run_sweep(outbox, ledger, routing, T0 + STALE) == [kwargs]
    outbox.forget(kwargs["event_id"])  # what the fan-out task does once it has run
    assert run_sweep(outbox, ledger, routing, T0 + 3 * STALE) == []
