"""A post whose media the platform refused goes out without it, under the same claim.

Telegram fetches a photo given by URL itself and may refuse it (a 404, a page that is no
image, a file over 5 MB) before posting anything; the publisher raises ``MediaRefused`` with
the text post to send instead. That post is made under the claim already held, so there is
no second claim and no duplicate, and the history says it went out as text and why
(docs/architecture.md, "Refused photos").
"""

from __future__ import annotations

from distributor.errors import MediaRefused
from distributor.models import Destination, RenderedPost
from distributor.publishers.base import Publisher
from distributor.publishing.ledger import Claim, Ledger


def publish_or_fallback(
    claim: Claim, destination: Destination, post: RenderedPost, ledger: Ledger,
    publisher: Publisher,
) -> tuple[tuple[str, ...], RenderedPost]:  # fmt: skip
    """The ids of the post made and the post as made (the fallback when the media was
    refused); any other error propagates for ``call_platform`` to classify."""
    try:
        return publisher.publish(destination, post), post
    except MediaRefused as exc:
        where = (claim.article_id, claim.destination, claim.revision)
        reason = f"{exc}; posting it as a {exc.fallback.method} without the media instead"
        ledger.note(*where, "media_refused", reason)
        return publisher.publish(destination, exc.fallback), exc.fallback
