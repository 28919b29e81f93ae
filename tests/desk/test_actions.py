"""The desk's actions on issue 10's real code (``Container.managers``): reshare from the Article
page (refused in the cooldown with its end, forced, scheduled), the Calendar with "Cancel" and
the evergreen rotation's picks, "Retry" on the Attention page (articles' and reshares'
deliveries), each action audited under the signed-in token's name, and the Audit page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from redis import Redis

from distributor.desk.pages import local_time
from distributor.desk.reshares import WHEN
from distributor.keys import Keys
from distributor.local.runner import EXAMPLE_ROUTING
from distributor.models import DeliveryState
from distributor.publishing.reshares.records import TargetStatus
from distributor.queue import names
from distributor.wiring import Container
from tests.support.desk import CHIEF, RESHARER, VIEWER, article_now, csrf_in, record, sign_in
from tests.support.intake import queued_tasks

Desk = Callable[..., tuple[TestClient, Container]]
DELIVER_QUEUES = (names.deliver_queue("telegram"), names.deliver_queue("x"))


def _flash(html: str) -> list[str]:
    """The lines of the message left by the last action."""
    found = re.search(r'<div class="flash[^"]*" role="status">(.*?)</div>', html, re.S)
    assert found is not None, "no message on the page"
    lines = re.findall(r"<(?:p|li)>(.*?)</(?:p|li)>", found.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", line).strip() for line in lines]


def _queued(redis: Redis, keys: Keys) -> list[tuple[str, dict[str, Any]]]:
    return [(t["task"], t["kwargs"]) for q in DELIVER_QUEUES for t in queued_tasks(redis, keys, q)]


def _audited(container: Container) -> list[tuple[str, str, str, str]]:
    return [(e.actor, e.action, e.target, e.outcome) for e in container.audit.read()]


def test_a_reshare_in_the_cooldown_is_refused_with_its_end_and_forcing_posts_it(
    make_desk: Desk, redis_client: Redis, keys: Keys
) -> None:
    client, container = make_desk()
    record(container, article_now("story-1"), {"tg-main": "sent:9", "x-main": "sent:1234"})
    sign_in(client, CHIEF)
    page = client.get("/manage/articles/story-1").text
    form = page.split('class="card reshare"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'name="destinations" value="([a-z-]+)" checked', form) == [
        "tg-main", "x-main"]  # fmt: skip
    assert "Ignore cooldown" in form and ">Reshare</button>" in form
    data = {"csrf_token": csrf_in(page), "destinations": ["tg-main", "x-main"]}
    refused = _flash(client.post("/manage/articles/story-1/reshare", data=data).text)
    zone = ZoneInfo(container.settings.timezone)
    ends = [local_time(container.ledger.last_post_at("story-1", d) + 6 * 3600, zone.key, WHEN)
            for d in ("tg-main", "x-main")]  # fmt: skip
    assert refused == ["Not reshared: no destination takes it now.",
                       f"tg-main: refused, cooldown until {ends[0]}",
                       f"x-main: refused, cooldown until {ends[1]}",
                       "Tick “Ignore cooldown” to post anyway."]  # fmt: skip
    assert _queued(redis_client, keys) == []
    assert container.reshares.calendar(0, container.clock() + 100 * 86_400) == []  # nothing kept

    data.update(force="true", text="Masih hangat")
    done = client.post("/manage/articles/story-1/reshare", data=data, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/manage/articles/story-1"
    page = client.get("/manage/articles/story-1").text
    lines = _flash(page)
    reshare_id = re.fullmatch(r"Reshare (rs_[0-9a-f]{16}) accepted:", lines[0])
    assert reshare_id is not None
    rid = reshare_id.group(1)
    assert lines[1:] == ["tg-main: going out now", "x-main: going out now"]
    assert sorted(_queued(redis_client, keys), key=lambda q: q[1]["destination"]) == [
        (names.DELIVER_RESHARE, {"reshare_id": rid, "destination": "tg-main"}),
        (names.DELIVER_RESHARE, {"reshare_id": rid, "destination": "x-main"}),
    ]
    row = page.split(f'data-reshare="{rid}"', 1)[1].split("</tr>", 1)[0]  # listed on the page
    assert "led by “Masih hangat”" in row and "cooldown ignored" in row and ">Cancel<" not in row
    assert _audited(container) == [
        ("chief", "reshare.create", "story-1", "ok"),
        ("chief", "reshare.create", "story-1", "refused"),
    ]


def test_a_scheduled_reshare_is_on_the_calendar_and_cancelled_in_place(
    make_desk: Desk, redis_client: Redis, keys: Keys
) -> None:
    client, container = make_desk()
    record(container, article_now("story-2", title="Banjir surut"), {"tg-main": "sent:3"})
    sign_in(client, CHIEF)
    zone = ZoneInfo(container.settings.timezone)
    at = (datetime.now(zone) + timedelta(hours=7)).replace(second=0, microsecond=0)
    page = client.get("/manage/articles/story-2").text
    data = {"csrf_token": csrf_in(page), "destinations": ["tg-main"],
            "at": at.strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    lines = _flash(client.post("/manage/articles/story-2/reshare", data=data).text)
    assert lines[1:] == [f"tg-main: scheduled for {at.strftime(WHEN)}"]
    assert _queued(redis_client, keys) == []  # it waits for its time
    [reshare] = container.reshares.calendar(0, at.timestamp() + 1)
    assert reshare.targets[0].at is not None and reshare.targets[0].at.timestamp() == at.timestamp()

    week = f"/manage/calendar?week={at.date().isoformat()}"
    calendar = client.get(week).text
    day = calendar.split(f'id="day-{at.date().isoformat()}"', 1)[1].split("</section>", 1)[0]
    row = day.split(f'data-reshare="{reshare.id}"', 1)[1].split("</tr>", 1)[0]
    assert at.strftime("%H:%M") in row and "Banjir surut" in row
    assert 'data-state="scheduled" data-destination="tg-main"' in row and ">Cancel</button>" in row
    cancel = {"csrf_token": csrf_in(calendar), "next": week}
    done = client.post(f"/manage/reshares/{reshare.id}/cancel", data=cancel,
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == week
    calendar = client.get(week).text
    assert _flash(calendar) == [f"Reshare {reshare.id} cancelled: tg-main."]
    row = calendar.split(f'data-reshare="{reshare.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-state="cancelled"' in row and ">Cancel</button>" not in row
    again = _flash(client.post(f"/manage/reshares/{reshare.id}/cancel", data=cancel).text)
    assert again == [f"Not cancelled: reshare {reshare.id} has nothing left to cancel: "
                     "it has started."]  # fmt: skip
    cancelled = container.reshares.get(reshare.id)
    assert cancelled is not None and cancelled.targets[0].status is TargetStatus.CANCELLED
    assert [a for a in _audited(container) if a[1] == "reshare.cancel"] == [
        ("chief", "reshare.cancel", reshare.id, "refused"),
        ("chief", "reshare.cancel", reshare.id, "ok"),
    ]


def test_the_calendar_marks_the_evergreen_rotations_picks(make_desk: Desk, tmp_path: Path) -> None:
    routing = tmp_path / "routing.toml"
    routing.write_text(EXAMPLE_ROUTING.read_text() + "\n".join([
        "[reshare.tg-main]", "cooldown_h = 0",
        "[evergreen.tg-main]", "interval_h = 4", "min_age_days = 3", "max_age_days = 60",
        "pause_after_fresh_min = 0", "",
    ]))  # fmt: skip
    client, container = make_desk(routing_file=routing)
    old = article_now("old-1", title="Pilkada ulang", published_at=datetime.now(ZoneInfo("UTC"))
                      - timedelta(days=10))  # fmt: skip
    record(container, old, {"tg-main": "sent:5"})
    [decision] = container.evergreen.tick()
    assert decision.picked == "old-1" and decision.reshare_id is not None
    sign_in(client, CHIEF)
    calendar = client.get("/manage/calendar").text
    row = calendar.split(f'data-reshare="{decision.reshare_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="evergreen"' in calendar.split(f'data-reshare="{decision.reshare_id}"', 1)[1][:30]
    assert "Pilkada ulang" in row and ">evergreen</span>" in row
    assert "evergreen rotation" in row and 'data-state="queued"' in row
    rotation = calendar.split('id="rotation-h"', 1)[1].split("</section>", 1)[0]
    next_slot = local_time(container.clock() + 4 * 3600, container.settings.timezone,
                           "%a %d %b %H:%M")  # fmt: skip
    assert "<strong>tg-main</strong>: every 4 h, an article 3–60 days old" in rotation
    assert f"next slot from <strong>{next_slot}</strong>" in rotation


def test_retry_sends_a_failed_delivery_again_and_a_reshares_too(
    make_desk: Desk, redis_client: Redis, keys: Keys
) -> None:
    client, container = make_desk()
    record(container, article_now("story-3"), {"tg-main": "failed:400 Bad Request: chat not found",
                                               "x-main": "sent:77"})  # fmt: skip
    answer = container.managers.reshare("chief", "story-3", destinations=["x-main"], force=True)
    claim = container.ledger.claim("story-3", "x-main", 1, reshare=answer.reshare_id)
    assert claim is not None
    container.ledger.record_failed(claim, "403 Forbidden: You are not allowed to create a Tweet")
    for queue in DELIVER_QUEUES:
        redis_client.delete(keys.queue(queue))
    sign_in(client, CHIEF)
    page = client.get("/manage/attention").text
    rows = page.split('aria-labelledby="failed-h"', 1)[1]
    assert rows.index(f'data-failed="story-3/x-main/{answer.reshare_id}"') < rows.index(
        'data-failed="story-3/tg-main/1"')  # newest first  # fmt: skip
    assert "400 Bad Request: chat not found" in rows and "not allowed to create a Tweet" in rows
    retry = {"csrf_token": csrf_in(page), "article_id": "story-3", "destination": "tg-main",
             "revision": "1"}  # fmt: skip
    assert _flash(client.post("/manage/attention/retry", data=retry).text) == [
        "story-3 → tg-main: sent again (pending)."]  # fmt: skip
    again = {**retry, "destination": "x-main", "reshare_id": answer.reshare_id}
    assert _flash(client.post("/manage/attention/retry", data=again).text) == [
        f"story-3 → x-main (reshare {answer.reshare_id}): sent again (pending)."]  # fmt: skip
    for where in (("tg-main", 1, ""), ("x-main", 1, answer.reshare_id)):
        found = container.ledger.get("story-3", *where)
        assert found is not None and found.state is DeliveryState.PENDING and found.attempts == 0
    [(_, kwargs)] = [q for q in _queued(redis_client, keys) if q[0] == names.DELIVER]
    assert (kwargs["article"]["id"], kwargs["destination"]) == ("story-3", "tg-main")
    assert (names.DELIVER_RESHARE, {"reshare_id": answer.reshare_id, "destination": "x-main"}) in (
        _queued(redis_client, keys))  # fmt: skip
    twice = _flash(client.post("/manage/attention/retry", data=retry).text)
    assert twice == ["Not retried: delivery is pending, not failed."]
    assert "No failures." in client.get("/manage/attention").text
    assert [a for a in _audited(container) if a[1] == "delivery.retry"] == [
        ("chief", "delivery.retry", "story-3/tg-main/r1", "refused"),
        ("chief", "delivery.retry", f"story-3/x-main/{answer.reshare_id}", "ok"),
        ("chief", "delivery.retry", "story-3/tg-main/r1", "ok"),
    ]


def test_actions_beyond_the_tokens_scopes_are_refused_and_audited(make_desk: Desk) -> None:
    client, container = make_desk()
    record(container, article_now("story-4"), {"tg-main": "failed:400 chat not found"})
    sign_in(client, VIEWER)  # reads, may neither retry nor reshare
    page = client.get("/manage/attention").text
    assert ">Retry</button>" not in page
    retry = {"csrf_token": csrf_in(page), "article_id": "story-4", "destination": "tg-main",
             "revision": "1"}  # fmt: skip
    assert client.post("/manage/attention/retry", data=retry).status_code == 403
    data = {"csrf_token": csrf_in(page), "destinations": ["tg-main"], "force": "true"}
    assert client.post("/manage/articles/story-4/reshare", data=data).status_code == 403
    failed = container.ledger.get("story-4", "tg-main", 1)
    assert failed is not None and failed.state is DeliveryState.FAILED
    assert _audited(container) == [
        ("viewer", "access", "POST /manage/articles/story-4/reshare", "forbidden"),
        ("viewer", "access", "POST /manage/attention/retry", "forbidden"),
    ]
    client.cookies.clear()
    sign_in(client, RESHARER)  # may reshare (and so ignore the cooldown), may not read
    calendar = client.get("/manage/calendar").text
    data["csrf_token"] = csrf_in(calendar)
    done = client.post("/manage/articles/story-4/reshare", data=data, follow_redirects=False)
    assert done.headers["location"] == "/manage/calendar"  # the article page is beyond it
    assert _flash(client.get("/manage/calendar").text) == [
        "Not reshared: no destination takes it now.",
        "tg-main: refused, not posted there",
    ]


def test_the_audit_page_shows_who_did_what_filtered_by_who_and_action(make_desk: Desk) -> None:
    client, container = make_desk()
    record(container, article_now("story-5"), {"tg-main": "sent:1"})
    container.managers.reshare("chief", "story-5", force=True)
    container.managers.create_token("cli:ana", "evening-desk", ["reshare"], 3600)
    sign_in(client, CHIEF)
    everything = client.get("/manage/audit").text
    assert everything.count("<tr data-action=") == 2
    assert everything.index('data-action="token.create"') < everything.index(
        'data-action="reshare.create"')  # newest first  # fmt: skip
    only = client.get("/manage/audit", params={"actor": "chief", "action": "reshare."}).text
    assert only.count("<tr data-action=") == 1 and "story-5" in only and "(forced)" in only
    assert 'value="reshare." selected' in only and 'value="chief"' in only
    none = client.get("/manage/audit", params={"actor": "cli:ana", "action": "reshare."}).text
    assert "Nothing matches." in none
    for days, caption in (("1", "in the last day"), ("0", "ever")):
        window = client.get("/manage/audit", params={"days": days}).text
        assert window.count("<tr data-action=") == 2 and f"Manager actions {caption}" in window
    for bad in ({"action": "<script>"}, {"days": "-1"}, {"actor": "x" * 65}):
        assert client.get("/manage/audit", params=bad).status_code == 422


def test_revoking_a_token_or_changing_its_scopes_ends_its_desk_sessions(
    make_desk: Desk,
) -> None:
    client, container = make_desk()
    plain, _ = container.managers.create_token("cli:ana", "evening-desk",
                                               ["deliveries:read", "reshare"], 3600)  # fmt: skip
    assert sign_in(client, plain).status_code == 303
    assert client.get("/manage", follow_redirects=False).status_code == 200
    container.managers.revoke_token("cli:ana", "evening-desk")
    gone = client.get("/manage", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/manage/sign-in")
    [revoked] = [e for e in container.audit.read() if e.action == "token.revoke"]
    assert revoked.actor == "cli:ana" and revoked.detail.endswith("1 desk session ended")
    assert not list(container.redis.scan_iter(container.keys.desk_session("*")))

    client.cookies.clear()
    assert sign_in(client, CHIEF).status_code == 303  # an environment token
    assert client.get("/manage", follow_redirects=False).status_code == 200
    chief = next(t for t in container.settings.tokens if t.name == "chief")
    narrower = chief.model_copy(update={"scopes": frozenset({"deliveries:read"})})
    restarted, _ = make_desk(tokens=[narrower])  # the service restarted with other scopes
    restarted.cookies.update(dict(client.cookies))
    ended = restarted.get("/manage", follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"].startswith("/manage/sign-in")
    assert not list(container.redis.scan_iter(container.keys.desk_session("*")))
