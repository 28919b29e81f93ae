"""The "Scan" button: QR codes of the tagged article link, decoded by a real QR reader."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from redis import Redis

from distributor.api.app import create_app
from distributor.formatting.sharelinks import NETWORKS
from distributor.keys import Keys
from distributor.models import Article
from tests.support.clock import T0, Clock
from tests.support.shares import CHROME, share_services, store_article


@pytest.fixture
def client(redis_client: Redis, keys: Keys) -> Iterator[TestClient]:
    app = create_app(share_services(redis_client, keys, Clock(T0)))
    with TestClient(app, headers={"User-Agent": CHROME}) as test_client:
        yield test_client


@pytest.fixture
def article(redis_client: Redis, keys: Keys) -> Article:
    return store_article(redis_client, keys, url="https://visualjambi.com/2024/02/01/rakor/?p=7")


def test_png_decodes_to_the_tagged_article_link(client: TestClient, article: Article) -> None:
    response = client.get(f"/s/{article.id}/qr.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.text == (
        "https://visualjambi.com/2024/02/01/rakor/?p=7"
        "&utm_source=qr&utm_medium=social&utm_campaign=test-campaign"
    )


def test_svg_is_served_with_the_same_caching(client: TestClient, article: Article) -> None:
    response = client.get(f"/s/{article.id}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"<path" in response.content
    assert response.headers["cache-control"] == "public, max-age=3600"
    etag = response.headers["etag"]
    assert etag != client.get(f"/s/{article.id}/qr.png").headers["etag"]
    again = client.get(f"/s/{article.id}/qr.svg", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_the_etag_follows_the_encoded_link(
    client: TestClient, article: Article, redis_client: Redis, keys: Keys
) -> None:
    other = store_article(redis_client, keys, id="other-1", url="https://visualjambi.com/other/")
    first = client.get(f"/s/{article.id}/qr.png").headers["etag"]
    assert client.get(f"/s/{article.id}/qr.png").headers["etag"] == first
    assert client.get(f"/s/{other.id}/qr.png").headers["etag"] != first


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/s/{id}/qr.gif", 404),  # no such format
        ("/s/nope/qr.png", 404),  # no such article
        ("/s/{id}/facebook", 302),  # the share links still answer behind the QR routes
    ],
)
def test_other_paths(client: TestClient, article: Article, path: str, status: int) -> None:
    response = client.get(path.format(id=article.id), follow_redirects=False)
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "not_found"


def test_unpublished_article_has_no_code(
    client: TestClient, redis_client: Redis, keys: Keys
) -> None:
    hidden = store_article(redis_client, keys, published=False, id="hidden-1")
    assert client.get(f"/s/{hidden.id}/qr.svg").status_code == 404


def test_share_widget_shows_the_scan_button(client: TestClient, article: Article) -> None:
    response = client.get("/widgets/share.html", params={"article": article.id})
    assert response.status_code == 200
    html = response.text
    hrefs = dict(re.findall(r'href="([^"]+)" data-network="([^"]+)"', html))
    assert sorted(hrefs.values()) == sorted(NETWORKS)
    assert all(h.endswith(f"/s/{article.id}/{n}") for h, n in hrefs.items())
    [src] = re.findall(r'<img src="([^"]+)"', html)
    assert src.endswith(f"/s/{article.id}/qr.svg")
    assert client.get(src.removeprefix("http://testserver")).status_code == 200
    assert "<summary>Scan</summary>" in html
    assert client.get("/widgets/share.html", params={"article": "nope"}).status_code == 404
