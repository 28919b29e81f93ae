"""The daily "Terpopuler" digest: the top list as Telegram HTML, posted once a day through the
same exactly-once delivery path as articles."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from distributor.audience.shares import ShareTracker
from distributor.audience.sidebar import PopularItem, popular
from distributor.audience.trending import Trending
from distributor.models import Article, Destination, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishing.articles import ArticleStore
from distributor.publishing.delivery import Outcome, deliver
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor

TELEGRAM_LIMIT = 4096  # sendMessage text, after entity parsing
TITLE_LIMIT = 200
WIB = timezone(timedelta(hours=7))
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def indonesian_date(day: date) -> str:
    """``Kamis, 1 Februari 2024``."""
    return f"{_DAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _entry(rank: int, item: PopularItem) -> str:
    title = item.title if len(item.title) <= TITLE_LIMIT else item.title[: TITLE_LIMIT - 1] + "…"
    href = html.escape(item.url, quote=True)
    return (
        f'{rank}. <a href="{href}">{html.escape(title, quote=False)}</a>\n'
        f"<i>{html.escape(item.label, quote=False)}</i>"
    )


def render_digest(
    items: Sequence[PopularItem], day: date, heading: str = "Terpopuler"
) -> str | None:
    """The digest text (parse_mode HTML), every string escaped, at most 4096 UTF-16 units
    even before parsing; items that do not fit are left off. None when there is nothing."""
    text = f"<b>{html.escape(heading, quote=False)}</b> · {indonesian_date(day)}"
    shown = 0
    for rank, item in enumerate(items, start=1):
        candidate = f"{text}\n\n{_entry(rank, item)}"
        if _utf16_len(candidate) > TELEGRAM_LIMIT:
            break
        text = candidate
        shown += 1
    return text if shown else None


def daily_digest(
    trending: Trending,
    store: ArticleStore,
    tracker: ShareTracker,
    now: float,
    *,
    limit: int = 10,
    tz: timezone = WIB,
) -> str | None:
    """Today's digest from the ``today`` board (beat: once a day, to ``digest_chat``)."""
    items = popular(trending, store, tracker, window="today", limit=limit, now=now)
    return render_digest(items, datetime.fromtimestamp(now, tz).date())


DIGEST_DESTINATION = "digest"


def send_digest(
    text: str,
    chat: str,
    day: str,
    *,
    ledger: Ledger,
    governor: RateGovernor,
    publisher: Publisher,
    link: str,
) -> Outcome:
    """Post ``text`` to ``chat`` once for ``day`` (a retry or a second beat tick does nothing)."""
    destination = Destination(id=DIGEST_DESTINATION, platform="telegram", target=chat)
    article = Article(
        id=f"digest-{day}", url=link, title=f"Terpopuler {day}", published_at=datetime.now(UTC)
    )
    post = RenderedPost(
        platform="telegram",
        method="sendMessage",
        text=text,
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
    )
    return deliver(
        article,
        destination,
        "publish",
        ledger=ledger,
        governor=governor,
        publisher=publisher,
        render=lambda _article, _destination: post,
    )
