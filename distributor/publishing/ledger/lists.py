"""The records of many articles in one read-only script (the managers' desk's lists), so a
page of fifty articles costs one round trip, not one per record."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script
from distributor.models import Delivery
from distributor.publishing.ledger.records import decode_delivery, decode_pairs


def newest_deliveries(
    redis: Redis, keys: Keys, article_ids: Sequence[str]
) -> dict[str, list[Delivery]]:
    """Each article's newest revision's record per destination, in destination order."""
    if not article_ids:
        return {}
    many = redis.register_script(script("distributor.publishing.ledger", "many"))
    index_keys = [keys.deliveries(article_id) for article_id in article_ids]
    found = many(keys=index_keys)
    return {
        article_id: sorted(
            (decode_delivery(decode_pairs(raw)) for raw in rows), key=lambda d: d.destination
        )
        for article_id, rows in zip(article_ids, found, strict=True)
    }
