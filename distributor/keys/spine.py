"""The publishing spine's Redis keys: intake, ledger, broker, rate governor, X budget."""

from __future__ import annotations


class SpineKeys:
    """Keys of this part, under ``prefix`` (mixed into ``distributor.keys.Keys``)."""

    prefix: str

    # intake
    def event(self, event_id: str) -> str:
        """Marker that an event was accepted (dedupe), holds its enqueue time."""
        return f"{self.prefix}:event:{event_id}"

    def signature(self, digest: str) -> str:
        """A webhook signature already used (replay protection), expires with the window."""
        return f"{self.prefix}:sig:{digest}"

    def outbox(self) -> str:
        """Sorted set of accepted event ids until their deliveries settle, scored by when
        each is next due for a check (``distributor.queue.outbox``)."""
        return f"{self.prefix}:outbox"

    def outbox_events(self) -> str:
        """Hash: the fan-out kwargs (JSON) of each event in the outbox."""
        return f"{self.prefix}:outbox:events"

    def article(self, article_id: str) -> str:
        """Hash of the latest known article fields (title, url, category, state, revision)."""
        return f"{self.prefix}:article:{article_id}"

    def watch(self, site: str) -> str:
        """Hash: the feed watcher's state for one site (``cursor``, ``seen``, ``failures``,
        ``retry_at``; ``distributor.intake.watcher``); ``site`` is a digest of its URL."""
        return f"{self.prefix}:watch:{site}"

    def watch_lock(self, site: str) -> str:
        """Lock held by the one watcher pass running for a site."""
        return f"{self.prefix}:watch:{site}:lock"

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

    def recorded_ids(self, destination: str) -> str:
        """Sorted set: the message ids recorded at a destination (score: the id), newest kept;
        the probe never forwards one of these (they are other deliveries' posts)."""
        return f"{self.prefix}:recorded-ids:{destination}"

    def high_water(self) -> str:
        """Hash: destination → the highest message id recorded there (where to look for an
        in-doubt post that may have been made after it)."""
        return f"{self.prefix}:high_water"

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

    def rate_hold(self, scope: str) -> str:
        """When a platform's ``retry_after`` on one scope ends (microseconds, Redis clock)."""
        return f"{self.prefix}:rate-hold:{scope}"

    def flight(self, scope: str) -> str:
        """Lock: the one call in flight to a chat (single flight per chat)."""
        return f"{self.prefix}:flight:{scope}"

    # the reconciler's probe (publishing/probe.py)
    def probe_cursor(self, delivery_key: str) -> str:
        """Hash: where the probe of one in-doubt delivery stopped (next id, misses, doubt)."""
        return f"{self.prefix}:probe:cursor:{delivery_key}"

    def probe_lock(self, delivery_key: str) -> str:
        """Lock: one probe of an in-doubt delivery at a time."""
        return f"{self.prefix}:probe:lock:{delivery_key}"

    # X budget (publishing/budget.py): limits learnt from the platform's answers, held posts
    def budget(self, scope: str) -> str:
        """Hash: window family → JSON {limit, remaining, reset, seen, label, probe} of one
        account's post budget."""
        return f"{self.prefix}:budget:{scope}"

    def budget_held(self, scope: str) -> str:
        """Sorted set: tickets of posts waiting for the budget, scored by standing."""
        return f"{self.prefix}:budget:{scope}:held"

    def budget_checkin(self, scope: str) -> str:
        """Sorted set: held tickets, scored by when they must next ask (dead ones are dropped)."""
        return f"{self.prefix}:budget:{scope}:checkin"

    def budget_status(self, scope: str) -> str:
        """Hash: the latest verdict on a short budget (until, why), for status and health."""
        return f"{self.prefix}:budget:{scope}:status"

    def budget_probe(self, scope: str) -> str:
        """Marker (with expiry): a held budget asked the platform lately whether it is spent."""
        return f"{self.prefix}:budget:{scope}:probe"

    def budget_scopes(self) -> str:
        """Set of budget scopes ever used (accounts)."""
        return f"{self.prefix}:budget:scopes"

    def skipped(self) -> str:
        """Sorted set of skipped delivery keys, scored by when they were skipped."""
        return f"{self.prefix}:skipped"
