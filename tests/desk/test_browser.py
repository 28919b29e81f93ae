"""The desk in a real browser (Debian's Chromium), on the real spine: the API served over
HTTP, `distributor worker` processes, the sandbox. Every page is screenshotted to
var/screenshots and checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
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

        # a doubt (the answer to sendPhoto lost) and a refusal (the bot was removed)
        spine.sandbox.fault(
            platform="telegram", method="sendPhoto", kind="server_error", status=502
        )
        politik = chat_for_target("@visualjambi_politik").id
        httpx.patch(f"{spine.sandbox.url}/sandbox/telegram/chats/{politik}",
                    json={"bot_removed": True}).raise_for_status()  # fmt: skip
        assert spine.publish(_event("desk-2", "Rapat anggaran", "Politik")).status_code == 202
        wait_until(lambda: _state(spine, "desk-2", "tg-main") is DeliveryState.IN_DOUBT
                   and _state(spine, "desk-2", "tg-politik") is DeliveryState.FAILED,
                   timeout=60, what="one delivery in doubt, one failed")  # fmt: skip
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
        titles = [
            m.get("caption") or m.get("text") or "" for m in spine.sandbox.messages("@visualjambi")
        ]
        assert sum("Rapat anggaran" in t for t in titles) == 1

        for name in ("Trending", "Sandbox", "Calendar", "Readers", "Audit"):
            page.get_by_role("navigation", name="Pages").get_by_role("link", name=name).click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(name)
            look(page, name.lower())
            if name == "Trending":
                expect(page.get_by_role("link", name="Jembatan baru dibuka").first).to_be_visible()
            if name == "Sandbox":
                expect(page.locator(".tg-text strong", has_text="Rapat anggaran")).to_have_count(1)

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
