"""The desk's pages on a real Redis, with records made through the real ledger and share
tracker: what each page shows, and the Attention page settling deliveries."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from distributor.models import DeliveryState
from distributor.queue import names
from distributor.wiring import Container
from tests.support.desk import BOSS, article_now, csrf_in, record, sign_in
from tests.support.intake import queued_tasks
from tests.support.shares import click

Desk = Callable[..., tuple[TestClient, Container]]


def _chips(html: str, article_id: str) -> dict[str, str]:
    """Destination → state of the chips in one article's row."""
    row = html.split(f'data-article="{article_id}"', 1)[1].split("</tr>", 1)[0]
    found = re.findall(r'data-state="([a-z_]+)" data-destination="([a-z0-9_-]+)"', row)
    return {destination: state for state, destination in found}


def test_today_lists_the_days_articles_newest_first_with_a_chip_per_destination(
    make_desk: Desk,
) -> None:
    client, container = make_desk()
    now = datetime.now(UTC)
    older = article_now("older", published_at=now - timedelta(minutes=30), title="Older story")
    newer = article_now("newer", published_at=now, title="Newer story")
    record(container, older, {"tg-main": "sent:41", "x-main": "failed:403 duplicate content"})
    record(container, newer, {"tg-main": "in_doubt:502 Bad Gateway", "x-main": "pending"})
    yesterday = article_now("yesterday", published_at=now - timedelta(days=2))
    record(container, yesterday, {"tg-main": "sent:7"})
    sign_in(client, BOSS)
    page = client.get("/manage")
    assert page.status_code == 200
    assert page.text.index("Newer story") < page.text.index("Older story")
    assert "yesterday" not in page.text
    assert _chips(page.text, "older") == {"tg-main": "sent", "x-main": "failed"}
    assert _chips(page.text, "newer") == {"tg-main": "in_doubt", "x-main": "pending"}
    assert "403 duplicate content" in page.text and "502 Bad Gateway" in page.text
    assert 'href="https://t.me/visualjambi/41"' in page.text  # the sent post, linked
    rows = client.get("/manage/today/rows")
    assert rows.status_code == 200 and "<html" not in rows.text and "Newer story" in rows.text
    assert rows.headers["server-timing"].startswith("app;dur=")
    empty = client.get("/manage", params={"day": "2001-01-01"})
    assert "No article was published on this day." in empty.text
    assert "The newest article was published on" in empty.text


def test_the_article_page_shows_the_posts_as_the_apps_do_the_shares_and_the_history(
    make_desk: Desk,
) -> None:
    client, container = make_desk()
    article = article_now("story-1")
    record(container, article, {"tg-main": "sent:9", "x-main": "sent:1234"})
    at = container.clock()  # two people on facebook, one of them on whatsapp too
    who = (("203.0.113.9", "facebook"), ("198.51.100.4", "facebook"), ("203.0.113.9", "whatsapp"))
    container.shares.record_clicks([click(article, net, address, at) for address, net in who])
    sign_in(client, BOSS)
    page = client.get("/manage/articles/story-1").text
    telegram = page.split('class="tg"', 1)[1].split("</figure>", 1)[0]
    assert f"<strong>{article.title}</strong>" in telegram  # bold, as Telegram parses the HTML
    assert 'class="tg-button"' in telegram and "Baca selengkapnya" in telegram  # the button
    assert 'class="tg-photo" src="https://visualjambi.com/' in telegram  # the photo
    assert '<span class="tg-link">#Rakor</span>' in telegram  # hashtags, as the app shows them
    tweet = page.split('class="x-post"', 1)[1].split("</figure>", 1)[0]
    assert ">visualjambi.com/2024/02/0…</a>" in tweet  # X's shortened link
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "3 in all: 3 share-link clicks by people" in page
    assert re.search(r"<td>2</td>\s*<td>1</td>", page)  # today: facebook 2, whatsapp 1
    assert "not on the board" not in page.split("Trending", 1)[1].split("</ul>", 1)[0]
    assert "Your token may not reshare" in page  # boss: no "reshare" scope
    assert ">Reshare</button>" not in page and "Ignore cooldown" not in page
    missing = client.get("/manage/articles/nope")
    assert missing.status_code == 404 and "No article nope" in missing.text


def test_attention_settles_in_doubt_deliveries_and_shows_failures_in_the_platforms_words(
    make_desk: Desk, keys: Any, redis_client: Any
) -> None:
    client, container = make_desk()
    first, second = article_now("doubt-1"), article_now("doubt-2")
    record(container, first, {"tg-main": "in_doubt:timed out", "x-main": "failed:403 Forbidden"})
    record(container, second, {"tg-main": "in_doubt:502 Bad Gateway"})
    sign_in(client, BOSS)
    page = client.get("/manage/attention").text
    assert page.count(">Posted</button>") == 2 and page.count(">Not posted</button>") == 2
    failed = page.split('data-failed="doubt-1/x-main/1"', 1)[1].split("</tr>", 1)[0]
    assert "403 Forbidden" in failed and ">Retry</button>" in failed  # the ledger's failed index
    form = {"csrf_token": csrf_in(page), "article_id": "doubt-1", "destination": "tg-main",
            "revision": "1", "outcome": "posted", "message_id": "77"}  # fmt: skip
    done = client.post("/manage/attention/resolve", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/manage/attention"
    settled = container.ledger.get("doubt-1", "tg-main", 1)
    assert settled is not None and settled.state is DeliveryState.SENT
    assert settled.message_ids == ("77",)
    page = client.get("/manage/attention").text
    assert "doubt-1 → tg-main: recorded as posted (sent)." in page  # shown once
    assert "recorded as posted" not in client.get("/manage/attention").text
    again = client.post("/manage/attention/resolve", data=form)
    assert "Not changed: delivery is sent, not in_doubt" in again.text
    form.update(article_id="doubt-2", outcome="not_posted", message_id="")
    client.post("/manage/attention/resolve", data=form)
    pending = container.ledger.get("doubt-2", "tg-main", 1)
    assert pending is not None and pending.state is DeliveryState.PENDING
    # sent again straight to its platform's deliver queue, that one delivery only (no fan-out)
    assert queued_tasks(redis_client, keys) == []
    [task] = queued_tasks(redis_client, keys, names.deliver_queue("telegram"))
    assert task["task"] == names.DELIVER
    kwargs = task["kwargs"]
    assert (kwargs["article"]["id"], kwargs["article"]["revision"]) == ("doubt-2", 1)
    assert (kwargs["destination"], kwargs["action"]) == ("tg-main", "publish")
    assert queued_tasks(redis_client, keys, names.deliver_queue("x")) == []
    history = container.ledger.history("doubt-2")
    assert any("resolved by boss: not_posted" in str(h.get("reason")) for h in history)
    audited = [(e.actor, e.action, e.target, e.outcome) for e in container.audit.read()]
    assert audited == [
        ("boss", "delivery.resolve", "doubt-2/tg-main/r1", "ok"),
        ("boss", "delivery.resolve", "doubt-1/tg-main/r1", "refused"),
        ("boss", "delivery.resolve", "doubt-1/tg-main/r1", "ok"),
    ]


def test_the_readers_page_shows_readers_by_topic_their_days_and_the_pruned(
    make_desk: Desk,
) -> None:
    client, container = make_desk(sandbox=True)
    container.catalogue.learn(article_now("topics"))  # Politik, #rakor, ... become topics
    subs, counts = container.subscriptions, container.reader_counts
    for chat in (11, 12, 13):
        subs.touch(chat, "id")
    subs.subscribe(11, ["Politik"])
    yesterday = container.clock() - 86_400
    counts.record_day(container.catalogue.names(), yesterday)  # Politik: 1 reader yesterday
    subs.subscribe(12, ["Politik", "#rakor"])
    subs.subscribe(13, ["Politik"])
    assert subs.forget(13, "blocked")  # the platform took them: pruned from Politik
    assert subs.forget(11, "stopped")  # the reader left: removed, not pruned
    counts.record_day(container.catalogue.names(), container.clock())
    form = client.get("/manage/sign-in")
    client.post("/manage/demo-sign-in", data={"csrf_token": csrf_in(form.text)})
    page = client.get("/manage/readers")
    assert page.status_code == 200
    main = page.text.split("<main", 1)[1]
    assert "1 reader of the bot" in main and "1 blocked, 1 stopped." in main
    politik = main.split("<td>Politik</td>", 1)[1].split("</tr>", 1)[0]
    assert re.match(r"<td>1</td><td><svg[^>]*>.*</svg></td><td>1</td>", politik, re.S)
    assert "<td>#rakor</td><td>1</td>" in main
    [politik_row] = [t for t in counts.by_topic(container.catalogue.names(), container.clock())
                     if t.shown == "Politik"]  # fmt: skip
    assert [n for _, n in politik_row.days[-2:]] == [1, 1]  # yesterday 1; today 1 (after 3 - 2)
