"""A live sandbox per test, with real python-telegram-bot and tweepy clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.publishers import Harness, sandbox_harness


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A fresh sandbox on a free port."""
    with sandbox_harness() as live:
        yield live
