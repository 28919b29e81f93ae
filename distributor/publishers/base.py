"""The publisher protocol: where platform exceptions become our error classes."""

from __future__ import annotations

from typing import Protocol

from distributor.models import Destination, Platform, RenderedPost


class Publisher(Protocol):
    """Posts, edits and deletes on one platform.

    Every method raises only ``TransientError`` (surely not done; retry allowed, with
    ``retry_after`` when the platform said), ``PermanentError`` (never retry) or ``InDoubt``
    (the request went out and the outcome is unknown).
    """

    platform: Platform

    def publish(self, destination: Destination, post: RenderedPost) -> tuple[str, ...]:
        """Post and return the platform's message ids (one for a message or tweet)."""
        ...

    def edit(
        self, destination: Destination, message_ids: tuple[str, ...], post: RenderedPost
    ) -> None:
        """Replace an existing post's text or caption; a no-op edit is not an error."""
        ...

    def delete(self, destination: Destination, message_ids: tuple[str, ...]) -> None:
        """Delete an existing post; one already gone is not an error."""
        ...

    def find_post(self, destination: Destination, article_url: str) -> tuple[str, ...] | None:
        """Reconciliation: ids of a recent post citing the article URL, or None if unknowable."""
        ...
