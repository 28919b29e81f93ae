"""The feed watcher against a WordPress-shaped REST endpoint over real HTTP, on real Redis,
queueing through the real intake path (tests/integrations/test_wordpress.py runs it against a
real WordPress)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis

from distributor.intake.adapters import decode_event
from distributor.intake.service import accept_event
from distributor.intake.watcher import PollResult, Watcher
from distributor.keys import Keys
from distributor.publishing.ledger import Ledger
from distributor.wiring import Container
from tests.support.clock import Clock
from tests.support.intake import api_services, free_port, live_server, make_settings, queued_tasks
from tests.support.wp_site import APP_PASSWORD, USER, FakeSite

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SINCE = T0 - timedelta(hours=1)
INTERVAL = 60.0


@dataclass
class Watched:
    """A fake site, the service's intake on the test Redis, and a watcher between them."""

    site: FakeSite
    services: Container
    clock: Clock
    url: str
    client: httpx.Client

    def watcher(self, *, authenticated: bool = False, url: str | None = None) -> Watcher:
        auth = httpx.BasicAuth(USER, APP_PASSWORD) if authenticated else None
        return Watcher(
            self.services, self.client, url or self.url, auth=auth,
            interval_s=INTERVAL, per_page=3, lookback_s=300, clock=self.clock,
        )  # fmt: skip

    def poll(self, **kwargs: bool) -> PollResult:
        return self.watcher(**kwargs).poll(SINCE)

    def queued(self) -> list[tuple[str, str]]:
        """(event type, article id) of every queued fan-out, oldest first (kombu LPUSHes)."""
        tasks = queued_tasks(self.services.redis, self.services.keys)
        events = [t["kwargs"]["event"] for t in tasks]
        return [(e["type"], e["article"]["id"]) for e in reversed(events)]


@pytest.fixture
def watched(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[Watched]:
    site = FakeSite()
    with (
        live_server(site.app()) as server,
        api_services(make_settings(redis_url, keys)) as services,
        httpx.Client(timeout=5) as client,
    ):
        yield Watched(site, services, Clock(T0.timestamp()), server.url, client)


def test_the_first_pass_pages_through_every_post_and_the_second_sends_nothing(
    watched: Watched,
) -> None:
    for n in range(1, 8):
        watched.site.put(n, T0 + timedelta(seconds=n))

    first = watched.poll()
    assert first.error is None and first.report is not None
    assert (first.report.fetched, first.report.sent, first.report.duplicates) == (7, 7, 0)
    assert first.report.cursor == "2026-03-02T08:00:07"
    assert watched.queued() == [("article.published", str(n)) for n in range(1, 8)]
    assert [r["page"] for r in watched.site.requests] == ["1", "2", "3"]
    assert {r["orderby"] + " " + r["order"] for r in watched.site.requests} == {"modified asc"}
    assert watched.site.requests[0]["modified_after"] == "2026-03-02T07:00:00Z"

    second = watched.poll()
    assert second.report is not None
    assert (second.report.sent, second.report.skipped) == (0, 7)  # re-read within the lookback
    assert watched.site.requests[-1]["modified_after"] == "2026-03-02T07:55:07Z"
    assert len(watched.queued()) == 7


def test_an_edit_is_sent_as_an_update_and_a_post_saved_in_the_cursors_second_is_not_lost(
    watched: Watched,
) -> None:
    watched.site.put(1, T0, published=T0)
    watched.site.put(2, T0 + timedelta(seconds=5))
    watched.poll()

    watched.site.put(1, T0 + timedelta(seconds=30), published=T0)  # edited
    watched.site.put(3, T0 + timedelta(seconds=5))  # committed late, in the cursor's second
    report = watched.poll().report
    assert report is not None and report.sent == 2
    assert watched.queued()[2:] == [("article.published", "3"), ("article.updated", "1")]


def test_a_quiet_site_keeps_the_window_open_from_where_the_first_pass_began(
    watched: Watched,
) -> None:
    empty = watched.poll().report
    assert empty is not None and empty.fetched == 0
    watched.clock.advance(3600)
    watched.watcher().poll()  # no ``since`` now: the stored cursor decides
    assert [r["modified_after"] for r in watched.site.requests] == ["2026-03-02T07:00:00Z"] * 2


def test_a_post_the_webhook_already_brought_is_a_duplicate(watched: Watched) -> None:
    post = watched.site.put(1, T0)
    from_webhook = decode_event(json.dumps(post).encode())
    assert accept_event(from_webhook, watched.services) == (from_webhook.event_id, False)

    report = watched.poll().report
    assert report is not None and (report.sent, report.duplicates) == (0, 1)
    assert len(watched.queued()) == 1


def test_unpublished_posts_are_read_with_credentials_and_sent_where_something_was_posted(
    watched: Watched,
) -> None:
    watched.site.put(1, T0, status="trash")  # never out: nothing to take down
    watched.site.put(2, T0 + timedelta(seconds=1), status="private")
    watched.site.put(3, T0 + timedelta(seconds=2), status="draft")
    Ledger(watched.services.redis, watched.services.keys).ensure_all("2", ["tg-main"], 1)

    anonymous = watched.poll()
    assert anonymous.report is not None and anonymous.report.fetched == 0
    assert watched.site.requests[-1]["status"] == "publish"

    report = watched.poll(authenticated=True).report
    assert watched.site.requests[-1]["status"] == "publish,future,draft,pending,private,trash"
    assert report is not None and (report.fetched, report.sent, report.skipped) == (3, 1, 2)
    assert watched.queued() == [("article.unpublished", "2")]


def test_a_post_intake_refuses_is_reported_and_the_others_go(watched: Watched) -> None:
    watched.site.put(1, T0)
    watched.site.put(2, T0 + timedelta(seconds=1))["link"] = "javascript:alert(1)"
    watched.site.put(3, T0 + timedelta(seconds=2))

    report = watched.poll().report
    assert report is not None and report.sent == 2
    assert len(report.refused) == 1 and report.refused[0].startswith("2: WordPress post: link")
    assert [article for _, article in watched.queued()] == ["1", "3"]


def test_a_429_is_honoured_the_site_is_left_alone_until_then_and_the_cursor_holds(
    watched: Watched,
) -> None:
    watched.site.put(1, T0)
    watched.site.faults.append((429, {"Retry-After": "600"}))

    refused = watched.poll()
    assert refused.report is None and refused.error is not None and "429" in refused.error
    assert refused.next_in_s >= 600
    asked = len(watched.site.requests)

    watched.clock.advance(300)
    waiting = watched.poll()
    assert (waiting.report, waiting.error) == (None, "backing off")
    assert len(watched.site.requests) == asked  # not asked again before Retry-After

    watched.clock.advance(refused.next_in_s)
    report = watched.poll().report
    assert report is not None and report.sent == 1
    assert watched.site.requests[-1]["modified_after"] == "2026-03-02T07:00:00Z"


def test_an_unreachable_site_is_retried_after_a_growing_backoff(watched: Watched) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    first = watched.poll(url=down)
    assert first.error is not None and "did not answer" in first.error
    assert INTERVAL / 2 <= first.next_in_s <= INTERVAL

    watched.clock.advance(first.next_in_s)
    second = watched.poll(url=down)
    assert INTERVAL <= second.next_in_s <= 2 * INTERVAL

    watched.site.faults.append((503, {}))
    assert "503" in str(watched.poll().error)  # another site: its own state, no backoff yet
