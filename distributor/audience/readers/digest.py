"""A reader's daily digest: the day's articles on their topics, in their language, one message
at the hour they chose (``/digest on``) instead of a message per article."""

from __future__ import annotations

import html
import time
from datetime import datetime, tzinfo

from distributor.audience.digest import WIB, indonesian_date
from distributor.audience.readers.catalogue import Catalogue
from distributor.audience.readers.subscriptions import Language, Subscriptions
from distributor.audience.readers.topics import article_topics, matches
from distributor.formatting.text import html_to_text
from distributor.models import Article, RenderedPost
from distributor.publishing.articles import ArticleStore

DAY_S = 86_400.0
MAX_ITEMS = 10
CANDIDATES = 100
TITLE_CHARS = 200
HEADINGS: dict[Language, str] = {"id": "Ringkasan harian Anda", "en": "Your daily digest"}
_CACHE_S = 60.0


def english_date(day: datetime) -> str:
    """``Thursday, 1 February 2024``."""
    return f"{day:%A}, {day.day} {day:%B %Y}"


def render_reader_digest(articles: list[Article], language: Language, day: datetime) -> str:
    """The digest text (HTML parse mode), every string escaped; at most ``MAX_ITEMS`` items,
    far below Telegram's 4096 characters."""
    date = indonesian_date(day.date()) if language == "id" else english_date(day)
    lines = [f"<b>{HEADINGS[language]}</b> · {date}"]
    for rank, article in enumerate(articles[:MAX_ITEMS], start=1):
        title = html_to_text(article.title)
        title = title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"
        href = html.escape(article.url, quote=True)
        lines.append(f'{rank}. <a href="{href}">{html.escape(title, quote=False)}</a>')
    return "\n\n".join(lines)


class DigestWriter:
    """Builds each reader's digest from the newest articles (read once a minute, not per
    reader)."""

    def __init__(
        self,
        catalogue: Catalogue,
        articles: ArticleStore,
        subscriptions: Subscriptions,
        tz: tzinfo = WIB,
    ) -> None:
        self._catalogue = catalogue
        self._articles = articles
        self._subscriptions = subscriptions
        self._tz = tz
        self._cache: tuple[float, list[tuple[Article, set[str]]]] | None = None

    def post_for(self, chat_id: int, now: float) -> RenderedPost | None:
        """The reader's digest, or None when nothing of the last day is on their topics."""
        reader = self._subscriptions.get(chat_id)
        if reader is None:
            return None
        picked = [a for a, topics in self._candidates(now) if matches(topics, reader.topics)]
        if not picked:
            return None
        day = datetime.fromtimestamp(now, self._tz)
        return RenderedPost(
            platform="telegram",
            method="sendMessage",
            text=render_reader_digest(picked, reader.language, day),
            parse_mode="HTML",
            link_preview_options={"is_disabled": True},
        )

    def _candidates(self, now: float) -> list[tuple[Article, set[str]]]:
        """Published articles of the last day, newest first, with their topics."""
        if self._cache is not None and time.monotonic() - self._cache[0] < _CACHE_S:
            return self._cache[1]
        found = []
        for article_id in self._catalogue.latest(CANDIDATES, since=now - DAY_S):
            article = self._articles.get(article_id)
            if article is not None and self._articles.is_published(article_id):
                found.append((article, set(article_topics(article))))
        self._cache = (time.monotonic(), found)
        return found


def due_hour(now: float, tz: tzinfo = WIB) -> tuple[str, int]:
    """(the local day, the local hour) of ``now``: which digest job is due."""
    local = datetime.fromtimestamp(now, tz)
    return local.date().isoformat(), local.hour
