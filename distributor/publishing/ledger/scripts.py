"""The ledger's Lua scripts and their calling convention (``prelude.lua``): which KEYS and
ARGV every transition gets, for a revision's own delivery or for a reshare's."""

from __future__ import annotations

from typing import Any

from redis import Redis

from distributor.keys import Keys
from distributor.lua import script

NAMES = (
    "ensure", "claim", "expire", "transition", "resolve",
    "cancel", "deleted", "settle", "tombstone", "snapshot", "retry", "skip", "unskip",
)  # fmt: skip


class LedgerScripts:
    """The registered scripts (EVALSHA), called with the KEYS and ARGV ``prelude.lua`` reads."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._keys = keys
        self._scripts = {
            name: redis.register_script(
                script("distributor.publishing.ledger", name, prelude="prelude")
            )
            for name in NAMES
        }

    def run(
        self,
        name: str,
        article_id: str,
        destination: str,
        revision: int,
        now: float,
        *extra: str | float,
        reshare: str = "",
        pipe: Any = None,
    ) -> str:
        """Run one script on one delivery (a reshare's when ``reshare`` is set); queued on
        ``pipe`` when given (the result then comes from ``pipe.execute()``)."""
        keys = self.key_list(article_id, destination, revision, reshare)
        argv = [article_id, destination, revision, now, reshare, *extra]
        result = self._scripts[name](keys=keys, args=argv, client=pipe)
        return str(result)

    def raw(self, name: str, keys: list[str], args: list[Any]) -> Any:
        """A script's own reply (``snapshot`` answers lists, not a verdict)."""
        return self._scripts[name](keys=keys, args=args)

    def key_list(
        self, article_id: str, destination: str, revision: int, reshare: str = ""
    ) -> list[str]:
        """KEYS of every ledger script: the record and its index are a reshare's own when
        ``reshare`` is set; the rest are shared (see ``prelude.lua``)."""
        keys = self._keys
        own = keys.delivery(article_id, destination, revision)
        index = keys.deliveries(article_id)
        if reshare:
            own = keys.reshare_delivery(article_id, destination, reshare)
            index = keys.reshare_deliveries(article_id)
        return [
            own, index, keys.history(article_id), keys.leases(), keys.in_doubt(),
            keys.posted(article_id, destination), keys.high_water(), keys.failed(),
            keys.fresh_posts(), keys.skipped(), keys.recorded_ids(destination),
        ]  # fmt: skip
