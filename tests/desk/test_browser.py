"""The desk in a real browser (Debian's Chromium), on the real spine: the API served over
HTTP, `distributor worker` processes, the sandbox. A manager watches a story go out, reshares
it (the posts arrive in the sandbox), schedules a reshare and cancels it on the calendar,
settles a doubt, retries a failure once its cause is fixed, and signs out. Every page is
screenshotted to var/screenshots and checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from distributor.models import DeliveryState
from distributor.sandbox.server import chat_for_target
from tests.support.browser import chromium, look, open_page
from tests.support.desk import CHIEF, DESK_TOKENS, VIEWER
from tests.support.intake import live_server
from tests.support.seed import WIB, seed_event
from tests.support.spine import Spine, wait_until


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as found:
        yield found


def _event(article_id: str, title: str, category: str = "Bisnis") -> dict[str, Any]:
    event = seed_event(article_id=article_id)
    event["article"].update(
        title=title, category=category, published_at=datetime.now(WIB).isoformat()
    )
    return event


def _sign_in(page: Page, token: str) -> None:
    page.goto("/manage")
    expect(page).to_have_url(re.compile(r"/manage/sign-in\?next="))
    page.get_by_label("Token").fill(token)
    page.get_by_label("Token").press("Enter")  # the keyboard submits the form


def _state(spine: Spine, article_id: str, destination: str) -> DeliveryState | None:
    found = spine.deliveries(article_id).get(destination)
    return found.state if found else None


def _posts(spine: Spine, target: str, words: str) -> int:
    """How many Telegram messages in the chat of ``target`` carry ``words``."""
    found = spine.sandbox.messages(target)
    return sum(words in (m.get("caption") or m.get("text") or "") for m in found)


def _reshare_and_cancel(page: Page, spine: Spine) -> None:
    """On the article's page: reshare it now with a line of our own (its cooldown ignored) and
    see the posts arrive; schedule another and cancel it in place on the calendar."""
    form = page.locator("form.reshare")
    form.get_by_label("A line to lead the post").fill("Masih hangat dibaca")
    form.get_by_label("Ignore cooldown").check()
    form.get_by_role("button", name="Reshare").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("accepted")
    expect(status).to_contain_text("tg-main: going out now")
    wait_until(lambda: _posts(spine, "@visualjambi", "Masih hangat dibaca") == 1
               and [t for t in spine.sandbox.tweets() if t["text"].startswith("Masih hangat")],
               timeout=60, what="the reshare posted on Telegram and X")  # fmt: skip
    assert _posts(spine, "@visualjambi", "Jembatan baru dibuka") == 2  # the original, the reshare
    page.reload()
    shared = page.locator("table.reshares tbody tr").first
    for destination in ("tg-main", "x-main"):
        chip = shared.locator(f'[data-destination="{destination}"]')
        expect(chip).to_have_attribute("data-state", "sent")
    look(page, "article-reshared")

    later = (datetime.now(WIB) + timedelta(hours=9)).replace(second=0, microsecond=0)
    form.get_by_label("When").fill(later.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_role("button", name="Reshare").click()
    expect(status).to_contain_text(f"tg-main: scheduled for {later:%a %d %b %H:%M}")
    page.goto(f"/manage/calendar?week={later.date().isoformat()}")
    day = page.locator(f'section[aria-labelledby="day-{later.date().isoformat()}"]')
    planned = day.locator("tbody tr").filter(has_text=f"{later:%H:%M}")
    expect(planned.locator('[data-destination="x-main"]')).to_have_attribute(
        "data-state", "scheduled"
    )
    planned.get_by_role("button", name="Cancel").click()
    expect(status).to_contain_text("cancelled: tg-main, x-main")
    for destination in ("tg-main", "x-main"):
        chip = planned.locator(f'[data-destination="{destination}"]')
        expect(chip).to_have_attribute("data-state", "cancelled")
    expect(planned.get_by_role("button", name="Cancel")).to_have_count(0)


def test_a_manager_watches_a_story_go_out_settles_a_doubt_and_signs_out(
    make_spine: Callable[..., Spine], browser: Browser
) -> None:
    spine = make_spine(tokens=DESK_TOKENS)
    spine.worker()
    with live_server(spine.api.app) as server:
        page = open_page(browser, server.url)
        page.goto("/manage/sign-in")
        look(page, "sign-in")
        page.get_by_label("Token").fill("not-a-token")
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("alert")).to_have_text("That token is not valid.")
        _sign_in(page, CHIEF)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Today")

        # publish through the API while the page is open: the chips turn "sent" by themselves
        assert spine.publish(_event("desk-1", "Jembatan baru dibuka")).status_code == 202
        row = page.locator('tr[data-article="desk-1"]')
        for destination in ("tg-main", "x-main"):
            chip = row.locator(f'[data-destination="{destination}"]')
            expect(chip).to_have_attribute("data-state", "sent", timeout=60_000)
        expect(row.locator('[data-destination="tg-main"] a')).to_have_text("sent (open the post)")
        look(page, "today")

        row.get_by_role("link", name="Jembatan baru dibuka").click()
        telegram = page.locator(".tg").first
        expect(telegram.locator(".tg-text strong")).to_have_text("Jembatan baru dibuka")
        expect(telegram.get_by_role("link", name=re.compile("Baca selengkapnya"))).to_be_visible()
        expect(telegram.get_by_role("img", name="The article's photo")).to_have_count(1)
        expect(page.locator(".x-post .x-text")).to_contain_text("Jembatan baru dibuka")
        look(page, "article")
        _reshare_and_cancel(page, spine)

        # a doubt (the answer to sendPhoto lost), then a refusal (the bot was removed): one
        # article each, so that the fault can only meet the first one's post
        spine.sandbox.fault(
            platform="telegram", method="sendPhoto", kind="server_error", status=502
        )
        assert spine.publish(_event("desk-2", "Rapat anggaran")).status_code == 202
        wait_until(lambda: _state(spine, "desk-2", "tg-main") is DeliveryState.IN_DOUBT,
                   timeout=60, what="a delivery in doubt")  # fmt: skip
        politik = chat_for_target("@visualjambi_politik").id
        httpx.patch(f"{spine.sandbox.url}/sandbox/telegram/chats/{politik}",
                    json={"bot_removed": True}).raise_for_status()  # fmt: skip
        assert spine.publish(_event("desk-3", "Sidang paripurna", "Politik")).status_code == 202
        wait_until(lambda: _state(spine, "desk-3", "tg-politik") is DeliveryState.FAILED,
                   timeout=60, what="a delivery refused")  # fmt: skip
        for network in ("facebook", "facebook", "x"):  # share clicks, for the Trending page
            httpx.get(f"{server.url}/s/desk-1/{network}", headers={"User-Agent": "Mozilla/5.0"})

        page.get_by_role("link", name="Attention").click()
        doubt = page.locator('tr[data-doubt="desk-2/tg-main/1"]')
        expect(doubt).to_contain_text("Bad Gateway")
        expect(
            page.get_by_text("Forbidden: bot is not a member of the channel chat")
        ).to_be_visible()
        look(page, "attention")
        not_posted = doubt.get_by_role("button", name="Not posted")
        not_posted.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_contain_text("recorded as not posted")
        wait_until(lambda: _state(spine, "desk-2", "tg-main") is DeliveryState.SENT,
                   timeout=60, what="the doubtful post sent again")  # fmt: skip
        assert _posts(spine, "@visualjambi", "Rapat anggaran") == 1

        # the bot is back in the channel: "Retry" sends the failed post, once
        httpx.patch(f"{spine.sandbox.url}/sandbox/telegram/chats/{politik}",
                    json={"bot_removed": False}).raise_for_status()  # fmt: skip
        failed = page.locator('tr[data-failed="desk-3/tg-politik/1"]')
        failed.get_by_role("button", name="Retry").click()
        expect(page.get_by_role("status")).to_contain_text("desk-3 → tg-politik: sent again")
        wait_until(lambda: _state(spine, "desk-3", "tg-politik") is DeliveryState.SENT,
                   timeout=60, what="the failed post sent again")  # fmt: skip
        assert _posts(spine, "@visualjambi_politik", "Sidang paripurna") == 1
        expect(failed).to_have_count(0)

        for name in ("Trending", "Sandbox", "Calendar", "Readers", "Audit"):
            page.get_by_role("navigation", name="Pages").get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(name)
            look(page, name.lower())
            if name == "Trending":
                expect(page.get_by_role("link", name="Jembatan baru dibuka").first).to_be_visible()
            if name == "Sandbox":
                for title, posts in (("Rapat anggaran", 1), ("Sidang paripurna", 2)):
                    expect(page.locator(".tg-text strong", has_text=title)).to_have_count(posts)
            if name == "Audit":  # every action above, under the signed-in token's name
                for action in ("reshare.create", "reshare.cancel", "delivery.resolve",
                               "delivery.retry"):  # fmt: skip
                    expect(page.locator(f'tr[data-action="{action}"]').first).to_contain_text(
                        "chief"
                    )

        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status")).to_have_text("You are signed out.")
        page.goto("/manage/attention")
        expect(page).to_have_url(re.compile(r"/manage/sign-in\?next=%2Fmanage%2Fattention"))


def test_a_viewer_is_refused_beyond_its_scopes_and_a_form_without_csrf_is_refused(
    make_spine: Callable[..., Spine], browser: Browser
) -> None:
    spine = make_spine(tokens=DESK_TOKENS)
    with live_server(spine.api.app) as server:
        page = open_page(browser, server.url)
        _sign_in(page, VIEWER)
        expect(page.get_by_role("link", name="Calendar")).to_have_count(0)  # hidden...
        response = page.goto("/manage/calendar")  # ...and refused
        assert response is not None and response.status == 403
        expect(page.get_by_role("alert")).to_contain_text("lacks the scope “reshare”")
        look(page, "refused")
        page.goto("/manage")
        forged = page.evaluate(
            """async () => (await fetch('/manage/sign-out', {method: 'POST',
                 headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                 body: 'csrf_token='})).status"""
        )
        assert forged == 403
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # still signed in
