"""The audience's Redis keys: share counts, click limits, X metrics, trending."""

from __future__ import annotations


class AudienceKeys:
    """Keys of this part, under ``prefix`` (mixed into ``distributor.keys.Keys``)."""

    prefix: str

    # shares (distributor/shares.py)
    def share_clicks(self, article_id: str) -> str:
        """Hash: network → human clicks on the tracked share link."""
        return f"{self.prefix}:shares:clicks:{article_id}"

    def bot_clicks(self, article_id: str) -> str:
        """Hash: network → clicks by known bots (kept apart, never trending)."""
        return f"{self.prefix}:shares:bots:{article_id}"

    def clickers(self, article_id: str, day: str) -> str:
        """HyperLogLog of visitor hashes that clicked a share link on one UTC day."""
        return f"{self.prefix}:shares:clickers:{article_id}:{day}"

    def seen(self, article_id: str, day: str, kind: str) -> str:
        """HyperLogLog of the visitors counted on one UTC day for ``kind`` (a network's clicks,
        or ``view``): a visitor is counted when new to it (dedupe, 12 KB at most)."""
        return f"{self.prefix}:shares:seen:{article_id}:{day}:{kind}"

    # hardening (#13): per-address click limit
    def click_rate(self, window: int) -> str:
        """Hash: visitor → share clicks in one limit window (capped in size, expires)."""
        return f"{self.prefix}:shares:rate:{window}"

    def page_views(self, article_id: str) -> str:
        """Hash: ``views`` (one per visitor per day) and ``bots``."""
        return f"{self.prefix}:shares:views:{article_id}"

    def visitor_salt(self, day: str) -> str:
        """Random salt for visitor hashes of one UTC day; expires so hashes cannot be redone."""
        return f"{self.prefix}:shares:salt:{day}"

    def platform_post(self, platform: str, post_id: str) -> str:
        """Hash: latest metrics snapshot of one of our posts, its high-water marks, article."""
        return f"{self.prefix}:shares:post:{platform}:{post_id}"

    def platform_totals(self, article_id: str) -> str:
        """Hash: ``<platform>:shares`` / ``<platform>:engagement`` summed over latest snapshots."""
        return f"{self.prefix}:shares:platform:{article_id}"

    # metrics polling (distributor/metrics_poll.py)
    def metrics_watch(self) -> str:
        """Sorted set of watched tweet ids, scored by when they were posted."""
        return f"{self.prefix}:metrics:watch"

    def metrics_tweets(self) -> str:
        """Hash: watched tweet id → article id."""
        return f"{self.prefix}:metrics:article"

    def metrics_polled(self) -> str:
        """Hash: watched tweet id → when its metrics were last fetched."""
        return f"{self.prefix}:metrics:polled"

    def metrics_budget(self, window_start: int) -> str:
        """Counter of X read requests spent in one 15-minute window."""
        return f"{self.prefix}:metrics:budget:{window_start}"

    # trending (distributor/trending.py)
    def trend_board(self, window: str, scope: str) -> str:
        """Sorted set: article id → decayed score, for a window and ``all`` or ``cat:<name>``."""
        return f"{self.prefix}:trend:board:{window}:{scope}"

    def trend_epochs(self) -> str:
        """Hash: window → T0 (the time the board's scores are relative to)."""
        return f"{self.prefix}:trend:epochs"

    def trend_scopes(self) -> str:
        """Set of scopes that have a board (``all`` and each ``cat:<name>``)."""
        return f"{self.prefix}:trend:scopes"

    def trend_article(self, article_id: str) -> str:
        """Hash: an article's category and its events bucketed per hour (for explain)."""
        return f"{self.prefix}:trend:article:{article_id}"

    def trend_last(self) -> str:
        """Sorted set: article id → time of its latest trending event."""
        return f"{self.prefix}:trend:last"

    def trend_blocked(self) -> str:
        """Set of unpublished article ids that no event may put back on a board."""
        return f"{self.prefix}:trend:blocked"
