"""The daily "Terpopuler" digest: the top list as Telegram HTML, ready for ``sendMessage``."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from distributor.articles import ArticleStore
from distributor.popular import PopularItem, popular
from distributor.shares import ShareTracker
from distributor.trending import Trending

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
