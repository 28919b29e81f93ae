"""X through tweepy's ``Client`` (API v2); its exceptions become ours here.

Edits: the X API offers no way to edit a post for most tiers, so ``edit`` refuses (permanent) and
delivery never calls it for X; an ``edit`` update policy keeps the first post on X. Images: the
post carries the article link; the featured image is uploaded before the claim by ``prepare``
(``x_media``), and a post whose upload failed goes without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import requests
import tweepy
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from distributor.errors import (
    DeliveryError,
    DuplicatePost,
    InDoubt,
    PermanentError,
    RateLimited,
    TransientError,
)
from distributor.models import Destination, Platform, RenderedPost
from distributor.publishers.base import Lookup, normalise_url
from distributor.publishers.x_limits import body_of, usage_capped
from distributor.publishers.x_media import XMedia

# requests raised these before anything was sent
_NOT_SENT = (
    requests.exceptions.ConnectTimeout,
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
)


class XPublisher:
    """Posts and deletes on one X account (the client's user context)."""

    platform: Platform = "x"

    def __init__(
        self,
        client: tweepy.Client,
        user_auth: bool = True,
        pages: int = 3,
        clock: Callable[[], float] = time.time,
        media: XMedia | None = None,
    ) -> None:
        self._client = client
        self._media = media
        self._user_auth = user_auth
        self._pages = pages
        self._clock = clock
        self._user_id: str | None = None

    def prepare(self, destination: Destination, post: RenderedPost) -> RenderedPost:
        """Upload the featured image (when images are on); the post without it on failure."""
        return self._media.attach(post) if self._media is not None else post

    def publish(self, destination: Destination, post: RenderedPost) -> tuple[str, ...]:
        """Create a post (with its uploaded media; quoting ``post.quote_id`` when set);
        returns its id."""
        if post.method != "tweet":
            raise PermanentError(f"X cannot send a {post.method!r} post")
        media = list(post.media_ids) or None
        response = self._call(
            self._client.create_tweet, text=post.text, media_ids=media,
            quote_tweet_id=post.quote_id, user_auth=self._user_auth,
        )  # fmt: skip
        return (str(response.data["id"]),)

    def edit(
        self, destination: Destination, message_ids: tuple[str, ...], post: RenderedPost
    ) -> None:
        """Refused: X's API cannot edit a post."""
        raise PermanentError("X's API cannot edit a post; the first post stays")

    def delete(self, destination: Destination, message_ids: tuple[str, ...]) -> None:
        """Delete each post; one already gone is not an error."""
        for post_id in message_ids:
            try:
                self._call(self._client.delete_tweet, post_id, user_auth=self._user_auth)
            except PermanentError as exc:
                if not isinstance(exc.__cause__, tweepy.NotFound):
                    raise

    def find_post(self, destination: Destination, lookup: Lookup) -> tuple[str, ...] | None:
        """The newest of the account's recent posts linking the article (not one of
        ``lookup.skip``), or () when none."""
        wanted = normalise_url(lookup.article_url)
        token: str | None = None
        for _ in range(self._pages):
            response = self._call(
                self._client.get_users_tweets, self._account_id(), max_results=100,
                tweet_fields=["entities", "created_at"], pagination_token=token,
                user_auth=self._user_auth,
            )  # fmt: skip
            for tweet in response.data or ():
                urls = (tweet.entities or {}).get("urls", ())
                if str(tweet.id) in lookup.skip:
                    continue
                if any(normalise_url(u.get("expanded_url", "")) == wanted for u in urls):
                    return (str(tweet.id),)
            token = (response.meta or {}).get("next_token")
            if not token:
                break
        return ()

    def _account_id(self) -> str:
        if self._user_id is None:
            me = self._call(self._client.get_me, user_auth=self._user_auth)
            self._user_id = str(me.data.id)
        return self._user_id

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise classify(exc, self._clock()) from exc


def classify(exc: Exception, now: float) -> DeliveryError:
    """Map a tweepy / requests error by whether the post may have been made."""
    if isinstance(exc, tweepy.TooManyRequests):
        if usage_capped(body_of(exc.response)):  # its x-rate-limit-reset is not the cap's end
            return RateLimited(f"X usage cap: {exc}")
        reset = exc.reset_time
        wait = max(1.0, reset - now) if reset is not None else None
        return RateLimited(f"X rate limit: {exc}", retry_after=wait)
    if isinstance(exc, tweepy.Forbidden) and "duplicate content" in str(exc):
        return DuplicatePost(f"X refused a duplicate: {exc}")
    if isinstance(exc, tweepy.HTTPException):
        if 400 <= exc.response.status_code < 500:
            return PermanentError(f"X refused: {exc}")
        return InDoubt(f"X outcome unknown: {exc}")
    if isinstance(exc, _NOT_SENT) or _connect_failed(exc):
        return TransientError(f"X unreachable: {exc}")
    # read timeouts, connections reset after sending, unreadable answers
    return InDoubt(f"X outcome unknown: {type(exc).__name__}: {exc}")


def _connect_failed(exc: Exception) -> bool:
    """A ``ConnectionError`` raised while connecting (refused, unreachable, DNS, timeout)."""
    if not isinstance(exc, requests.exceptions.ConnectionError) or not exc.args:
        return False
    reason = exc.args[0]
    return isinstance(reason, MaxRetryError) and isinstance(reason.reason, ConnectTimeoutError)
