"""The people's Redis keys: the managers' desk and tools, and the readers' bot."""

from __future__ import annotations


class PeopleKeys:
    """Keys of this part, under ``prefix`` (mixed into ``distributor.keys.Keys``)."""

    prefix: str

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

    def readers_high_water(self) -> str:
        """String: the highest message id any reader send got back. Telegram numbers private
        chats per bot account, so this, not a chat's own mark, is what a send comes after."""
        return f"{self.prefix}:readers:hw"

    def readers_claim_ids(self) -> str:
        """Sorted set: per settled batch of reader sends, its lowest message id, scored by its
        claim's lease end; any batch claimed after a send's lease ran out bounds that send's id."""
        return f"{self.prefix}:readers:claim-ids"

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
