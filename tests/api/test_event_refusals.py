"""Every kind of bad input to POST /v1/events gets a 4xx naming the problem and changes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from distributor.api.app import create_app
from distributor.intake.signature import SIGNATURE_HEADER
from distributor.keys import Keys
from tests.support.intake import SECRET, api_services, make_settings, signed_headers, snapshot
from tests.support.seed import seed_event
from tests.support.wordpress_post import wordpress_post

DROP = object()
Headers = Callable[[bytes], dict[str, str]]


@pytest.fixture
def client(redis_url: str, redis_client: Redis, keys: Keys) -> Iterator[TestClient]:
    with (
        api_services(make_settings(redis_url, keys)) as services,
        TestClient(create_app(services)) as test_client,
    ):
        yield test_client


def encode(data: Any) -> bytes:
    return json.dumps(data).encode()


def event_with(**article: Any) -> bytes:
    """The seed event with article fields changed (DROP removes one)."""
    data = seed_event()
    for name, value in article.items():
        if value is DROP:
            del data["article"][name]
        else:
            data["article"][name] = value
    return encode(data)


def envelope_with(**fields: Any) -> bytes:
    """The seed event with top-level fields changed (DROP removes one)."""
    data = seed_event()
    for name, value in fields.items():
        if value is DROP:
            del data[name]
        else:
            data[name] = value
    return encode(data)


def signed_at(offset_s: int, secret: str = SECRET) -> Headers:
    return lambda body: signed_headers(body, int(time.time()) + offset_s, secret)


def signature_header(value: str | None) -> Headers:
    def build(body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if value is not None:
            headers[SIGNATURE_HEADER] = value
        return headers

    return build


def content_type(value: str | None) -> Headers:
    def build(body: bytes) -> dict[str, str]:
        headers = signed_headers(body)
        del headers["Content-Type"]
        if value is not None:
            headers["Content-Type"] = value
        return headers

    return build


def signed_over(other: bytes) -> Headers:
    """A valid signature, but of a different body."""
    return lambda body: signed_headers(other)


@dataclass(frozen=True)
class Bad:
    """One kind of bad input: body, how it is signed, and the refusal expected."""

    kind: str
    body: bytes
    status: int
    fragment: str
    headers: Headers = signed_headers


SEED = event_with()
BAD_INPUTS = [
    Bad("not JSON", b"{'type': 'article.published'}", 400, "body is not valid JSON"),
    Bad("wrong content type", SEED, 415, "must be application/json, not 'text/plain'",
        content_type("text/plain")),
    Bad("no content type", SEED, 415, "not 'missing'", content_type(None)),
    Bad("form content type", SEED, 415, "not 'application/x-www-form-urlencoded'",
        content_type("application/x-www-form-urlencoded")),
    Bad("empty body", b"", 400, "body is empty"),
    Bad("JSON array", encode([seed_event()]), 422, "body must be a JSON object, not an array"),
    Bad("NaN", b'{"type": NaN}', 400, "NaN is not allowed"),
    Bad("missing type", envelope_with(type=DROP), 422, "type: Field required"),
    Bad("missing article", envelope_with(article=DROP), 422, "article: Field required"),
    Bad("missing article.id", event_with(id=DROP), 422, "article.id: Field required"),
    Bad("missing url", event_with(url=DROP), 422, "article.url: Field required"),
    Bad("missing title", event_with(title=DROP), 422, "article.title: Field required"),
    Bad("empty title", event_with(title="  "), 422, "article.title: String should have at least"),
    Bad("missing published_at", event_with(published_at=DROP), 422,
        "article.published_at: Field required"),
    Bad("tags not a list", event_with(tags="politik"), 422,
        "article.tags: Input should be a valid array"),
    Bad("revision a string", event_with(revision="2"), 422,
        "article.revision: Input should be a valid integer"),
    Bad("revision negative", event_with(revision=-1), 422,
        "article.revision: Input should be greater than or equal to 1"),
    Bad("article id a number", event_with(id=123), 422,
        "article.id: Input should be a valid string"),
    Bad("ftp URL", event_with(url="ftp://visualjambi.com/a"), 422,
        "article.url: URL scheme must be http or https, not 'ftp'"),
    Bad("javascript URL", event_with(url="javascript:alert(1)"), 422,
        "article.url: URL scheme must be http or https, not 'javascript'"),
    Bad("javascript image URL", event_with(image_url="javascript:alert(1)"), 422,
        "article.image_url: URL scheme must be http or https, not 'javascript'"),
    Bad("URL without host", event_with(url="https:///2024/02/01/rakor/"), 422,
        "article.url: URL has no host"),
    Bad("published_at without zone", event_with(published_at="2024-02-01T09:30:00"), 422,
        "article.published_at: Input should have timezone info"),
    Bad("body over 1 MB", event_with(excerpt="x" * 1_000_001), 413,
        "the limit is 1000000"),
    Bad("missing signature header", SEED, 401, "missing X-Distributor-Signature header",
        signature_header(None)),
    Bad("malformed signature header", SEED, 401, "malformed X-Distributor-Signature header",
        signature_header("sha256=deadbeef")),
    Bad("signature without v1", SEED, 401, "v1 must be 64 hex characters",
        signature_header(f"t={int(time.time())}")),
    Bad("bad signature (wrong secret)", SEED, 401, "bad signature",
        signed_at(0, "another-secret-of-enough-length")),
    Bad("bad signature (body changed after signing)", SEED, 401, "bad signature",
        signed_over(event_with(title="Another title"))),
    Bad("5,000-digit timestamp (was a 500)", SEED, 401, "over 512 characters",
        signature_header("t=" + "9" * 5000 + ",v1=" + "a" * 64)),
    Bad("400-digit timestamp", SEED, 401, "t must be unix seconds",
        signature_header("t=" + "9" * 400 + ",v1=" + "a" * 64)),
    Bad("stale timestamp", SEED, 401, "stale signature timestamp", signed_at(-301)),
    Bad("future timestamp", SEED, 401, "s in the future, the limit is 300 s", signed_at(400)),
    Bad("unknown event type", envelope_with(type="article.deleted"), 422,
        "type: Input should be 'article.published', 'article.updated' or 'article.unpublished'"),
    Bad("unknown top-level field", envelope_with(priority="high"), 422,
        "priority: Extra inputs are not permitted"),
    Bad("id with slashes", event_with(id="2024/02/rakor"), 422,
        "article.id: String should match pattern"),
    Bad("id with spaces", event_with(id="rakor politik"), 422,
        "article.id: String should match pattern"),
    Bad("WordPress post with unknown status", encode({**wordpress_post(), "status": "inherit"}),
        422, "WordPress post: status: Input should be"),
]  # fmt: skip


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[b.kind for b in BAD_INPUTS])
def test_bad_input_is_refused_by_name_and_changes_nothing(
    bad: Bad, client: TestClient, redis_url: str, redis_client: Redis, keys: Keys
) -> None:
    before = snapshot(redis_url)
    response = client.post("/v1/events", content=bad.body, headers=bad.headers(bad.body))
    assert response.status_code == bad.status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"}
    assert bad.fragment in error["message"]
    assert snapshot(redis_url) == before
    assert redis_client.llen(keys.queue("fan_out")) == 0


@pytest.mark.parametrize(
    ("length", "status", "fragment"),
    [("9" * 5000, 413, "the limit is 1000000"), ("12abc", 400, "Content-Length is not a number")],
)
def test_an_absurd_content_length_is_refused_before_reading(
    client: TestClient, length: str, status: int, fragment: str
) -> None:
    headers = {**signed_headers(SEED), "Content-Length": length}
    response = client.post("/v1/events", content=SEED, headers=headers)
    assert response.status_code == status
    assert fragment in response.json()["error"]["message"]


def test_there_are_at_least_fifteen_kinds_of_bad_input() -> None:
    assert len({b.kind for b in BAD_INPUTS}) >= 15
