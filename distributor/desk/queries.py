"""What the Today and Article pages read, in a bounded number of round trips whatever the
history: a day's articles from the publish-time index (one range read) and their newest
records (one read-only script), and where each sent post can be seen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from distributor.models import Article, Delivery, DeliveryState, Destination
from distributor.publishing.ledger.lists import newest_deliveries
from distributor.publishing.routing import RoutingTable
from distributor.wiring import Container

PAGE_SIZE = 50
STATE_LABELS = {
    DeliveryState.PENDING: "pending",
    DeliveryState.SENDING: "sending",
    DeliveryState.SENT: "sent",
    DeliveryState.FAILED: "failed",
    DeliveryState.IN_DOUBT: "in doubt",
    DeliveryState.DELETED: "deleted",
}
SETTLED = frozenset({DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.DELETED})


@dataclass(frozen=True)
class Chip:
    """One destination's newest delivery of an article, as the Today page shows it."""

    delivery: Delivery
    platform: str
    post_url: str | None

    @property
    def label(self) -> str:
        """The state in words."""
        return STATE_LABELS[self.delivery.state]


@dataclass(frozen=True)
class Row:
    """An article of a list with its chips."""

    article: Article
    published: bool
    chips: tuple[Chip, ...]

    @property
    def settled(self) -> bool:
        """True when no chip can still change by itself (sent, failed or deleted)."""
        return bool(self.chips) and all(c.delivery.state in SETTLED for c in self.chips)


def day_bounds(day: date, zone: tzinfo) -> tuple[float, float]:
    """Unix seconds of the start of ``day`` and of the next day in the newsroom's zone."""
    start = datetime.combine(day, time(), zone)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


def anchor(platform: str, target: str, message_id: str | int) -> str:
    """The Sandbox page's id for one post: ``tg-<chat>-<id>`` or ``x-<id>``."""
    if platform == "x":
        return f"x-{message_id}"
    return f"tg-{target.lstrip('@').lower()}-{message_id}"


def post_url(destination: Destination | None, delivery: Delivery, sandbox: bool) -> str | None:
    """Where a sent post can be seen: t.me / x.com, or the desk's Sandbox page in sandbox mode."""
    if delivery.state is not DeliveryState.SENT or not delivery.message_ids:
        return None
    return link(destination, delivery.message_ids[0], sandbox)


def link(destination: Destination | None, message_id: str, sandbox: bool) -> str | None:
    """Where the post ``message_id`` at ``destination`` can be seen (None for a private chat
    outside sandbox mode, or a destination the routing file no longer has)."""
    if destination is None:
        return None
    target = destination.target
    if sandbox:
        return f"/manage/sandbox#{anchor(destination.platform, target, message_id)}"
    if destination.platform == "x":
        return f"https://x.com/{target.lstrip('@')}/status/{message_id}"
    if target.startswith("@"):
        return f"https://t.me/{target[1:]}/{message_id}"
    if target.startswith("-100"):
        return f"https://t.me/c/{target[4:]}/{message_id}"
    return None


def destination(routing: RoutingTable, destination_id: str) -> Destination | None:
    """The routed destination with this id; None when the routing file no longer has it."""
    try:
        return routing.get(destination_id)
    except KeyError:  # a destination since removed from the routing file
        return None


def chips(container: Container, deliveries: Sequence[Delivery]) -> tuple[Chip, ...]:
    """The newest revision's record per destination, in destination order."""
    newest: dict[str, Delivery] = {}
    for d in deliveries:
        if d.destination not in newest or d.revision > newest[d.destination].revision:
            newest[d.destination] = d
    out = []
    for name in sorted(newest):
        dest = destination(container.routing, name)
        platform = dest.platform if dest else "?"
        url = post_url(dest, newest[name], container.settings.sandbox)
        out.append(Chip(newest[name], platform, url))
    return tuple(out)


def rows_for(container: Container, article_ids: Sequence[str]) -> list[Row]:
    """Articles with their chips, in the order given (unknown ids left out)."""
    found = container.articles.many(article_ids)
    records = newest_deliveries(
        container.redis, container.keys, [i for i in article_ids if i in found]
    )
    return [
        Row(found[i][0], found[i][1], chips(container, records[i]))
        for i in article_ids
        if i in found
    ]


def day_rows(container: Container, start: float, end: float, page: int = 0) -> list[Row]:
    """One page of the articles published in ``[start, end)``, newest first."""
    listed = container.articles.published_between(start, end, PAGE_SIZE + 1, page * PAGE_SIZE)
    return rows_for(container, [article_id for article_id, _ in listed])
