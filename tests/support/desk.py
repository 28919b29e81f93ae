"""The desk under test: tokens with different scopes, signing in through the real form, and
ledger records made through the real ledger (no hand-written hashes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr

from distributor.config import ApiToken
from distributor.desk.guard import DEMO_SCOPES
from distributor.models import Article
from distributor.wiring import Container
from tests.support.seed import seed_article_dict

BOSS, VIEWER, RESHARER = "boss-token-5d8c0e1f2a", "viewer-token-77aa01bc", "resharer-token-3e9f0d"
CHIEF = "chief-token-0c4e9a7b31"  # every scope the desk checks
DESK_TOKENS = [
    ApiToken(name="boss", token=SecretStr(BOSS),
             scopes=frozenset({"deliveries:read", "deliveries:resolve"})),
    ApiToken(name="viewer", token=SecretStr(VIEWER), scopes=frozenset({"deliveries:read"})),
    ApiToken(name="resharer", token=SecretStr(RESHARER), scopes=frozenset({"reshare"})),
    ApiToken(name="chief", token=SecretStr(CHIEF), scopes=DEMO_SCOPES),
]  # fmt: skip


def csrf_in(html: str) -> str:
    """The first form's CSRF token on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def sign_in(
    client: TestClient | httpx.Client, token: str, next_path: str = "/manage"
) -> httpx.Response:
    """Fill in and send the sign-in form as a browser would (no redirect followed)."""
    form = client.get("/manage/sign-in")
    data = {"csrf_token": csrf_in(form.text), "token": token, "next": next_path}
    return client.post("/manage/sign-in", data=data, follow_redirects=False)


def article_now(article_id: str, **changes: Any) -> Article:
    """The seed article, published now (so it is on the Today page)."""
    raw = seed_article_dict(article_id)
    raw["published_at"] = datetime.now(UTC).isoformat()
    return Article.model_validate({**raw, **changes})


def record(container: Container, article: Article, outcomes: dict[str, str]) -> None:
    """Store the article and take each destination's delivery through the real ledger to
    ``sent`` / ``failed`` / ``in_doubt`` (the value is ``state:detail``)."""
    container.articles.save(article)
    ledger = container.ledger
    ledger.ensure_all(article.id, outcomes, article.revision)
    for destination, outcome in outcomes.items():
        state, _, detail = outcome.partition(":")
        if state == "pending":
            continue
        claim = ledger.claim(article.id, destination, article.revision)
        assert claim is not None
        if state == "sent":
            ledger.record_sent(claim, [detail or "1"], "sendMessage")
        elif state == "failed":
            ledger.record_failed(claim, detail)
        elif state == "in_doubt":
            ledger.record_in_doubt(claim, detail)
