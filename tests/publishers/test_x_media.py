"""The featured image on X: fetched with the SSRF guard, uploaded with the v2 media upload
(one request or segments) to the sandbox with its alt text, and the fallbacks."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis

from distributor.keys import Keys
from distributor.models import Article, RenderedPost
from distributor.publishers.factory import build_x
from distributor.publishers.image_fetch import ImageFetcher, ImageRefused, address_allowed
from distributor.publishers.x import XPublisher
from distributor.publishing.delivery import OutcomeKind
from distributor.publishing.ledger import Ledger
from distributor.publishing.ratelimit import RateGovernor, RateTable
from tests.support.images import image_server, jpeg
from tests.support.publishers import X_ACCOUNT, Harness, Rig
from tests.support.seed import seed_article_dict

LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]
SMALL, LARGE = jpeg(), jpeg(1100, 900, noise=True)  # LARGE is over a 1 MiB segment
HTML = b"<html><body>not an image</body></html>"


@pytest.fixture
def images() -> Iterator[str]:
    files = {"/small.jpg": SMALL, "/large.jpg": LARGE, "/page.jpg": HTML}
    with image_server(
        files, {"/moved.jpg": "/small.jpg", "/away.jpg": "http://127.0.0.2/x.jpg"}
    ) as url:
        yield url


def publisher(harness: Harness, allow: Any = LOOPBACK) -> XPublisher:
    settings = harness.settings().model_copy(update={"image_fetch_allow": allow})
    return build_x(settings)


def tweet(image_url: str | None, alt: str = "Gubernur membuka rakor") -> RenderedPost:
    return RenderedPost(
        platform="x", method="tweet", text="Rakor politik https://news.example/a",
        photo_url=image_url, alt_text=alt,
    )  # fmt: skip


def media(harness: Harness) -> list[dict[str, Any]]:
    return list(harness.http.get("/sandbox/x/media").raise_for_status().json())


@pytest.mark.parametrize(("path", "chunked"), [("/small.jpg", False), ("/large.jpg", True)])
def test_a_tweet_carries_its_image_with_alt_text(
    harness: Harness, images: str, path: str, chunked: bool
) -> None:
    x = publisher(harness)
    ready = x.prepare(X_ACCOUNT, tweet(images + path))
    assert len(ready.media_ids) == 1
    [tweet_id] = x.publish(X_ACCOUNT, ready)
    [posted] = harness.tweets()
    assert posted["id"] == tweet_id and posted["media_ids"] == list(ready.media_ids)
    [uploaded] = media(harness)
    expected = SMALL if path == "/small.jpg" else LARGE
    assert (uploaded["size"], uploaded["media_type"]) == (len(expected), "image/jpeg")
    assert (uploaded["chunked"], uploaded["finalized"]) == (chunked, True)
    assert uploaded["alt_text"] == "Gubernur membuka rakor"


def test_a_redirect_is_followed(harness: Harness, images: str) -> None:
    assert publisher(harness).prepare(X_ACCOUNT, tweet(images + "/moved.jpg")).media_ids


@pytest.mark.parametrize(
    ("fault", "spec"),
    [("server_error", {"status": 503}), ("rate_limit", {"retry_after": 60})],
)
def test_a_refused_upload_posts_the_tweet_without_media(
    harness: Harness, images: str, fault: str, spec: dict[str, Any]
) -> None:
    x = publisher(harness)
    harness.fault("x", "media_upload", fault, **spec)
    ready = x.prepare(X_ACCOUNT, tweet(images + "/small.jpg"))
    assert ready.media_ids == ()
    x.publish(X_ACCOUNT, ready)
    [posted] = harness.tweets()
    assert posted["media_ids"] == []


@pytest.mark.parametrize("path", ["/page.jpg", "/missing.jpg", "/away.jpg"])
def test_what_is_not_a_reachable_allowed_image_is_not_uploaded(
    harness: Harness, images: str, path: str
) -> None:
    ready = publisher(harness).prepare(X_ACCOUNT, tweet(images + path))
    assert ready.media_ids == () and media(harness) == []


def test_loopback_is_refused_unless_configured(harness: Harness, images: str) -> None:
    ready = publisher(harness, allow=[]).prepare(X_ACCOUNT, tweet(images + "/small.jpg"))
    assert ready.media_ids == () and media(harness) == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),  # noqa: S104 (an address checked, not bound)
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # loopback behind an IPv4-mapped address
    ],
)
def test_only_public_addresses_are_fetched(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed


def test_size_limit(images: str) -> None:
    fetcher = ImageFetcher(LOOPBACK, max_bytes=len(SMALL) - 1)
    with pytest.raises(ImageRefused, match="over"):
        fetcher.fetch(images + "/small.jpg")
    assert ImageFetcher(LOOPBACK).fetch(images + "/small.jpg").data == SMALL


def test_a_retry_uploads_again_but_tweets_once(
    harness: Harness, images: str, redis_client: Redis, keys: Keys
) -> None:
    rig = Rig(harness, Ledger(redis_client, keys), RateGovernor(redis_client, keys, RateTable()))
    rig.publishers["x"] = publisher(harness)
    article = Article.model_validate({**seed_article_dict(), "image_url": images + "/small.jpg"})

    def render(article: Article, destination: Any) -> RenderedPost:
        return tweet(article.image_url, article.title)

    harness.fault("x", "create_tweet", "rate_limit", retry_after=1)
    assert rig.run(article, X_ACCOUNT, render=render).kind is OutcomeKind.RETRY
    assert rig.run(article, X_ACCOUNT, render=render).kind is OutcomeKind.DONE
    assert rig.run(article, X_ACCOUNT, render=render).kind is OutcomeKind.NOTHING
    [posted] = harness.tweets()
    uploads = media(harness)
    assert len(uploads) == 2  # one per attempt; the first one's is never used
    assert posted["media_ids"] == [uploads[1]["id"]]


def test_the_guard_refuses_before_connecting() -> None:
    with pytest.raises(ImageRefused, match="non-public address"):
        ImageFetcher(LOOPBACK).fetch("http://127.0.0.2:9/x.jpg")  # allowed: 127.0.0.1 only
    with pytest.raises(ImageRefused, match="non-public address"):
        ImageFetcher().fetch("http://localhost:9/x.jpg")
    with pytest.raises(ImageRefused, match="not an http"):
        ImageFetcher().fetch("file:///etc/passwd")
