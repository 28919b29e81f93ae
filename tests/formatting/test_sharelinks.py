"""Share links per network with UTM parameters, and the QR code."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import segno

from distributor.formatting.sharelinks import NETWORKS, qr_png, share_links, share_url, with_utm
from distributor.models import Article
from tests.support.seed import seed_article_dict

UTM = "utm_source=telegram&utm_medium=social&utm_campaign=spring"


def article(**changes: Any) -> Article:
    return Article.model_validate({**seed_article_dict(), **changes})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.id/x", f"https://a.id/x?{UTM}"),
        ("https://a.id/x?page=2&q=a%20b", f"https://a.id/x?page=2&q=a%20b&{UTM}"),
        ("https://a.id/x#komentar", f"https://a.id/x?{UTM}#komentar"),
        ("https://a.id/x?p=1#top?no=1", f"https://a.id/x?p=1&{UTM}#top?no=1"),
        ("https://a.id/x?utm_source=rss&id=7&utm_campaign=old", f"https://a.id/x?id=7&{UTM}"),
        ("https://a.id/x?", f"https://a.id/x?{UTM}"),
    ],
)
def test_with_utm_keeps_query_and_fragment(url: str, expected: str) -> None:
    assert with_utm(url, "telegram", "spring") == expected


def test_networks() -> None:
    assert NETWORKS == (
        "facebook", "x", "whatsapp", "telegram", "linkedin", "email", "line", "reddit", "pinterest"
    )  # fmt: skip


@pytest.mark.parametrize("network", NETWORKS)
def test_each_share_url_carries_the_tagged_article_url(network: str) -> None:
    seed = article(url="https://visualjambi.com/a/?p=1&q=x y#top".replace(" ", "%20"))
    link = share_url(network, seed, "spring")
    parts = urlsplit(link)
    assert parts.scheme == ("mailto" if network == "email" else "https")
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    shared = next(v for v in params.values() if "visualjambi.com/a/" in v)
    shared_url = shared.rsplit(" ", 1)[-1]  # WhatsApp puts the title first
    assert shared_url == with_utm(seed.url, network, "spring")
    assert "#top" in shared_url and "p=1&q=x%20y" in shared_url


def test_title_is_plain_text_in_share_urls() -> None:
    seed = article(title="Rock &amp; Roll <em>live</em>")
    link = share_url("x", seed, "c")
    assert parse_qs(urlsplit(link).query)["text"] == ["Rock & Roll live"]


def test_pinterest_without_image_has_no_media() -> None:
    assert "media=" not in share_url("pinterest", article(image_url=None), "c")
    assert "media=https%3A%2F%2Fvisualjambi.com" in share_url("pinterest", article(), "c")


def test_unknown_network() -> None:
    with pytest.raises(KeyError):
        share_url("myspace", article(), "c")


def test_share_links_direct_or_tracked() -> None:
    seed = article()
    direct = share_links(seed, "c", None)
    assert direct == {n: share_url(n, seed, "c") for n in NETWORKS}
    tracked = share_links(seed, "c", "https://go.example.id/")
    assert tracked == {n: f"https://go.example.id/s/20240201-rakor/{n}" for n in NETWORKS}


def test_qr_png_encodes_the_tagged_article_url() -> None:
    png = qr_png(article(), "c", scale=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    expected = io.BytesIO()
    tagged = f"{article().url}?utm_source=qr&utm_medium=social&utm_campaign=c"
    segno.make(tagged, error="m", micro=False).save(expected, kind="png", scale=2, border=4)
    assert png == expected.getvalue()
    assert qr_png(article(url="https://visualjambi.com/other/"), "c", scale=2) != png
