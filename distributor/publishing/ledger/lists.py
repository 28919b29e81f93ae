"""The records of many articles in one read-only script (the managers' desk's lists), so a
page of fifty articles or a scan for failures costs one round trip, not one per record."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Delivery, DeliveryState
from distributor.publishing.ledger.records import decode_delivery, decode_pairs


def deliveries_of(
    redis: Redis,
    keys: Keys,
    article_ids: Sequence[str],
    *,
    state: DeliveryState | None = None,
    newest: bool = False,
) -> dict[str, list[Delivery]]:
    """Each article's records (``Ledger.list_deliveries``' order): all of them, only those in
    ``state``, or only each destination's newest revision (``newest``)."""
    if not article_ids:
        return {}
    many = redis.register_script(script("distributor.publishing.ledger", "many"))
    index_keys = [keys.deliveries(article_id) for article_id in article_ids]
    found = many(keys=index_keys, args=[state.value if state else "", int(newest)])
    return {
        article_id: sorted(
            (decode_delivery(decode_pairs(raw)) for raw in rows),
            key=lambda d: (d.destination, d.revision),
        )
        for article_id, rows in zip(article_ids, found, strict=True)
    }
