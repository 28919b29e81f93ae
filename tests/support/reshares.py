"""A reshare desk on the real Redis with a moved clock: articles, ledger, reshares, evergreen,
tokens and audit wired as ``wiring`` does, sends collected instead of queued."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis

from distributor.desk.sessions import SessionStore
from distributor.keys import Keys
from distributor.manage.audit import AuditLog
from distributor.manage.evergreen import Evergreen, Record
from distributor.manage.managers import Managers
from distributor.manage.tokens import TokenStore
from distributor.models import Article, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.reshares.service import Reshares
from distributor.publishing.reshares.store import ReshareStore
from distributor.publishing.routing import RoutingTable
from distributor.publishing.routing.loader import parse_routing
from tests.support.clock import T0, Clock
from tests.support.seed import seed_article_dict

TZ = ZoneInfo("Asia/Jakarta")
ROUTING = """
defaults = ["tg-main", "x-main"]
[[destinations]]
id = "tg-main"
platform = "telegram"
target = "@visualjambi"
[[destinations]]
id = "x-main"
platform = "x"
target = "visualjambi"
[reshare.tg-main]
quiet_hours = "22:00-06:00"
daily_cap = 3
[evergreen.tg-main]
interval_h = 3
min_age_days = 2
max_age_days = 60
categories = ["Politik", "Bisnis"]
no_repeat_days = 3
pause_after_fresh_min = 45
"""


@dataclass
class Desk:
    """The managers' side of one deployment, on a test namespace and a moved clock."""

    redis: Redis
    keys: Keys
    clock: Clock
    routing: RoutingTable
    ledger: Ledger
    articles: ArticleStore
    reshares: Reshares
    managers: Managers
    evergreen: Evergreen
    audit: AuditLog
    tokens: TokenStore
    records: dict[str, Record] = field(default_factory=dict)
    sent: list[tuple[str, str]] = field(default_factory=list)  # (reshare id, destination)
    sent_articles: list[tuple[str, int, str]] = field(default_factory=list)

    def article(self, article_id: str, age_days: float = 0, **fields: Any) -> Article:
        """Store a published article ``age_days`` old."""
        data = {**seed_article_dict(article_id), **fields}
        data["published_at"] = datetime.fromtimestamp(self.clock.now - age_days * 86_400, UTC)
        article = Article.model_validate(data)
        self.articles.save(article)
        return article

    def post(self, article_id: str, destination: str, message_id: str, revision: int = 1) -> None:
        """Record the original post of an article at a destination, now."""
        claim = self.ledger.claim(article_id, destination, revision)
        assert claim is not None
        self.ledger.record_sent(claim, [message_id], "sendMessage")


@contextmanager
def reshare_desk(redis: Redis, keys: Keys, routing: str = ROUTING) -> Iterator[Desk]:
    """A ``Desk`` at ``T0`` (2024-01-23 15:53 WIB)."""
    clock = Clock(T0)
    table = parse_routing(routing)
    ledger = Ledger(redis, keys, clock=clock)
    articles = ArticleStore(redis, keys)
    audit = AuditLog(redis, keys, clock=clock)
    tokens = TokenStore(redis, keys, clock=clock)
    sent: list[tuple[str, str]] = []
    sent_articles: list[tuple[str, int, str]] = []
    records: dict[str, Record] = {}

    def send(reshare_id: str, destination: Destination) -> None:
        sent.append((reshare_id, destination.id))

    def send_article(article: Article, destination: Destination) -> None:
        sent_articles.append((article.id, article.revision, destination.id))

    reshares = Reshares(ReshareStore(redis, keys), ledger, articles, table, send, tz=TZ,
                        stale_s=900, clock=clock)  # fmt: skip
    sessions = SessionStore(redis, keys, idle_s=600, max_s=3600, clock=clock)
    managers = Managers(reshares, ledger, articles, table, tokens, audit, send_article, send,
                        sessions.end_all)  # fmt: skip
    evergreen = Evergreen(
        redis, keys, table, articles, ledger, lambda a: records.get(a, Record()), reshares,
        audit, tz=TZ, clock=clock,
    )  # fmt: skip
    yield Desk(redis, keys, clock, table, ledger, articles, reshares, managers, evergreen,
               audit, tokens, records, sent, sent_articles)  # fmt: skip
