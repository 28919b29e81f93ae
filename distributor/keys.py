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

    # the managers' desk (distributor/desk/, issue 12)
    def articles_by_time(self) -> str:
        """Sorted set: article id → its ``published_at`` (Unix seconds); the article store
        keeps it with the article, so the desk lists a day's articles with one range read."""
        return f"{self.prefix}:articles:by_time"

    def share_daily(self, article_id: str) -> str:
        """Hash: ``<YYYYMMDD>|<network>`` → human share-link clicks that UTC day, and
        ``<YYYYMMDD>|<platform>:shares`` → platform shares gained that day (the desk's chart)."""
        return f"{self.prefix}:shares:daily:{article_id}"

    def desk_session(self, digest: str) -> str:
        """Hash: one signed-in manager (token name, scopes, CSRF token, absolute expiry), keyed
        by the SHA-256 of the session cookie; its TTL is the idle timeout."""
        return f"{self.prefix}:desk:session:{digest}"

    def desk_sessions_of(self, token_name: str) -> str:
        """Set of session digests signed in with one token (ended together when it is revoked)."""
        return f"{self.prefix}:desk:sessions:{token_name}"

    def desk_signin_failures(self, client: str) -> str:
        """Counter of failed sign-ins from one client address in the current window."""
        return f"{self.prefix}:desk:signin-failures:{client}"

    # managers: reshares, evergreen rotation, tokens, audit (docs/managers.md)
    def reshare_delivery(self, article_id: str, destination: str, reshare_id: str) -> str:
        """Hash: the ledger record of one reshare at one destination (its ``reshare`` key part
        can never equal an integer revision, so it never collides with an update)."""
        return f"{self.prefix}:delivery:{article_id}:{destination}:reshare:{reshare_id}"

    def reshare_deliveries(self, article_id: str) -> str:
        """Set of the reshare delivery keys of one article (apart from its revisions')."""
        return f"{self.prefix}:reshare_deliveries:{article_id}"

    def failed(self) -> str:
        """Sorted set of failed delivery keys, scored by when they failed."""
        return f"{self.prefix}:failed"

    def fresh_posts(self) -> str:
        """Hash: destination → time of its last original (not reshared) post."""
        return f"{self.prefix}:fresh_posts"

    def reshare(self, reshare_id: str) -> str:
        """Hash: one reshare request (its JSON) and each destination's state, time and text."""
        return f"{self.prefix}:reshare:{reshare_id}"

    def reshare_calendar(self) -> str:
        """Sorted set: reshare id → its earliest due time (the managers' calendar)."""
        return f"{self.prefix}:reshares:calendar"

    def reshares_of(self, article_id: str) -> str:
        """Set of the reshare ids of one article."""
        return f"{self.prefix}:reshares:article:{article_id}"

    def reshare_due(self) -> str:
        """Sorted set: ``<reshare id>|<destination>`` → due time, until it fires."""
        return f"{self.prefix}:reshares:due"

    def reshare_firing(self) -> str:
        """Sorted set: fired ``<reshare id>|<destination>`` → when to send it again unless
        its delivery has left ``pending`` by then."""
        return f"{self.prefix}:reshares:firing"

    def reshare_times(self, article_id: str, destination: str) -> str:
        """Sorted set: reshare id → planned post time of one article at one destination
        (the cooldown looks here and at the live post's ``last_post_at``)."""
        return f"{self.prefix}:reshares:times:{article_id}:{destination}"

    def reshare_day(self, destination: str, day: str) -> str:
        """Counter of reshares planned at a destination on one newsroom-local day (the cap)."""
        return f"{self.prefix}:reshares:day:{destination}:{day}"

    def reshare_texts(self, article_id: str, destination: str) -> str:
        """Set of digests of the texts already posted for an article on an X account."""
        return f"{self.prefix}:reshares:texts:{article_id}:{destination}"

    def evergreen_slots(self) -> str:
        """Hash: destination → time its last evergreen slot was taken."""
        return f"{self.prefix}:evergreen:slots"

    def evergreen_picked(self, destination: str) -> str:
        """Sorted set: article id → when the rotation last picked it at a destination."""
        return f"{self.prefix}:evergreen:picked:{destination}"

    def token(self, token_id: str) -> str:
        """Hash: one manager token (name, scopes, SHA-256 of its secret, expiry, last use)."""
        return f"{self.prefix}:token:{token_id}"

    def tokens(self) -> str:
        """Sorted set of manager token ids, scored by creation time."""
        return f"{self.prefix}:tokens"

    def token_names(self) -> str:
        """Hash: token name → id of the live token with that name."""
        return f"{self.prefix}:tokens:names"

    def env_token_use(self) -> str:
        """Hash: name of a ``DISTRIBUTOR_TOKENS`` token → when it was last used."""
        return f"{self.prefix}:tokens:env_used"

    def audit(self) -> str:
        """Stream: the append-only log of manager actions (who, what, when, outcome)."""
        return f"{self.prefix}:audit"

    # readers (distributor/audience/readers, distributor/bot): subscriptions, sends, the bot
    def readers_of_topic(self, topic: str) -> str:
        """Set of reader chat ids subscribed to a topic (readers by topic)."""
        return f"{self.prefix}:readers:topic:{topic}"

    def reader_topics(self, chat_id: int) -> str:
        """Set of the topics one reader chose (topics by reader)."""
        return f"{self.prefix}:readers:chat:{chat_id}:topics"

    def reader(self, chat_id: int) -> str:
        """Hash: a reader's language, digest mode and hour, first seen, highest message id."""
        return f"{self.prefix}:readers:chat:{chat_id}"

    def readers_all(self) -> str:
        """Set of every reader's chat id."""
        return f"{self.prefix}:readers:all"

    def readers_digest(self, hour: int | None = None) -> str:
        """Set of readers who get a daily digest instead of instant messages (all, or those
        whose digest is due at ``hour``)."""
        return f"{self.prefix}:readers:digest" + ("" if hour is None else f":{hour}")

    def readers_daily(self, topic: str) -> str:
        """Hash: UTC day (``YYYY-MM-DD``) → a topic's reader count that day (the desk's chart)."""
        return f"{self.prefix}:readers:topic:{topic}:daily"

    def readers_pruned(self) -> str:
        """Hash: topic → readers removed from it because they blocked the bot or were deleted."""
        return f"{self.prefix}:readers:pruned"

    def readers_removed(self) -> str:
        """Hash: why readers were removed (blocked, deactivated, stopped) → how many."""
        return f"{self.prefix}:readers:removed"

    def topic_names(self) -> str:
        """Hash: topic → how it is shown (``Politik``, ``#Pemilu``)."""
        return f"{self.prefix}:readers:topics"

    def topic_rank(self) -> str:
        """Sorted set: topic → articles that carried it (the picker's order)."""
        return f"{self.prefix}:readers:topics:rank"

    def readers_latest(self) -> str:
        """Sorted set: published article id → publication time (``/latest``, digests)."""
        return f"{self.prefix}:readers:latest"

    def reader_article(self, article_id: str) -> str:
        """Hash: the reader fan-out of one article (planned, revision sent, gone)."""
        return f"{self.prefix}:readers:article:{article_id}"

    def reader_plan(self, job: str) -> str:
        """List: the chat ids one reader job (send, edit, delete, digest) goes to, sorted."""
        return f"{self.prefix}:readers:plan:{job}"

    def reader_sends(self, article_id: str) -> str:
        """Hash: chat id → the per-(article, reader) send record."""
        return f"{self.prefix}:readers:sends:{article_id}"

    def readers_open(self) -> str:
        """Sorted set: reader jobs not yet settled → when they last made progress."""
        return f"{self.prefix}:readers:open"

    def channel_post(self, chat: str, message_id: int) -> str:
        """String: the article a channel post of ours (chat id or @name, message id) carries."""
        return f"{self.prefix}:readers:post:{chat}:{message_id}"

    def post_reactors(self, chat: str, message_id: int) -> str:
        """Hash: user id → their reaction on one of our posts (groups report users, not totals)."""
        return f"{self.prefix}:readers:reactors:{chat}:{message_id}"

    def bot_inbox(self) -> str:
        """List: updates the webhook route accepted, for `distributor bot` to process."""
        return f"{self.prefix}:bot:inbox"

    def bot_processing(self) -> str:
        """List: updates taken from the inbox and not yet processed (back to the inbox on
        restart)."""
        return f"{self.prefix}:bot:processing"

    def bot_update(self, update_id: int) -> str:
        """Marker that an update id was accepted (Telegram repeats an unanswered one)."""
        return f"{self.prefix}:bot:update:{update_id}"
