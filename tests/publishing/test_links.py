"""Links to standing posts, as the WordPress meta box shows them."""

from __future__ import annotations

import pytest

from distributor.models import Destination, Platform
from distributor.publishing.links import post_links


@pytest.mark.parametrize(
    ("platform", "target", "links"),
    [
        ("telegram", "@visualjambi", ["https://t.me/visualjambi/7", "https://t.me/visualjambi/8"]),
        (
            "telegram",
            "-1001234567890",
            ["https://t.me/c/1234567890/7", "https://t.me/c/1234567890/8"],
        ),
        ("telegram", "-4567", []),  # a group: no public links
        (
            "x",
            "visualjambi",
            ["https://x.com/visualjambi/status/7", "https://x.com/visualjambi/status/8"],
        ),
    ],
)
def test_post_links(platform: Platform, target: str, links: list[str]) -> None:
    destination = Destination(id="d", platform=platform, target=target)
    assert post_links(destination, ("7", "8")) == links
