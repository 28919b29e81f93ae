"""The featured image on X: fetched (guarded, ``image_fetch``), uploaded with X's v2 media
upload and described with its alt text, before the delivery's claim.

X API v2 (docs.x.com, "Media"): an image up to 1 MiB goes in one ``POST /2/media/upload``
(multipart: ``media``, ``media_category=tweet_image``, ``media_type``); a larger one (X takes
images up to 5 MB) is sent in 1 MiB segments: ``POST /2/media/upload/initialize`` (JSON
``media_type``, ``total_bytes``, ``media_category``), ``POST /2/media/upload/{id}/append``
(multipart ``media``, ``segment_index``) per segment, ``POST /2/media/upload/{id}/finalize``,
then ``GET /2/media/upload?command=STATUS`` while ``processing_info`` says it is not done.
``POST /2/media/metadata`` sets the alt text (``metadata.alt_text.text``, at most 1,000
characters).

Exactly once: ``attach`` only uploads; no tweet exists until the publisher's create call under
the claim. An upload repeated by a retry leaves an unused media id, which X drops after a day.
Best effort: any failure (a refused image, a 4xx/5xx/429 from X, a timeout) is logged and the
post goes out without media.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests
import tweepy

from distributor.errors import DistributorError
from distributor.models import RenderedPost
from distributor.publishers.image_fetch import FetchedImage, ImageFetcher, ImageRefused

log = logging.getLogger(__name__)
HOST = "https://api.twitter.com"  # tweepy's host; the transport adapter reroutes it in sandbox
SEGMENT_BYTES = 1024 * 1024
ALT_TEXT_MAX = 1000
CATEGORY = "tweet_image"
MAX_STATUS_CHECKS = 5


class MediaFailed(DistributorError):
    """X did not take the image; the post goes without it."""


class XMedia:
    """Uploads images as the account of ``client`` (the one that will post them)."""

    def __init__(
        self,
        client: tweepy.Client,
        fetcher: ImageFetcher,
        *,
        user_auth: bool = True,
        segment_bytes: int = SEGMENT_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._fetcher = fetcher
        self._user_auth = user_auth
        self._segment = segment_bytes
        self._sleep = sleep

    def attach(self, post: RenderedPost) -> RenderedPost:
        """``post`` with its image uploaded (``media_ids``), or unchanged when there is none
        or it could not be uploaded."""
        if not post.photo_url or post.media_ids:
            return post
        try:
            image = self._fetcher.fetch(post.photo_url)
            media_id = self.upload(image)
        except (ImageRefused, MediaFailed) as exc:
            log.warning("x image not attached (%s): %s", post.photo_url[:200], exc)
            return post
        if post.alt_text:
            try:
                self.describe(media_id, post.alt_text)
            except MediaFailed as exc:  # the image still helps without its description
                log.warning("x image %s has no alt text: %s", media_id, exc)
        return post.model_copy(update={"media_ids": (media_id,)})

    def upload(self, image: FetchedImage) -> str:
        """The media id of the uploaded image: one request, or segments when it is large."""
        if len(image.data) <= self._segment:
            fields = {"media_category": CATEGORY, "media_type": image.media_type}
            body = self._multipart("/2/media/upload", fields, image.data)
            return _media_id(body)
        started = self._json(
            "/2/media/upload/initialize",
            {"media_type": image.media_type, "total_bytes": len(image.data),
             "media_category": CATEGORY},
        )  # fmt: skip
        media_id = _media_id(started)
        for index, offset in enumerate(range(0, len(image.data), self._segment)):
            chunk = image.data[offset : offset + self._segment]
            self._multipart(f"/2/media/upload/{media_id}/append", {"segment_index": index}, chunk)
        finished = self._json(f"/2/media/upload/{media_id}/finalize", None)
        self._wait_processed(media_id, finished)
        return media_id

    def describe(self, media_id: str, alt_text: str) -> None:
        """Set the image's alt text (cut to X's 1,000 characters)."""
        metadata = {"alt_text": {"text": alt_text[:ALT_TEXT_MAX]}}
        self._json("/2/media/metadata", {"id": media_id, "metadata": metadata})

    def _wait_processed(self, media_id: str, answer: dict[str, Any]) -> None:
        """Poll STATUS while X says the media is pending or in progress (rare for images)."""
        for _ in range(MAX_STATUS_CHECKS):
            info = answer.get("data", {}).get("processing_info")
            if not info or info.get("state") == "succeeded":
                return
            if info.get("state") == "failed":
                raise MediaFailed(f"X could not process media {media_id}: {info}")
            self._sleep(min(float(info.get("check_after_secs", 1)), 5.0))
            params = {"command": "STATUS", "media_id": media_id}
            answer = self._call("GET", "/2/media/upload", params=params)
        raise MediaFailed(f"media {media_id} still processing after {MAX_STATUS_CHECKS} checks")

    def _json(self, route: str, body: dict[str, Any] | None) -> dict[str, Any]:
        return self._call("POST", route, json=body)

    def _multipart(self, route: str, fields: dict[str, Any], data: bytes) -> dict[str, Any]:
        files = {"media": ("media", data, "application/octet-stream")}
        return self._call("POST", route, data={k: str(v) for k, v in fields.items()}, files=files)

    def _call(self, method: str, route: str, **kwargs: Any) -> dict[str, Any]:
        """One request on the client's session with its credentials; MediaFailed on any error."""
        headers = {"User-Agent": self._client.user_agent}
        auth = None
        if self._user_auth:
            c = self._client
            handler = tweepy.OAuth1UserHandler(
                c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret
            )
            auth = handler.apply_auth()
        else:
            headers["Authorization"] = f"Bearer {self._client.bearer_token}"
        try:
            response = self._client.session.request(
                method, HOST + route, headers=headers, auth=auth, **kwargs
            )
        except requests.RequestException as exc:
            raise MediaFailed(f"{method} {route}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise MediaFailed(
                f"{method} {route}: HTTP {response.status_code}: {response.text[:300]}"
            )
        if not response.content:
            return {}
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as exc:
            raise MediaFailed(f"{method} {route}: unreadable answer") from exc
        return answer


def _media_id(answer: dict[str, Any]) -> str:
    media_id = answer.get("data", {}).get("id")
    if not isinstance(media_id, str) or not media_id.isdigit():
        raise MediaFailed(f"no media id in X's answer: {str(answer)[:200]}")
    return media_id
