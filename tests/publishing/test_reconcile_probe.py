"""The reconciler's probe and its settle (issue 13): paced by the governor, resumable, one
probe per item at a time, and a decision never settles a newer doubt. Real Redis, the live
sandbox, the real publishers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, Delivery, DeliveryState, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.delivery import OutcomeKind
from distributor.publishing.ledger import Ledger
from distributor.publishing.probe import item_name
from distributor.publishing.ratelimit import RateGovernor, RateTable
from distributor.publishing.reconcile import ReconcileReport, reconcile
from distributor.publishing.routing import RoutingTable
from tests.support.clock import Clock
from tests.support.publishers import (
    CHANNEL,
    PROBE_CHAT,
    X_ACCOUNT,
    Rig,
    sandbox_config,
    sandbox_harness,
    title_and_link,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
ROUTING = RoutingTable(destinations=(CHANNEL, X_ACCOUNT))
PROBE = Destination(id="probe", platform="telegram", target=PROBE_CHAT)


class SettleRace(Ledger):
    """A real ledger that runs ``between`` once, just before the reconciler's first
    ``resolve``: another party's steps placed between a pass's look-up and its settle."""

    def __init__(self, redis: Redis, keys: Keys, clock: Clock) -> None:
        super().__init__(redis, keys, lease_s=60, clock=clock)
        self.between: Callable[[], None] | None = None

    def resolve(
        self, delivery: Delivery, state: DeliveryState, reason: str, *a: Any, **kw: Any
    ) -> bool:
        between, self.between = self.between, None
        if between is not None:
            between()
        return super().resolve(delivery, state, reason, *a, **kw)


@pytest.fixture
def clock() -> Clock:
    return Clock(time.time())  # the sandbox dates its messages by the real clock


@pytest.fixture
def make_rig(redis_client: Redis, keys: Keys, clock: Clock) -> Iterator[Callable[..., Rig]]:
    with sandbox_harness(sandbox_config(flood_control=False)) as harness:  # posts in a burst

        def make(**probe: Any) -> Rig:
            ledger = SettleRace(redis_client, keys, clock)
            relaxed = RateTable(chat_burst=20, chat_per_min=60)  # probes forward several at once
            rig = Rig(harness, ledger, RateGovernor(redis_client, keys, relaxed))
            rig.publishers["telegram"] = harness.telegram(probe_chat=PROBE_CHAT)
            return rig.with_probe(redis_client, keys, **probe)

        yield make


def run(rig: Rig, articles: ArticleStore) -> ReconcileReport:
    assert rig.probe is not None
    return reconcile(
        rig.ledger, rig.publisher_for, ROUTING, articles, probe=rig.probe, min_age_s=120
    )


def forwards(rig: Rig) -> int:
    """Copies the probe chat received (each forward that found a message makes one)."""
    listing = rig.harness.http.get("/sandbox/telegram/messages", params={"chat_id": PROBE_CHAT})
    return len(listing.raise_for_status().json())


def test_a_stale_not_found_never_settles_a_new_doubt(
    make_rig: Callable[..., Rig], articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig = make_rig()
    ledger = rig.ledger
    assert isinstance(ledger, SettleRace)
    rig.harness.fault("x", "create_tweet", "server_error")  # never made: first doubt
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT
    clock.now += 1000  # past min_age: this pass will find nothing and decide "send again"

    def resolved_resent_and_in_doubt_again() -> None:
        (item,) = ledger.in_doubt_items()
        assert Ledger.resolve(ledger, item.delivery, DeliveryState.PENDING, "another pass")
        rig.harness.fault("x", "create_tweet", "server_error", after=True)  # made: new doubt
        assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT

    ledger.between = resolved_resent_and_in_doubt_again
    stale = run(rig, articles)
    assert stale.requeue == []  # the first doubt's verdict does not apply to the second
    record = ledger.get(article.id, X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.IN_DOUBT
    clock.now += 1000
    assert [d.destination for d in run(rig, articles).found] == [X_ACCOUNT.id]
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.NOTHING
    assert len(rig.harness.tweets()) == 1


def _in_doubt_after_others(rig: Rig, article: Article, clock: Clock, others: int) -> str:
    """A worker claimed ``article`` at CHANNEL, ``others`` unrecorded messages went out, then
    its post, and it died: the probe must read past the others. Returns the post's id."""
    assert rig.ledger.claim(article.id, CHANNEL.id, 1) is not None
    telegram = rig.publisher("telegram")
    for n in range(others):
        other = article.model_copy(update={"url": f"https://example.com/other/{n}"})
        telegram.publish(CHANNEL, title_and_link(other, CHANNEL))
    [posted] = telegram.publish(CHANNEL, title_and_link(article, CHANNEL))
    clock.now += 61
    return posted


def test_the_probe_resumes_where_the_pass_budget_stopped_it(
    make_rig: Callable[..., Rig], articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig = make_rig(budget=2)
    posted = _in_doubt_after_others(rig, article, clock, others=4)
    for seen in (2, 4):
        report = run(rig, articles)
        assert [d.destination for d in report.waiting] == [CHANNEL.id]
        assert forwards(rig) == seen  # two per pass, never the same message twice
    report = run(rig, articles)
    assert [d.destination for d in report.found] == [CHANNEL.id] and forwards(rig) == 5
    record = rig.ledger.get(article.id, CHANNEL.id, 1)
    assert record is not None and record.message_ids == (posted,)


def test_a_429_on_a_forward_holds_the_probe_chat_for_every_pass(
    make_rig: Callable[..., Rig], articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig = make_rig()
    _in_doubt_after_others(rig, article, clock, others=2)
    rig.harness.fault("telegram", "forwardMessage", "rate_limit", retry_after=30)
    assert [d.destination for d in run(rig, articles).waiting] == [CHANNEL.id]
    assert rig.governor.held(rig.governor.table.limits_for(PROBE)) > 25
    assert [d.destination for d in run(rig, articles).waiting] == [CHANNEL.id]
    assert forwards(rig) == 0  # no forward went to the held probe chat


def test_an_item_being_probed_is_not_probed_by_another_pass(
    make_rig: Callable[..., Rig],
    articles: ArticleStore,
    article: Article,
    clock: Clock,
    redis_client: Redis,
    keys: Keys,
) -> None:
    rig = make_rig()
    _in_doubt_after_others(rig, article, clock, others=1)
    rig.ledger.expire_leases()
    (item,) = rig.ledger.in_doubt_items()
    other_pass = redis_client.lock(keys.probe_lock(item_name(item)), timeout=60)
    assert other_pass.acquire(blocking=False)
    assert [d.destination for d in run(rig, articles).waiting] == [CHANNEL.id]
    assert forwards(rig) == 0
    other_pass.release()
    assert [d.destination for d in run(rig, articles).found] == [CHANNEL.id]


def test_posts_recorded_for_other_deliveries_are_not_forwarded(
    make_rig: Callable[..., Rig], articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig = make_rig()
    assert rig.ledger.claim(article.id, CHANNEL.id, 1) is not None  # after_id 0
    for n in range(3):  # other articles' posts, recorded while this one was in flight
        other = article.model_copy(update={"id": f"other-{n}", "url": f"https://example.com/o/{n}"})
        assert rig.run(other, CHANNEL).kind is OutcomeKind.DONE
    [posted] = rig.publisher("telegram").publish(CHANNEL, title_and_link(article, CHANNEL))
    clock.now += 61  # the worker died
    assert [d.destination for d in run(rig, articles).found] == [CHANNEL.id]
    assert forwards(rig) == 1  # only the unrecorded message was forwarded
    record = rig.ledger.get(article.id, CHANNEL.id, 1)
    assert record is not None and record.message_ids == (posted,)


def test_a_young_absent_post_is_not_read_again_from_the_start(
    make_rig: Callable[..., Rig], articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig = make_rig()
    assert rig.ledger.claim(article.id, CHANNEL.id, 1) is not None  # then died before the call
    telegram = rig.publisher("telegram")
    for n in range(2):  # other posts, not recorded
        other = article.model_copy(update={"url": f"https://example.com/other/{n}"})
        telegram.publish(CHANNEL, title_and_link(other, CHANNEL))
    clock.now += 61
    assert [d.destination for d in run(rig, articles).waiting] == [CHANNEL.id]  # too young
    assert forwards(rig) == 2
    clock.now += 120
    (requeued,) = run(rig, articles).requeue
    assert requeued[1] == CHANNEL
    assert forwards(rig) == 2  # only the missing ids at the end were asked again
