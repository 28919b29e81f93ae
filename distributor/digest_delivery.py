"""Send the daily digest through the same exactly-once delivery path as articles."""

from __future__ import annotations

from datetime import UTC, datetime

from distributor.delivery import Outcome, deliver
from distributor.ledger import Ledger
from distributor.models import Article, Destination, RenderedPost
from distributor.publishers.base import Publisher
from distributor.ratelimit import RateGovernor

DIGEST_DESTINATION = "digest"


def send_digest(
    text: str,
    chat: str,
    day: str,
    *,
    ledger: Ledger,
    governor: RateGovernor,
    publisher: Publisher,
    link: str,
) -> Outcome:
    """Post ``text`` to ``chat`` once for ``day`` (a retry or a second beat tick does nothing)."""
    destination = Destination(id=DIGEST_DESTINATION, platform="telegram", target=chat)
    article = Article(
        id=f"digest-{day}", url=link, title=f"Terpopuler {day}", published_at=datetime.now(UTC)
    )
    post = RenderedPost(
        platform="telegram",
        method="sendMessage",
        text=text,
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
    )
    return deliver(
        article,
        destination,
        "publish",
        ledger=ledger,
        governor=governor,
        publisher=publisher,
        render=lambda _article, _destination: post,
    )
