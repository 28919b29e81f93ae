"""The reconciler (beat): settle in-doubt deliveries without ever posting blindly.

Expired leases become ``in_doubt`` first. Then each in-doubt delivery is checked on its platform:
a post citing the article found → ``sent`` with its ids (or deleted, if the article has been
unpublished since); surely absent (once ``min_age_s`` has passed since the doubt began, so a
slow worker or a lagging timeline cannot fool us) → ``pending`` and re-enqueued; unknowable
(Telegram without a probe chat) → the destination's ``on_in_doubt`` policy. In-doubt edits are
simply re-enqueued: repeating an edit cannot duplicate a post. Telegram is probed through the
governor, resumably, one probe per item at a time, within a budget per pass (``probe``); a
decision settles only the doubt it was made about (``InDoubtItem.doubt``), never a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from distributor.errors import DeliveryError
from distributor.models import (
    Article,
    Delivery,
    DeliveryState,
    Destination,
    InDoubtPolicy,
)
from distributor.publishers.base import Lookup, Prober, Publisher
from distributor.publishing.articles import ArticleStore
from distributor.publishing.governed import governed_delete
from distributor.publishing.ledger import InDoubtItem, Ledger
from distributor.publishing.probe import NotYet, Probe, ProbePass
from distributor.publishing.routing import RoutingTable

PublisherFor = Callable[[Destination], Publisher]  # the destination's account's publisher


@dataclass
class ReconcileReport:
    """What one pass did; ``requeue`` lists deliveries the caller must send again."""

    expired: list[Delivery] = field(default_factory=list)
    found: list[Delivery] = field(default_factory=list)
    requeue: list[tuple[Article, Destination]] = field(default_factory=list)
    requeue_reshares: list[tuple[str, Destination]] = field(default_factory=list)  # (id, dest)
    held: list[Delivery] = field(default_factory=list)
    assumed_sent: list[Delivery] = field(default_factory=list)
    deleted: list[Delivery] = field(default_factory=list)
    waiting: list[Delivery] = field(default_factory=list)
    errors: list[tuple[Delivery, str]] = field(default_factory=list)


def reconcile(
    ledger: Ledger,
    publishers: PublisherFor,
    routing: RoutingTable,
    articles: ArticleStore,
    *,
    probe: Probe,
    min_age_s: float = 120.0,
    slack_s: float = 30.0,
) -> ReconcileReport:
    """One pass over the in-doubt set; safe to run concurrently with deliveries and with
    other passes. ``slack_s``: how far the platform's clock may run ahead of ours (a post
    dated later than the doubt's start plus this is surely not the in-doubt one)."""
    report = ReconcileReport(expired=ledger.expire_leases())
    probes = probe.start()
    for item in ledger.in_doubt_items():
        delivery = item.delivery
        try:
            destination = routing.get(delivery.destination)
        except KeyError:
            report.errors.append((delivery, "destination no longer in the routing file"))
            continue
        article = articles.get(delivery.article_id)
        if article is None:
            report.errors.append((delivery, "article not in the article store"))
            continue
        # the newest text under the record's revision: a later revision then edits or settles
        article = article.model_copy(update={"revision": delivery.revision})
        try:
            publisher = publishers(destination)
            ages = (min_age_s, slack_s)
            _settle(item, article, destination, ledger, publisher, probes, report, ages)
        except DeliveryError as exc:
            report.errors.append((delivery, str(exc)))
    return report


def _settle(
    item: InDoubtItem,
    article: Article,
    destination: Destination,
    ledger: Ledger,
    publisher: Publisher,
    probes: ProbePass,
    report: ReconcileReport,
    ages: tuple[float, float],  # min_age_s, slack_s
) -> None:
    min_age_s, slack_s = ages
    delivery, doubt = item.delivery, item.doubt
    unpublished = ledger.unpublished_revision(delivery.article_id, delivery.destination)
    gone = delivery.revision <= unpublished
    if item.action == "edit":
        reason = "in-doubt edit: repeat it"
        repeat = ledger.resolve(delivery, DeliveryState.PENDING, reason, doubt=doubt)
        if repeat and not gone:
            report.requeue.append((article, destination))
        return
    latest = min(item.lease_until or item.since, item.since)  # no call outlives its lease
    known = _known_elsewhere(ledger, delivery)
    lookup = Lookup(
        article.url, item.after_id, ledger.high_water(delivery.destination),
        latest + slack_s, known,
    )  # fmt: skip
    if isinstance(publisher, Prober):
        ids = probes.find(publisher, destination, lookup, item)
    else:
        ids = publisher.find_post(destination, lookup)
    if isinstance(ids, NotYet):
        report.waiting.append(delivery)
        return
    if ids is None:
        if destination.on_in_doubt is InDoubtPolicy.ASSUME_SENT:
            reason = "unverifiable: policy assume_sent"
            if ledger.resolve(delivery, DeliveryState.SENT, reason, doubt=doubt):
                report.assumed_sent.append(delivery)
        else:
            report.held.append(delivery)
        return
    if ids and not set(ids) & known:
        if gone:
            governed_delete(probes.governor, destination, publisher, ids, max_wait_s=2.0)
            reason = "found after unpublish, deleted"
            if ledger.resolve(delivery, DeliveryState.DELETED, reason, doubt=doubt):
                report.deleted.append(delivery)
        else:
            method = "tweet" if destination.platform == "x" else ""
            reason = "found on the platform"
            if ledger.resolve(delivery, DeliveryState.SENT, reason, ids, method, doubt):
                report.found.append(delivery)
        return
    if ledger.now() - item.since < min_age_s:
        report.waiting.append(delivery)
    elif gone:
        reason = "not posted; article unpublished"
        if ledger.resolve(delivery, DeliveryState.DELETED, reason, doubt=doubt):
            report.deleted.append(delivery)
    elif ledger.resolve(delivery, DeliveryState.PENDING, "not found on the platform", doubt=doubt):
        if delivery.reshare is not None:
            report.requeue_reshares.append((delivery.reshare, destination))
        else:
            report.requeue.append((article, destination))


def _known_elsewhere(ledger: Ledger, delivery: Delivery) -> frozenset[str]:
    """Ids recorded for the article's other deliveries at this destination (other revisions',
    a repost policy's first post; reshares'): a post found among them is not this one."""
    everything = ledger.list_deliveries(delivery.article_id)
    everything += ledger.list_deliveries(delivery.article_id, reshares=True)
    mine = (delivery.revision, delivery.reshare)
    return frozenset(
        i
        for other in everything
        if other.destination == delivery.destination and (other.revision, other.reshare) != mine
        for i in other.message_ids
    )
