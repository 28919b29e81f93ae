"""Whether the Redis keeps what it acknowledges (docs/architecture.md, "Durability").

The promise (a ``202`` means the event survives; a claim and a sent record are on disk before
the platform call and the task's ack) holds only on a Redis that fsyncs every write before it
replies: ``appendonly yes`` with ``appendfsync always``. Redis 7.0 has no ``WAITAOF``, so the
service cannot wait for one write's fsync; it checks the server's policy at start instead and
refuses one that may lose acknowledged writes, unless told that best effort is enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis import Redis, RedisError, ResponseError

from distributor.config import Settings
from distributor.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Persistence:
    """A Redis server's AOF settings as it reports them (None: ``CONFIG`` is not allowed)."""

    appendonly: str | None
    appendfsync: str | None

    @property
    def durable(self) -> bool:
        """Every acknowledged write is on disk (fsynced before the reply)."""
        return self.appendonly == "yes" and self.appendfsync == "always"

    def describe(self) -> str:
        """What the server may lose, in words."""
        if self.appendonly is None:
            return "its persistence cannot be read (CONFIG GET is not allowed)"
        if self.appendonly != "yes":
            return "appendonly is off: a restart loses everything since the last snapshot"
        if self.appendfsync != "always":
            return (
                f"appendfsync is {self.appendfsync}: a power loss loses up to a second of "
                "acknowledged writes (accepted events, claims, sent records)"
            )
        return "appendonly yes, appendfsync always"


def read_persistence(redis: Redis) -> Persistence:
    """The server's ``appendonly`` and ``appendfsync`` settings."""
    try:
        config = redis.config_get("append*")
    except ResponseError:  # CONFIG renamed or refused (managed Redis): cannot tell
        return Persistence(None, None)
    return Persistence(_text(config.get("appendonly")), _text(config.get("appendfsync")))


def ensure_durable(settings: Settings, redis: Redis) -> Persistence:
    """At start of the API, a worker or beat: refuse a Redis that may lose acknowledged writes
    (``DISTRIBUTOR_DURABILITY=required``, the default); warn in sandbox mode or with
    ``best_effort``. A Redis that does not answer is left to the first real call."""
    try:
        found = read_persistence(redis)
    except RedisError as exc:
        log.warning("durability: could not read the Redis persistence settings: %s", exc)
        return Persistence(None, None)
    if found.durable:
        return found
    problem = f"the Redis at DISTRIBUTOR_REDIS_URL may lose acknowledged writes: {found.describe()}"
    if settings.durability == "required" and not settings.sandbox:
        raise ConfigError(
            f"{problem}. Run it with `appendonly yes` and `appendfsync always`, or set "
            "DISTRIBUTOR_DURABILITY=best_effort to accept that loss"
        )
    log.warning("durability: %s", problem)
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
