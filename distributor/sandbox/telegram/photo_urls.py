"""Photos given by URL, fetched the way Telegram's servers fetch them (docs/sandbox.md, "Photos
by URL"): a local server's 404, a page that is no image or a file over 5 MB is refused, and
every answer is kept per URL for ``CACHE_TTL_S`` on the sandbox clock, as Telegram keeps a
URL's first result. Hosts the sandbox cannot reach offline (a DNS failure, a public address)
are taken as images so the demo works without a network, unless a test marks the URL."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

PhotoOutcome = Literal["image", "unreachable", "wrong_type", "too_big"]
MAX_BYTES = 5 * 1024 * 1024  # Bot API "Sending files": 5 MB max for photos by URL
TIMEOUT_S = 5.0
MAX_REDIRECTS = 3
CACHE_TTL_S = 3600.0  # Telegram does not say; a URL's first answer sticks for a while
ASSUMED_SIZE = 65_536  # an image the sandbox did not download
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


@dataclass(frozen=True, slots=True)
class PhotoAnswer:
    """What fetching a URL gave: the outcome, the image's size, and where it came from
    (``fetched``, ``assumed`` for a host the sandbox cannot reach, ``marked`` by a test), at
    sandbox time."""

    outcome: PhotoOutcome
    size: int
    source: str
    at: float

    def listing(self, url: str) -> dict[str, object]:
        """The inspection view (``GET /sandbox/telegram/photo_urls``)."""
        return {"url": url, "outcome": self.outcome, "size": self.size,
                "source": self.source, "at": self.at}  # fmt: skip


class PhotoUrls:
    """The sandbox's cache of photo URLs and the outcomes tests force on some."""

    def __init__(self) -> None:
        self.cache: dict[str, PhotoAnswer] = {}
        self.marked: dict[str, PhotoOutcome] = {}

    def mark(self, url: str, outcome: PhotoOutcome) -> None:
        """Make ``url`` answer ``outcome`` from now on, fetched or not (forgets its cache)."""
        self.marked[url] = outcome
        self.cache.pop(url, None)

    async def take(self, url: str, now: float) -> PhotoAnswer:
        """The answer for ``url``: forced, cached while fresh, else fetched (or assumed)."""
        if url in self.marked:
            return PhotoAnswer(self.marked[url], ASSUMED_SIZE, "marked", now)
        cached = self.cache.get(url)
        if cached is not None and now - cached.at < CACHE_TTL_S:
            return cached
        if await _reachable(url):
            outcome, size = await _fetch(url)
            answer = PhotoAnswer(outcome, size, "fetched", now)
        else:
            answer = PhotoAnswer("image", ASSUMED_SIZE, "assumed", now)
        self.cache[url] = answer
        return answer


async def _reachable(url: str) -> bool:
    """Whether the host resolves, and only to addresses on this machine or its network."""
    host = urlsplit(url).hostname
    if not host:
        return False
    lookup = asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    try:  # an offline resolver may take long to give up: past the fetch's timeout, none
        found = await asyncio.wait_for(lookup, TIMEOUT_S)
    except (OSError, UnicodeError, TimeoutError):
        return False
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found}
    return bool(addresses) and all(
        a.is_loopback or a.is_private or a.is_link_local for a in addresses
    )


async def _fetch(url: str) -> tuple[PhotoOutcome, int]:
    """GET the URL (a few redirects, bounded time and size) and judge what came back."""
    timeout = httpx.Timeout(TIMEOUT_S)
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                trust_env=False,
            ) as client,  # fmt: skip
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                return "unreachable", 0
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                return "too_big", int(declared)
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    return "too_big", len(body)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    except httpx.HTTPError:
        return "unreachable", 0
    image = kind.startswith("image/") or (not kind and bytes(body).startswith(_MAGIC))
    return ("image", len(body)) if image and body else ("wrong_type", len(body))
