"""Public links to an article's live posts, for the CMS's post screen (the WordPress meta box)."""

from __future__ import annotations

from distributor.models import Destination
from distributor.publishing.ledger import Ledger
from distributor.publishing.routing import RoutingTable


def post_links(destination: Destination, message_ids: tuple[str, ...]) -> list[str]:
    """``t.me`` links for a public (``@name``) or private (``-100…``) channel, ``x.com`` status
    links for an X account; groups and private chats have no links."""
    target = destination.target
    if destination.platform == "x":
        return [f"https://x.com/{target.lstrip('@')}/status/{mid}" for mid in message_ids]
    if target.startswith("@"):
        return [f"https://t.me/{target[1:]}/{mid}" for mid in message_ids]
    if target.startswith("-100"):
        return [f"https://t.me/c/{target[4:]}/{mid}" for mid in message_ids]
    return []


def live_links(ledger: Ledger, routing: RoutingTable, article_id: str) -> dict[str, list[str]]:
    """Destination id → links to the article's post standing there now."""
    destinations = {d.id: d for d in routing.destinations}
    live = ledger.live_posts(article_id, destinations)
    return {name: post_links(destinations[name], post.message_ids) for name, post in live.items()}
