"""The evergreen rotation over a simulated week (a moved clock, a tick every five minutes):
picks follow the record, keep the interval, the no-repeat window, quiet hours and pauses after
a fresh article, and after a 12-hour outage one slot's worth goes out, not the backlog."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.manage.evergreen import Record
from tests.support.reshares import ROUTING, TZ, Desk, reshare_desk

HOUR, DAY, TICK = 3600.0, 86_400.0, 300.0
SCORES = {f"a{i:02d}": 200 - 10 * i for i in range(1, 21)}  # more than a window's worth
VIRAL = "a20"  # the weakest, until it leads from day three on


@pytest.fixture
def desk(redis_client: Redis, keys: Keys) -> Iterator[Desk]:
    uncapped = ROUTING.replace("daily_cap = 3\n", "")  # the cap is tested with reshares
    with reshare_desk(redis_client, keys, uncapped) as desk:
        for age, (article_id, score) in enumerate(SCORES.items(), start=6):
            desk.article(article_id, age_days=age, category="Politik" if age % 2 else "Bisnis")
            desk.records[article_id] = Record(clicks=score)
        desk.article("sport", age_days=6, category="Olahraga")  # not a rotation category
        desk.article("old", age_days=90)  # too old
        desk.article("elsewhere", age_days=7)  # never posted at tg-main
        desk.records.update({a: Record(clicks=1000) for a in ("sport", "old", "elsewhere")})
        desk.clock.advance(-10 * DAY)
        for article_id in [*SCORES, "sport", "old"]:
            desk.post(article_id, "tg-main", str(len(article_id) * 1000 + ord(article_id[-1])))
        desk.clock.advance(10 * DAY)
        yield desk


def _local(t: float) -> datetime:
    return datetime.fromtimestamp(t, TZ)


def test_a_simulated_week_follows_the_record_and_every_rule(desk: Desk) -> None:
    start, picks, fresh = desk.clock.now, list[tuple[float, str]](), list[float]()
    viral_at = start + 3 * DAY
    outage = (datetime(2024, 1, 27, 6, tzinfo=TZ).timestamp(),
              datetime(2024, 1, 27, 18, tzinfo=TZ).timestamp())  # fmt: skip
    while desk.clock.now < start + 7 * DAY:
        now = desk.clock.now
        local = _local(now)
        if local.hour == 12 and local.minute < 5:  # a new article every noon
            desk.post(f"fresh-{local:%m%d}", "tg-main", str(int(now)))
            fresh.append(now)
        if now >= viral_at:
            desk.records[VIRAL] = Record(clicks=120, shares=300, engagement=80)
        if not outage[0] <= now < outage[1]:
            for decision in desk.evergreen.tick():
                if decision.picked is not None:
                    picks.append((now, decision.picked))
        desk.clock.advance(TICK)

    assert len(picks) >= 35
    times = [t for t, _ in picks]
    assert all(b - a >= 3 * HOUR for a, b in itertools.pairwise(times))  # interval
    for t, article_id in picks:
        hour = _local(t).hour
        assert 6 <= hour < 22, f"{article_id} picked at {_local(t)} in quiet hours"
        assert not any(0 <= t - f < 45 * 60 for f in fresh), f"{article_id} during a pause"
        assert article_id in SCORES  # never out of the category or age window, nor elsewhere
        earlier = [p for p, a in picks if a == article_id and p < t]
        assert all(t - p >= 3 * DAY for p in earlier), f"{article_id} repeated within 3 days"
    # by the record: each pick is the best article not picked in the last three days
    for t, article_id in picks:
        recent = {a for p, a in picks if t - 3 * DAY < p < t}
        scores = {**SCORES, VIRAL: 500 if t >= viral_at else SCORES[VIRAL]}
        best = max((a for a in scores if a not in recent), key=lambda a: scores[a])
        assert article_id == best, f"{_local(t)}: picked {article_id}, best was {best}"
    assert [a for _, a in picks[:3]] == ["a01", "a02", "a03"]
    assert next(a for t, a in picks if t >= viral_at) == VIRAL
    # the outage: four slots missed; after it one pick, then the interval again (no flush)
    assert not [t for t in times if outage[0] <= t < outage[1]]
    after = [t for t in times if outage[1] <= t < outage[1] + 3 * HOUR]
    assert len(after) == 1 and after[0] - outage[1] <= TICK
    assert len(desk.sent) == len(picks)  # each pick is a reshare of its own
    audited = desk.audit.read(actor="evergreen", limit=1000)
    assert len(audited) == len(picks) and all(e.action == "evergreen.pick" for e in audited)


def test_the_dry_run_shows_the_next_picks_and_why_without_taking_a_slot(desk: Desk) -> None:
    desk.clock.now = datetime(2024, 1, 24, 9, 0, tzinfo=TZ).timestamp()
    desk.article("young", age_days=1, category="Politik")  # too young for the window
    desk.post("young", "tg-main", "99")
    desk.records["young"] = Record(clicks=1000)
    desk.clock.advance(3600)  # past the pause its post started
    [decision] = desk.evergreen.dry_run(slots=3)
    assert decision.state == "due" and "a01 scores 190" in decision.reason
    assert [a for _, a in decision.upcoming] == ["a01", "a02", "a03"]
    assert [t - decision.upcoming[0][0] for t, _ in decision.upcoming] == [0, 3 * HOUR, 6 * HOUR]
    why = {c.article_id: c.excluded for c in decision.ranked}
    assert why["elsewhere"] == "not posted here"
    assert not {"sport", "old", "young"} & set(why)  # out of the categories or the age window
    [again] = desk.evergreen.dry_run(slots=3)
    assert again.state == "due" and desk.sent == []  # nothing was taken
    desk.clock.now = datetime(2024, 1, 24, 23, 0, tzinfo=TZ).timestamp()
    [quiet] = desk.evergreen.dry_run(slots=1)
    assert quiet.state == "quiet" and _local(quiet.upcoming[0][0]).hour == 6


def test_two_ticks_at_once_take_one_slot(desk: Desk) -> None:
    desk.clock.now = datetime(2024, 1, 24, 9, 0, tzinfo=TZ).timestamp()
    first, second = desk.evergreen.tick(), desk.evergreen.tick()
    assert first[0].picked == "a01" and second[0].state == "waiting"
    assert len(desk.sent) == 1
