"""Every Redis key the service uses, under one namespace prefix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    """Key builder bound to a namespace (e.g. ``distributor`` or a per-test prefix)."""

    prefix: str = "distributor"

    # intake
    def event(self, event_id: str) -> str:
        """Marker that an event was accepted (dedupe), holds its enqueue time."""
        return f"{self.prefix}:event:{event_id}"

    def signature(self, digest: str) -> str:
        """A webhook signature already used (replay protection), expires with the window."""
        return f"{self.prefix}:sig:{digest}"

    def article(self, article_id: str) -> str:
        """Hash of the latest known article fields (title, url, category, state, revision)."""
        return f"{self.prefix}:article:{article_id}"

    # ledger
    def delivery(self, article_id: str, destination: str, revision: int) -> str:
        """Hash: one delivery's state, lease token and expiry, message ids, attempts, error."""
        return f"{self.prefix}:delivery:{article_id}:{destination}:{revision}"

    def deliveries(self, article_id: str) -> str:
        """Set of delivery keys that belong to one article."""
        return f"{self.prefix}:deliveries:{article_id}"

    def posted(self, article_id: str, destination: str) -> str:
        """Hash: the live post of an article at a destination (revision, message ids)."""
        return f"{self.prefix}:posted:{article_id}:{destination}"

    def history(self, article_id: str) -> str:
        """List of JSON lines: every ledger transition of one article, oldest first."""
        return f"{self.prefix}:history:{article_id}"

    def leases(self) -> str:
        """Sorted set of delivery keys in ``sending``, scored by lease expiry."""
        return f"{self.prefix}:leases"

    def in_doubt(self) -> str:
        """Sorted set of in-doubt delivery keys, scored by when they became so."""
        return f"{self.prefix}:in_doubt"

    def scheduled(self) -> str:
        """Sorted set of delayed task payloads, scored by due time (beat moves them)."""
        return f"{self.prefix}:scheduled"

    # broker
    def celery_prefix(self) -> str:
        """Prefix kombu puts before every Celery key (queues, unacked, bindings)."""
        return f"{self.prefix}:celery:"

    def queue(self, name: str) -> str:
        """The Redis list behind a Celery queue."""
        return f"{self.celery_prefix()}{name}"

    # rate governor
    def rate(self, scope: str) -> str:
        """GCRA theoretical arrival time for one limit scope."""
        return f"{self.prefix}:rate:{scope}"
