"""Trending boards on a real Redis with a controllable clock."""

from __future__ import annotations

import math

import pytest
from redis import Redis

from distributor.audience.trending import HOUR, WINDOWS, Trending, TrendingConfig
from distributor.keys import Keys
from tests.support.clock import T0, Clock

SIX_HOURS = 6 * HOUR


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def board(redis_client: Redis, keys: Keys, clock: Clock) -> Trending:
    return Trending(redis_client, keys, TrendingConfig(), clock=clock)


def ids(entries: list[object]) -> list[str]:
    return [e.article_id for e in entries]  # type: ignore[attr-defined]


def test_decay_lets_a_newer_story_overtake_an_older_one(board: Trending, clock: Clock) -> None:
    board.record("old", "Politik", "view", count=10)
    clock.advance(HOUR)
    board.record("new", "Politik", "view", count=4)
    assert ids(board.top()) == ["old", "new"]

    clock.advance(2 * SIX_HOURS)  # two more half-lives: 10 views now weigh 10 / 2^(13/6)
    board.record("new", "Politik", "view", count=2)

    top = board.top()
    assert ids(top) == ["new", "old"]
    assert top[1].score == pytest.approx(10 * 2 ** (-13 / 6))
    assert top[0].score == pytest.approx(4 * 2**-2 + 2)


def test_weights_per_kind_apply(board: Trending) -> None:
    board.record("a", "", "share_click")
    board.record("b", "", "view", count=3)
    weights = board.config.weights
    assert board.score("a") == pytest.approx(weights["share_click"])
    assert board.score("b") == pytest.approx(3 * weights["view"])
    assert ids(board.top()) == ["a", "b"]  # one share click outweighs three views


def test_windows_decay_at_their_own_half_life(board: Trending, clock: Clock) -> None:
    board.record("a", "", "view", count=8)
    clock.advance(24 * HOUR)
    assert board.score("a", "now") == pytest.approx(8 * 2**-4)
    assert board.score("a", "today") == pytest.approx(4)
    assert board.score("a", "week") == pytest.approx(8 * 2 ** (-24 / 168))


def test_category_boards_hold_only_their_articles(board: Trending) -> None:
    board.record("p1", "Politik", "view", count=3)
    board.record("s1", "Sport", "view", count=5)
    board.record("p2", "politik", "view", count=1)
    board.record("none", "", "view", count=9)
    assert ids(board.top(category="POLITIK")) == ["p1", "p2"]
    assert ids(board.top(category="Sport")) == ["s1"]
    assert ids(board.top()) == ["none", "s1", "p1", "p2"]
    assert board.top(category="Ekonomi") == []
    for window in WINDOWS:
        assert ids(board.top(window, category="politik")) == ["p1", "p2"]


def test_a_category_change_moves_the_score(board: Trending) -> None:
    board.record("a", "Politik", "view", count=2)
    board.record("a", "Hukum", "view", count=1)
    assert board.top(category="Politik") == []
    [entry] = board.top(category="Hukum")
    assert entry.score == pytest.approx(3)


def test_top_n_is_limited_and_ordered(board: Trending) -> None:
    for n in range(30):
        board.record(f"a{n:02d}", "", "view", count=n + 1)
    top = board.top(limit=5)
    assert ids(top) == ["a29", "a28", "a27", "a26", "a25"]
    assert [e.score for e in top] == sorted((e.score for e in top), reverse=True)


def test_explain_sums_to_the_score(board: Trending, clock: Clock) -> None:
    board.record("a", "Politik", "view", count=3)
    clock.advance(1800)
    board.record("a", "Politik", "share_click")
    clock.advance(5 * HOUR)
    board.record("a", "Politik", "platform_share", count=2)
    board.record("a", "Politik", "engagement", count=7)
    clock.advance(3 * HOUR)

    for window in WINDOWS:
        found = board.explain("a", window)
        assert found is not None
        assert found.score == pytest.approx(board.score("a", window), rel=1e-12)
        assert sum(i.contribution for i in found.items) == pytest.approx(found.score, rel=1e-9)
    found = board.explain("a")
    assert found is not None
    kinds = {(i.kind, i.events, i.weight) for i in found.items}
    w = board.config.weights
    assert kinds == {
        ("view", 3, 3 * w["view"]),
        ("share_click", 1, w["share_click"]),
        ("platform_share", 2, 2 * w["platform_share"]),
        ("engagement", 7, 7 * w["engagement"]),
    }
    assert board.explain("never-seen") is None


def test_renormalise_keeps_scores_and_explanations(board: Trending, clock: Clock) -> None:
    board.record("a", "Sport", "view", count=5)
    board.record("b", "Sport", "share_click")
    clock.advance(30 * HOUR)
    board.record("b", "Sport", "view")
    before = {w: {e.article_id: e.score for e in board.top(w, "sport")} for w in WINDOWS}

    board.renormalise()

    for window in WINDOWS:
        after = {e.article_id: e.score for e in board.top(window, "sport")}
        assert after == pytest.approx(before[window], rel=1e-12)
        found = board.explain("a", window)
        assert found is not None
        assert sum(i.contribution for i in found.items) == pytest.approx(found.score, rel=1e-9)


def test_renormalising_daily_keeps_a_year_of_scores_finite(
    board: Trending, clock: Clock, redis_client: Redis, keys: Keys
) -> None:
    for _ in range(365):
        board.record("a", "", "view")
        clock.advance(24 * HOUR)
        board.renormalise()
    raw = redis_client.zscore(keys.trend_board("now", "all"), "a")
    assert raw is not None and math.isfinite(raw) and raw < 1e6
    assert board.score("a", "week") == pytest.approx(
        sum(2 ** (-24 * d / 168) for d in range(1, 366)), rel=1e-9
    )


def test_unpublish_removes_from_every_board(board: Trending) -> None:
    board.record("gone", "Politik", "share_click")
    board.record("stays", "Politik", "view")
    board.remove("gone")
    for window in WINDOWS:
        assert ids(board.top(window)) == ["stays"]
        assert ids(board.top(window, "politik")) == ["stays"]
    assert board.explain("gone") is None
    assert board.record("gone", "Politik", "share_click") is False
    assert ids(board.top()) == ["stays"]

    board.restore("gone")
    assert board.record("gone", "Politik", "view") is True
    assert board.score("gone") == pytest.approx(board.config.weights["view"])


def test_prune_drops_idle_articles(board: Trending, clock: Clock) -> None:
    board.record("idle", "Sport", "view", count=50)
    clock.advance(board.config.retention_s - HOUR)
    board.record("busy", "Sport", "view")
    clock.advance(2 * HOUR)
    assert board.prune() == 1
    assert ids(board.top("week")) == ["busy"]
    assert ids(board.top("week", "sport")) == ["busy"]
    assert board.record("idle", "Sport", "view") is True  # pruned, not blocked


def test_unknown_window_is_refused(board: Trending) -> None:
    with pytest.raises(ValueError, match="unknown trending window"):
        board.top("month")


def test_a_record_survives_a_lost_script(board: Trending) -> None:
    board.record("a", "", "view")
    board._record.sha = "0" * 40  # as after a Redis restart (no SCRIPT FLUSH on a shared server)
    assert board.record("a", "", "view") is True
    assert board.score("a") == pytest.approx(2 * board.config.weights["view"])
