"""One reshare destination against the live sandbox with real publishers: a new post each time,
X texts never repeated (the sandbox refuses duplicates as X does), quotes, retries that keep
their text, in-doubt reshares reconciled without reposting, and the rate governor keeping its
last slots for new articles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from redis import Redis

from distributor.formatting import FormatOptions, render
from distributor.keys import Keys
from distributor.models import Article, DeliveryState, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.delivery import Outcome, OutcomeKind
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import Limit, RateGovernor, RateTable
from distributor.publishing.reconcile import reconcile
from distributor.publishing.reshares.delivery import deliver_reshare, reshare_limits
from distributor.publishing.reshares.records import ReshareRequest
from distributor.publishing.reshares.store import ReshareStore
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.manager_rules import ReshareRules
from tests.support.clock import Clock
from tests.support.publishers import CHANNEL, X_ACCOUNT, Rig, sandbox_harness
from tests.support.seed import seed_article_dict

OPTIONS = FormatOptions()


@dataclass
class Bench:
    """A rig, the reshare store and the stored, posted seed article."""

    rig: Rig
    store: ReshareStore
    articles: ArticleStore
    article: Article
    clock: Clock
    count: int = 0

    def reshare(self, destination: Destination, text: str | None = None,
                rules: ReshareRules | None = None) -> tuple[ReshareRequest, Outcome]:  # fmt: skip
        self.count += 1
        request = ReshareRequest(
            id=f"rs_{self.count:016x}", article_id=self.article.id, revision=1, created_at=0,
            created_by="desk", text=text, destinations=(destination.id,),
        )  # fmt: skip
        return request, self.again(request, destination, rules)

    def again(self, request: ReshareRequest, destination: Destination,
              rules: ReshareRules | None = None) -> Outcome:  # fmt: skip
        return deliver_reshare(
            request, destination, self.article, ledger=self.rig.ledger, store=self.store,
            governor=self.rig.governor, publisher=self.rig.publisher(destination.platform),
            options=OPTIONS, rules=rules or ReshareRules(),
        )  # fmt: skip


@pytest.fixture
def bench(redis_client: Redis, keys: Keys) -> Iterator[Bench]:
    with sandbox_harness() as harness:
        clock = Clock()
        ledger = Ledger(redis_client, keys, lease_s=60, clock=clock)
        rig = Rig(harness, ledger, RateGovernor(redis_client, keys)).with_probe(redis_client, keys)
        articles = ArticleStore(redis_client, keys)
        article = Article.model_validate(seed_article_dict())
        articles.save(article)
        for destination in (CHANNEL, X_ACCOUNT):
            done = rig.run(article, destination, render=lambda a, d: render(a, d, OPTIONS))
            assert done.kind is OutcomeKind.DONE
        yield Bench(rig, ReshareStore(redis_client, keys), articles, article, clock)


def test_x_reshares_are_new_posts_whose_text_never_repeats(bench: Bench) -> None:
    outcomes = [bench.reshare(X_ACCOUNT)[1] for _ in range(4)]
    assert [o.kind for o in outcomes] == [OutcomeKind.DONE] * 4
    texts = [t["posted_text"] for t in bench.rig.harness.tweets()]
    assert len(texts) == 5 and len(set(texts)) == 5
    assert [t.split("\n")[0] for t in texts[1:]] == [
        "Baca lagi:", "Jangan lewatkan:", "Pilihan redaksi:", "Sudah baca?"
    ]  # fmt: skip
    request, _ = bench.reshare(X_ACCOUNT, text="Sore ini")
    bench.reshare(X_ACCOUNT, text="Sore ini")  # the same line twice: numbered
    heads = [t["posted_text"].split("\n")[0] for t in bench.rig.harness.tweets()[-2:]]
    assert heads == ["Sore ini", "Sore ini (2)"]
    assert bench.again(request, X_ACCOUNT).kind is OutcomeKind.NOTHING  # done once, not again
    assert len(bench.rig.harness.tweets()) == 7


def test_a_retried_x_reshare_keeps_the_text_it_chose(bench: Bench) -> None:
    bench.rig.harness.fault("x", "create_tweet", "rate_limit", retry_after=1)
    request, first = bench.reshare(X_ACCOUNT)
    assert first.kind is OutcomeKind.RETRY
    assert bench.again(request, X_ACCOUNT).kind is OutcomeKind.DONE
    assert bench.rig.harness.tweets()[-1]["posted_text"].startswith("Baca lagi:\n")
    _, other = bench.reshare(X_ACCOUNT)
    assert bench.rig.harness.tweets()[-1]["posted_text"].startswith("Jangan lewatkan:\n")
    assert other.kind is OutcomeKind.DONE


def test_quote_mode_quotes_our_original_post(bench: Bench) -> None:
    original = bench.rig.harness.tweets()[0]
    _, done = bench.reshare(X_ACCOUNT, rules=ReshareRules(x_mode="quote"))
    assert done.kind is OutcomeKind.DONE
    quote = bench.rig.harness.tweets()[-1]
    assert quote["referenced_tweets"] == [{"type": "quoted", "id": original["id"]}]


def test_a_telegram_reshare_is_a_new_message_led_by_the_managers_line(bench: Bench) -> None:
    _, done = bench.reshare(CHANNEL, text="Masih hangat")
    assert done.kind is OutcomeKind.DONE
    first, second = bench.rig.harness.messages()
    assert not first["edited"] and second["message_id"] == first["message_id"] + 1
    assert second["caption"].startswith("Masih hangat\n\nGubernur Al Haris")
    live = bench.rig.ledger.live_post(bench.article.id, CHANNEL.id)
    assert live is not None and live.message_ids == (str(first["message_id"]),)


def test_an_unpublished_article_is_not_reshared(bench: Bench) -> None:
    request = ReshareRequest(
        id="rs_00000000000000ff", article_id=bench.article.id, revision=1, created_at=0,
        created_by="desk", destinations=(CHANNEL.id,),
    )  # fmt: skip
    outcome = deliver_reshare(
        request, CHANNEL, None, ledger=bench.rig.ledger, store=bench.store,
        governor=bench.rig.governor, publisher=bench.rig.publisher("telegram"),
        options=OPTIONS, rules=ReshareRules(),
    )  # fmt: skip
    assert outcome.kind is OutcomeKind.NOTHING and len(bench.rig.harness.messages()) == 1


def test_in_doubt_reshares_are_found_or_sent_again_never_twice(bench: Bench) -> None:
    routing = RoutingTable(destinations=(CHANNEL, X_ACCOUNT))
    bench.rig.harness.fault("x", "create_tweet", "server_error", status=503, after=True)
    posted, first = bench.reshare(X_ACCOUNT)  # made, but the answer was lost
    bench.rig.harness.fault("x", "create_tweet", "server_error", status=503)
    lost, second = bench.reshare(X_ACCOUNT)  # never made
    assert first.kind is second.kind is OutcomeKind.IN_DOUBT
    ledger = bench.rig.ledger
    bench.clock.advance(600)  # past min_age
    assert bench.rig.probe is not None
    report = reconcile(
        ledger, bench.rig.publisher, routing, bench.articles, probe=bench.rig.probe, min_age_s=120
    )
    found = ledger.get(bench.article.id, X_ACCOUNT.id, 1, posted.id)
    assert found is not None and found.state is DeliveryState.SENT
    assert found.message_ids == (bench.rig.harness.tweets()[-1]["id"],)
    assert report.requeue == [] and report.requeue_reshares == [(lost.id, X_ACCOUNT)]
    assert bench.again(lost, X_ACCOUNT).kind is OutcomeKind.DONE
    texts = [t["posted_text"] for t in bench.rig.harness.tweets()]
    assert len(texts) == 3 and len(set(texts)) == 3


def test_reshares_leave_the_last_slots_of_a_bucket_to_new_articles(
    redis_client: Redis, keys: Keys
) -> None:
    governor = RateGovernor(redis_client, keys, RateTable())
    limits = governor.table.limits_for(CHANNEL)
    assert [limit.burst for limit in reshare_limits(limits)] == [1, 2, 2]
    # X has no GCRA bucket since the X budget (issue 16): its queue puts ``Tier.RESHARE`` behind
    # every new article instead (test_budget.py, the queue's order)
    assert governor.table.limits_for(X_ACCOUNT) == ()
    chat = (Limit("test:chat", 60.0, 3),)  # a slow refill: no slot comes back meanwhile
    assert governor.acquire(chat) == 0  # an article's post: 2 of the chat's 3 left
    assert governor.acquire(reshare_limits(chat)) == 0  # a reshare: 1 left
    assert governor.acquire(reshare_limits(chat)) > 0  # no reshare takes the last one
    assert governor.acquire(chat) == 0  # a new article still does
