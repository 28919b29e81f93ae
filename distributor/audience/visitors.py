"""Who is counting: a visitor is a network address, not what the client says about itself.

A visitor id is a keyed hash of the client's address (an IPv4 address, or the /64 network of an
IPv6 one, since one host is given a whole /64) with a random salt per UTC day that expires, so
raw addresses are never stored and yesterday's ids cannot be recomputed. The User-Agent only
tells known bots apart (the maintained ``crawler-user-agents`` list): it is chosen by the
sender, so it never makes a new visitor (docs/security.md, "Counts").
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import crawleruseragents
from redis import Redis

from distributor.keys import Keys
from distributor.lua import script

DAY = 86_400
SALT_TTL_S = 2 * DAY  # a day's salt outlives its day by one, then nobody can redo its ids


def utc_day(t: float) -> str:
    """The UTC calendar day of a Unix time, as ``YYYYMMDD``."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y%m%d")


@lru_cache(maxsize=16_384)
def is_known_bot(user_agent: str) -> bool:
    """True for a missing User-Agent or one matching a known crawler pattern.

    Memoised: matching ~1,500 patterns costs ~0.2 ms, and real traffic repeats a few
    thousand User-Agent strings (a new string only pays the match once).
    """
    ua = user_agent.strip()
    return not ua or bool(crawleruseragents.is_crawler(ua))


@lru_cache(maxsize=65_536)
def address_key(address: str) -> str:
    """What counts as one visitor's address: the IPv4 address, or the /64 of an IPv6 one
    (an IPv4-mapped IPv6 address is its IPv4 address); anything unparsable as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


def is_navigation(headers: Mapping[str, str]) -> bool:
    """A top-level navigation (a person following a link), as far as the browser says: a
    request that sends ``Sec-Fetch-Mode`` / ``Sec-Fetch-Dest`` must send ``navigate`` /
    ``document``. An ``<img>``, a script's fetch or a hidden iframe says otherwise; a client
    that sends neither header (an old browser, an app's web view) is taken at its word."""
    mode, dest = headers.get("sec-fetch-mode"), headers.get("sec-fetch-dest")
    return mode in (None, "navigate") and dest in (None, "document")


@dataclass(frozen=True)
class Visitor:
    """Who made a request: an opaque per-day id and whether it is a known bot."""

    id: str
    is_bot: bool


class Visitors:
    """Turns an address into a per-day visitor id; the salts live in Redis, one per UTC day,
    so every API process agrees."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        clock: Callable[[], float] = time.time,
        bot_check: Callable[[str], bool] = is_known_bot,
        cache_size: int = 4096,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._is_bot = lru_cache(maxsize=cache_size)(bot_check)
        self._salt: tuple[str, bytes] | None = None
        self._get_salt = redis.register_script(script("distributor.audience", "visitor_salt"))

    def identify(self, address: str, user_agent: str, now: float | None = None) -> Visitor:
        """The visitor of a request from ``address`` on the day of ``now``."""
        day = utc_day(self._clock() if now is None else now)
        return Visitor(self.id_for(address_key(address), day), self._is_bot(user_agent))

    def is_bot(self, user_agent: str) -> bool:
        """Whether a User-Agent is a known bot's (memoised)."""
        return self._is_bot(user_agent)

    def id_for(self, key: str, day: str) -> str:
        """The id of an ``address_key`` on ``day`` (one Redis round trip per process and day)."""
        digest = hashlib.blake2b(key.encode(), key=self._salt_for(day), digest_size=8)
        return digest.hexdigest()

    def _salt_for(self, day: str) -> bytes:
        if self._salt is not None and self._salt[0] == day:
            return self._salt[1]
        found = self._get_salt(
            keys=[self._keys.visitor_salt(day)], args=[secrets.token_hex(32), SALT_TTL_S]
        )
        salt = bytes.fromhex(found.decode() if isinstance(found, bytes) else str(found))
        self._salt = (day, salt)
        return salt
