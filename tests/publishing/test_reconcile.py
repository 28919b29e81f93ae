"""The reconciler on a real Redis and the live sandbox: in-doubt deliveries settle, never repost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, DeliveryState, InDoubtPolicy, UpdatePolicy
from distributor.publishing.articles import ArticleStore
from distributor.publishing.delivery import OutcomeKind
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor, RateTable
from distributor.publishing.reconcile import ReconcileReport, reconcile
from distributor.publishing.routing import RoutingTable
from tests.support.clock import Clock
from tests.support.publishers import (
    CHANNEL,
    PROBE_CHAT,
    X_ACCOUNT,
    Rig,
    sandbox_harness,
    title_and_link,
)

HOLDING = CHANNEL
ASSUMING = CHANNEL.model_copy(update={"id": "tg-assume", "on_in_doubt": InDoubtPolicy.ASSUME_SENT})
ROUTING = RoutingTable(destinations=(HOLDING, ASSUMING, X_ACCOUNT))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rig(redis_client: Redis, keys: Keys, clock: Clock) -> Iterator[Rig]:
    with sandbox_harness() as harness:
        ledger = Ledger(redis_client, keys, lease_s=60, clock=clock)
        relaxed = RateTable(chat_burst=20, chat_per_min=60)  # probes forward several at once
        governor = RateGovernor(redis_client, keys, relaxed)
        yield Rig(harness, ledger, governor).with_probe(redis_client, keys)


def run(rig: Rig, articles: ArticleStore) -> ReconcileReport:
    assert rig.probe is not None
    return reconcile(
        rig.ledger, rig.publisher_for, ROUTING, articles, probe=rig.probe, min_age_s=120
    )


def state(rig: Rig, article: Article, destination: str, revision: int = 1) -> DeliveryState:
    record = rig.ledger.get(article.id, destination, revision)
    assert record is not None
    return record.state


def test_x_post_found_after_a_lost_answer_becomes_sent(
    rig: Rig, articles: ArticleStore, article: Article
) -> None:
    rig.harness.fault("x", "create_tweet", "server_error", after=True)
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT
    report = run(rig, articles)
    (tweet,) = rig.harness.tweets()
    assert [d.destination for d in report.found] == [X_ACCOUNT.id]
    record = rig.ledger.get(article.id, X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == (tweet["id"],)
    live = rig.ledger.live_post(article.id, X_ACCOUNT.id)
    assert live is not None and live.message_ids == (tweet["id"],)
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.NOTHING
    assert len(rig.harness.tweets()) == 1


def test_x_post_surely_absent_is_requeued_after_the_grace_period(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig.harness.fault("x", "create_tweet", "server_error")
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT
    early = run(rig, articles)
    assert [d.destination for d in early.waiting] == [X_ACCOUNT.id] and early.requeue == []
    assert state(rig, article, X_ACCOUNT.id) is DeliveryState.IN_DOUBT
    clock.now += 121
    (requeued,) = run(rig, articles).requeue
    assert requeued == (article, X_ACCOUNT)
    assert state(rig, article, X_ACCOUNT.id) is DeliveryState.PENDING
    assert rig.run(*requeued).kind is OutcomeKind.DONE
    assert len(rig.harness.tweets()) == 1


def test_a_worker_that_died_after_posting_is_found(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    claim = rig.ledger.claim(article.id, X_ACCOUNT.id, 1)
    assert claim is not None
    rig.publisher("x").publish(X_ACCOUNT, title_and_link(article, X_ACCOUNT))  # then it died
    assert run(rig, articles).expired == []
    clock.now += 61
    report = run(rig, articles)
    assert [d.destination for d in report.expired] == [X_ACCOUNT.id]
    assert [d.destination for d in report.found] == [X_ACCOUNT.id]
    assert state(rig, article, X_ACCOUNT.id) is DeliveryState.SENT
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.NOTHING
    assert len(rig.harness.tweets()) == 1


def test_telegram_follows_the_destination_policy(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    for dest in (HOLDING, ASSUMING):
        rig.harness.fault("telegram", "sendMessage", "server_error", after=True)
        assert rig.run(article, dest).kind is OutcomeKind.IN_DOUBT
    clock.now += 1000
    report = run(rig, articles)
    assert [d.destination for d in report.held] == [HOLDING.id]
    assert [d.destination for d in report.assumed_sent] == [ASSUMING.id]
    assert state(rig, article, HOLDING.id) is DeliveryState.IN_DOUBT
    assert state(rig, article, ASSUMING.id) is DeliveryState.SENT
    assert run(rig, articles).held == report.held  # held ones stay held
    assert len(rig.harness.messages()) == 2


def test_telegram_with_a_probe_chat_finds_a_post_made_before_the_worker_died(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig.publishers["telegram"] = rig.harness.telegram(probe_chat=PROBE_CHAT)
    earlier = article.model_copy(update={"id": "earlier"})
    assert rig.run(earlier, HOLDING).kind is OutcomeKind.DONE  # the mark the claim remembers
    claim = rig.ledger.claim(article.id, HOLDING.id, 1)
    assert claim is not None
    [posted] = rig.publisher("telegram").publish(HOLDING, title_and_link(article, HOLDING))
    clock.now += 61  # then it died: the lease runs out
    report = run(rig, articles)
    assert [d.destination for d in report.found] == [HOLDING.id]
    record = rig.ledger.get(article.id, HOLDING.id, 1)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == (posted,)
    assert rig.run(article, HOLDING).kind is OutcomeKind.NOTHING
    assert len(rig.harness.messages()) == 2


def test_telegram_with_a_probe_chat_reposts_what_was_surely_not_posted(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig.publishers["telegram"] = rig.harness.telegram(probe_chat=PROBE_CHAT)
    assert rig.ledger.claim(article.id, HOLDING.id, 1) is not None  # died before the call
    clock.now += 61
    assert [d.destination for d in run(rig, articles).waiting] == [HOLDING.id]
    clock.now += 120
    (requeued,) = run(rig, articles).requeue
    assert requeued[1] == HOLDING and state(rig, article, HOLDING.id) is DeliveryState.PENDING
    assert rig.run(requeued[0], HOLDING).kind is OutcomeKind.DONE
    assert len(rig.harness.messages()) == 1


def test_an_edit_in_doubt_is_simply_repeated(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock
) -> None:
    rig.run(article, HOLDING)
    claim = rig.ledger.claim(article.id, HOLDING.id, 2, action="edit")  # died mid-edit
    assert claim is not None
    clock.now += 61
    (requeued,) = run(rig, articles).requeue
    assert requeued[0].revision == 2 and requeued[1] == HOLDING
    assert rig.run(requeued[0], HOLDING, "update").detail == "edited"
    assert len(rig.harness.messages()) == 1


def test_a_post_found_after_unpublish_is_deleted(
    rig: Rig, articles: ArticleStore, article: Article
) -> None:
    rig.harness.fault("x", "create_tweet", "server_error", after=True)
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT
    unpublished = rig.run(article, X_ACCOUNT, "unpublish")
    assert unpublished.kind is OutcomeKind.NOTHING and "in doubt" in unpublished.detail
    report = run(rig, articles)
    assert [d.destination for d in report.deleted] == [X_ACCOUNT.id]
    assert rig.harness.tweets() == []
    assert state(rig, article, X_ACCOUNT.id) is DeliveryState.DELETED


def test_failures_to_check_leave_it_in_doubt(
    rig: Rig, articles: ArticleStore, article: Article, clock: Clock, redis_client: Redis
) -> None:
    rig.harness.fault("x", "create_tweet", "server_error")
    rig.run(article, X_ACCOUNT)
    rig.harness.fault("x", "get_users_tweets", "server_error")
    clock.now += 1000
    (error,) = run(rig, articles).errors
    assert error[0].destination == X_ACCOUNT.id and "outcome unknown" in error[1]
    assert state(rig, article, X_ACCOUNT.id) is DeliveryState.IN_DOUBT
    articles_elsewhere = ArticleStore(redis_client, Keys("elsewhere"))  # knows no article
    assert rig.probe is not None
    report = reconcile(rig.ledger, rig.publisher_for, ROUTING, articles_elsewhere, probe=rig.probe)
    assert [reason for _, reason in report.errors] == ["article not in the article store"]


def test_x_duplicate_after_a_requeue_of_an_uncertain_post_settles_as_found(
    rig: Rig, articles: ArticleStore, article: Article
) -> None:
    rig.harness.fault("x", "create_tweet", "server_error", after=True)  # posted, answer lost
    assert rig.run(article, X_ACCOUNT).kind is OutcomeKind.IN_DOUBT
    record = rig.ledger.get(article.id, X_ACCOUNT.id, 1)
    assert record is not None
    # sent again, as when the timeline did not show the post yet or a manager said not_posted
    assert rig.ledger.resolve(record, DeliveryState.PENDING, "not found on the platform")
    outcome = rig.run(article, X_ACCOUNT)  # X answers 403 "duplicate content"
    (tweet,) = rig.harness.tweets()
    assert outcome.kind is OutcomeKind.DONE and outcome.message_ids == (tweet["id"],)
    record = rig.ledger.get(article.id, X_ACCOUNT.id, 1)
    assert record is not None and record.state is DeliveryState.SENT
    assert record.message_ids == (tweet["id"],)
    assert rig.run(article, X_ACCOUNT, "unpublish").kind is OutcomeKind.DONE
    assert rig.harness.tweets() == []  # the real tweet is deleted


def test_x_duplicate_of_another_revisions_post_still_fails(
    rig: Rig, articles: ArticleStore, article: Article
) -> None:
    reposting = X_ACCOUNT.model_copy(update={"on_update": UpdatePolicy.REPOST})
    assert rig.run(article, reposting).kind is OutcomeKind.DONE
    same_text = article.model_copy(update={"revision": 2})  # X refuses the identical repost
    outcome = rig.run(same_text, reposting, "update")
    assert outcome.kind is OutcomeKind.FAILED and "duplicate" in outcome.detail
    record = rig.ledger.get(article.id, X_ACCOUNT.id, 2)
    assert record is not None and record.message_ids == ()
    assert record.error is not None and "no post of ours" in record.error
