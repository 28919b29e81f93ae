"""The "Terpopuler" digest, checked with the sandbox's tdlib-faithful HTML parser."""

from __future__ import annotations

from datetime import date

from redis import Redis

from distributor.audience.digest import TELEGRAM_LIMIT, daily_digest, indonesian_date, render_digest
from distributor.audience.shares import ShareCounts
from distributor.audience.sidebar import PopularItem
from distributor.audience.trending import Trending
from distributor.keys import Keys
from distributor.models import Article
from distributor.publishing.articles import ArticleStore
from distributor.telegram_html.text import format_text
from tests.support.clock import T0, Clock
from tests.support.seed import seed_article_dict
from tests.support.shares import click, tracker_for

DAY = date(2024, 2, 1)


def item(
    n: int, title: str = "Berita", url: str = "https://example.id/a", shares: int = 0
) -> PopularItem:
    counts = ShareCounts.model_validate(
        {"total": shares, "by_network": {"x": shares}, "clicks": {}, "platform": {}}
    )
    return PopularItem(
        article_id=f"a{n}", title=title, url=url, category="", score=1.0, counts=counts
    )


def test_renders_ranked_links_with_share_lines() -> None:
    text = render_digest([item(1, "Rakor Gubernur", shares=3), item(2, "Pilkada")], DAY)
    assert text is not None
    plain, entities = format_text(text, "HTML", caption=False)
    assert plain.splitlines() == [
        "Terpopuler · Kamis, 1 Februari 2024",
        "",
        "1. Rakor Gubernur",
        "3 shares · Share 0 · Tweet 3",
        "",
        "2. Pilkada",
        "0 shares · Share 0 · Tweet 0",
    ]
    links = [e for e in entities if e.type == "text_link"]
    assert [e.url for e in links] == ["https://example.id/a", "https://example.id/a"]


def test_markup_in_titles_and_urls_is_escaped() -> None:
    hostile = item(1, 'A <b>bold</b> & "quoted" </a> title', url='https://example.id/?a=1&b="x"')
    text = render_digest([hostile], DAY)
    assert text is not None
    plain, entities = format_text(text, "HTML", caption=False)
    assert 'A <b>bold</b> & "quoted" </a> title' in plain
    [link] = [e for e in entities if e.type == "text_link"]
    assert link.url == 'https://example.id/?a=1&b="x"'


def test_stays_within_telegrams_limit() -> None:
    items = [item(n, "Judul panjang sekali " * 20 + "🔥" * 30) for n in range(60)]
    text = render_digest(items, DAY)
    assert text is not None
    assert len(text.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT
    plain, _ = format_text(text, "HTML", caption=False)  # raises if too long
    assert "1. " in plain and "60. " not in plain


def test_nothing_to_send() -> None:
    assert render_digest([], DAY) is None


def test_indonesian_date() -> None:
    assert indonesian_date(date(2025, 8, 17)) == "Minggu, 17 Agustus 2025"


def test_daily_digest_reads_todays_board(redis_client: Redis, keys: Keys) -> None:
    clock = Clock(T0)
    trending = Trending(redis_client, keys, clock=clock)
    tracker = tracker_for(redis_client, keys, trending, clock)
    store = ArticleStore(redis_client, keys)
    for n, clicks in ((1, 1), (2, 3)):
        article = Article.model_validate(seed_article_dict(f"art-{n}") | {"title": f"Story {n}"})
        store.save(article)
        tracker.record_clicks(
            [click(article, "facebook", f"198.51.100.{v}", T0) for v in range(clicks)]
        )
    store.set_published("art-1", False)  # unpublished but still on the board: skipped

    text = daily_digest(trending, store, tracker, T0)
    assert text is not None
    plain, _ = format_text(text, "HTML", caption=False)
    assert "1. Story 2" in plain and "Story 1" not in plain
    assert "3 shares · Share 3 · Tweet 0" in plain
