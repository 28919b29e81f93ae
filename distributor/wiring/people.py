"""The people's part of the wiring seam: the managers' desk and tools, and the readers' bot
(docs/architecture.md, "Wiring"). ``Container`` mixes it in; it reads the connections and
the spine's stores that the container holds."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
from redis import Redis

from distributor.audience.readers.catalogue import Catalogue
from distributor.audience.readers.counts import ReaderCounts
from distributor.audience.readers.digest import DigestWriter
from distributor.audience.readers.reactions import Reactions
from distributor.audience.readers.sends import ReaderSends
from distributor.audience.readers.subscriptions import Subscriptions
from distributor.audience.readers.topics import seed_topics
from distributor.audience.shares import ShareTracker
from distributor.bot.inbox import BotInbox
from distributor.config import Settings
from distributor.desk.sandbox_feed import SandboxFeed
from distributor.desk.sessions import SessionStore
from distributor.keys import Keys
from distributor.manage.audit import AuditLog
from distributor.manage.evergreen import Evergreen, record_of
from distributor.manage.managers import Managers
from distributor.manage.tokens import TokenStore
from distributor.models import Article, Destination, RenderedPost
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor
from distributor.publishing.reshares.service import Reshares
from distributor.publishing.reshares.store import ReshareStore
from distributor.publishing.routing import RoutingTable
from distributor.queue import names
from distributor.queue.broker import Enqueue

if TYPE_CHECKING:
    from collections.abc import Callable

    from telegram import Bot

    from distributor.audience.readers.broadcast import Broadcaster
    from distributor.audience.readers.fanout import ChunkRunner
    from distributor.formatting import FormatOptions


class PeopleParts:
    """Managers' and readers' stores, built on first use from the container's clients."""

    if TYPE_CHECKING:  # provided by ``distributor.wiring.Container``
        settings: Settings
        redis: Redis
        keys: Keys
        routing: RoutingTable
        enqueue: Enqueue
        clock: Callable[[], float]

        @property
        def ledger(self) -> Ledger: ...
        @property
        def articles(self) -> ArticleStore: ...
        @property
        def governor(self) -> RateGovernor: ...
        @property
        def shares(self) -> ShareTracker: ...
        @property
        def format_options(self) -> FormatOptions: ...
        def render(self, article: Article, destination: Destination) -> RenderedPost: ...

    # the managers' desk
    @cached_property
    def desk_sessions(self) -> SessionStore:
        """Signed-in managers of the /manage pages."""
        s = self.settings
        return SessionStore(self.redis, self.keys, s.desk_session_idle_s, s.desk_session_max_s)

    @cached_property
    def sandbox_feed(self) -> SandboxFeed:
        """The sandbox's inspection API, for the desk's Sandbox page (sandbox mode)."""
        client = httpx.Client(
            base_url=self.settings.sandbox_url, timeout=self.settings.http_timeout_s
        )
        return SandboxFeed(client)

    # managers (docs/managers.md)
    @cached_property
    def reshare_store(self) -> ReshareStore:
        """Reshare requests, their schedule, cooldown and cap bookkeeping."""
        return ReshareStore(self.redis, self.keys)

    @cached_property
    def reshares(self) -> Reshares:
        """Ask for, list, cancel and fire reshares."""
        return Reshares(
            self.reshare_store, self.ledger, self.articles, self.routing, self.send_reshare,
            tz=ZoneInfo(self.settings.timezone), stale_s=self.settings.outbox_stale_s,
            clock=self.clock,
        )  # fmt: skip

    @cached_property
    def tokens(self) -> TokenStore:
        """Manager tokens (stored hashed) and the DISTRIBUTOR_TOKENS ones."""
        return TokenStore(self.redis, self.keys, self.settings.tokens, clock=self.clock)

    @cached_property
    def audit(self) -> AuditLog:
        """The append-only log of manager actions."""
        return AuditLog(self.redis, self.keys, clock=self.clock)

    @cached_property
    def managers(self) -> Managers:
        """Every manager action, audited: the API's, the CLI's and a dashboard's entry point."""
        return Managers(
            self.reshares, self.ledger, self.articles, self.routing, self.tokens, self.audit,
            self.send_article, self.send_reshare, self.desk_sessions.end_all,
        )  # fmt: skip

    @cached_property
    def evergreen(self) -> Evergreen:
        """The evergreen rotation of the destinations that have one."""
        return Evergreen(
            self.redis, self.keys, self.routing, self.articles, self.ledger,
            lambda article_id: record_of(self.shares, article_id), self.reshares, self.audit,
            tz=ZoneInfo(self.settings.timezone), clock=self.clock,
        )  # fmt: skip

    def send_article(self, article: Article, destination: Destination) -> None:
        """Queue one delivery of an article revision on its platform's queue."""
        kwargs = {"article": article.model_dump(mode="json"), "destination": destination.id,
                  "action": "publish"}  # fmt: skip
        self.enqueue(names.DELIVER, kwargs, names.deliver_queue(destination.platform))

    def send_reshare(self, reshare_id: str, destination: Destination) -> None:
        """Queue one destination of a reshare on its platform's queue."""
        kwargs = {"reshare_id": reshare_id, "destination": destination.id}
        self.enqueue(names.DELIVER_RESHARE, kwargs, names.deliver_queue(destination.platform))

    # readers (distributor/audience/readers, distributor/bot)
    @cached_property
    def subscriptions(self) -> Subscriptions:
        """Readers and their topics."""
        return Subscriptions(self.redis, self.keys, clock=self.clock)

    @cached_property
    def catalogue(self) -> Catalogue:
        """Topics readers can choose (configured, the routing rules', articles') and the newest
        articles."""
        rules = self.routing.rules
        named = [*self.settings.readers_topics, *(r.category for r in rules if r.category)]
        named += [tag for rule in rules for tag in rule.tags]
        return Catalogue(self.redis, self.keys, seed_topics(named))

    @cached_property
    def reader_counts(self) -> ReaderCounts:
        """Readers per topic by day, and readers pruned, for the desk."""
        return ReaderCounts(self.redis, self.keys)

    @cached_property
    def reader_sends(self) -> ReaderSends:
        """Reader jobs and the per-(article, reader) send records; a claim's lease outlives
        any one call."""
        lease = max(self.settings.lease_s, 2 * self.settings.http_timeout_s)
        return ReaderSends(self.redis, self.keys, lease, clock=self.clock)

    @cached_property
    def broadcaster(self) -> Broadcaster:
        """The readers' batch sender (its own Bot and keep-alive pool; imported on first use)."""
        from distributor.audience.readers.broadcast import Broadcaster

        return Broadcaster(
            _reader_bot(self.settings), self.governor, self.reader_sends, self.subscriptions,
            paid=self.settings.readers_paid_broadcast, in_flight=self.settings.readers_in_flight,
        )  # fmt: skip

    @cached_property
    def reader_chunks(self) -> ChunkRunner:
        """Runs chunks of reader jobs, each within a fifth of the visibility timeout (at most a
        minute), far below the task time limits."""
        from distributor.audience.readers.fanout import ChunkRunner

        budget = max(1.0, min(60.0, self.settings.visibility_timeout_s / 5))
        return ChunkRunner(
            self.reader_sends, self.broadcaster, self.articles, self.render, self.digests,
            self.settings.readers_chunk, budget,
        )  # fmt: skip

    @cached_property
    def digests(self) -> DigestWriter:
        """Readers' daily digests, dated in the newsroom's time zone."""
        zone = ZoneInfo(self.settings.timezone)
        return DigestWriter(self.catalogue, self.articles, self.subscriptions, zone)

    @cached_property
    def reactions(self) -> Reactions:
        """Our Telegram posts' articles and the reactions on them."""
        return Reactions(self.redis, self.keys, self.shares, self.articles)

    @cached_property
    def bot_inbox(self) -> BotInbox:
        """Webhook updates waiting for `distributor bot`."""
        return BotInbox(self.redis, self.keys)


def _reader_bot(settings: Settings) -> Bot:
    """The readers' batch sender's ``Bot``, imported on first use like every platform client."""
    from distributor.publishers.factory import build_reader_bot

    return build_reader_bot(settings)
