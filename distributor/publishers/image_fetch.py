"""Fetching an article's featured image for upload, guarded against server-side request forgery.

The image URL comes from the CMS, so it must not reach inside our network: every connection
(redirects included) resolves the host once, refuses it unless every address is public (no
private, loopback, link-local, shared, reserved or multicast address, IPv4-mapped ones
included) or inside a configured allowed network (the sandbox and tests serve images on
loopback), and connects to the address it checked, so a DNS answer cannot change between
the check and the connection. TLS still verifies the host name. Environment proxies are not
used (through a proxy the guard could not see the destination). Size and time are bounded:
at most ``max_bytes`` read, the whole fetch within ``timeout_s``; the type is sniffed from
the bytes (JPEG, PNG, GIF, WEBP), not taken from the server's word.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore

from distributor.errors import DistributorError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_IMAGE_BYTES = 5 * 1024 * 1024  # X's limit for an image (docs.x.com, media introduction)
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


class ImageRefused(DistributorError):
    """The image cannot be fetched or used; the message says why (nothing is retried)."""


@dataclass(frozen=True, slots=True)
class FetchedImage:
    """An image's bytes and its sniffed media type."""

    data: bytes
    media_type: str


def sniff(data: bytes) -> str | None:
    """The image type the bytes start with, or None for anything else."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def address_allowed(address: str, allowed: Sequence[IPNetwork] = ()) -> bool:
    """Whether a connection to ``address`` may be made: public, or in an allowed network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed):
        return True
    return ip.is_global and not ip.is_multicast


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, connecting only to addresses ``address_allowed`` accepts."""

    def __init__(self, allowed: Sequence[IPNetwork]) -> None:
        self._allowed = allowed
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ImageRefused(f"cannot resolve {host}: {exc}") from exc
        addresses = [str(info[4][0]) for info in infos]
        refused = [a for a in addresses if not address_allowed(a, self._allowed)]
        if refused or not addresses:
            raise ImageRefused(f"{host} resolves to a non-public address ({', '.join(refused)})")
        return self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise ImageRefused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class ImageFetcher:
    """GETs images over a connection pool whose every connection is guarded (module doc)."""

    def __init__(
        self,
        allowed_networks: Sequence[IPNetwork] = (),
        *,
        max_bytes: int = MAX_IMAGE_BYTES,
        timeout_s: float = 10.0,
        user_agent: str = "distributor (featured image for X)",
    ) -> None:
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self._headers = [(b"User-Agent", user_agent.encode()), (b"Accept", b"image/*")]
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(),
            network_backend=_GuardedBackend(tuple(allowed_networks)),
            max_connections=4,
        )

    def fetch(self, url: str) -> FetchedImage:
        """The image at ``url`` (following up to three redirects); ImageRefused otherwise."""
        deadline = time.monotonic() + self.timeout_s
        for _ in range(MAX_REDIRECTS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise ImageRefused(f"not an http(s) URL: {url[:200]!r}")
            location = self._get(url, deadline)
            if isinstance(location, FetchedImage):
                return location
            url = urljoin(url, location)
        raise ImageRefused(f"more than {MAX_REDIRECTS} redirects")

    def _get(self, url: str, deadline: float) -> FetchedImage | str:
        """The image, or where a redirect points."""
        left = max(0.1, deadline - time.monotonic())
        timeouts = {"connect": left, "read": left, "write": left, "pool": left}
        try:
            with self._pool.stream(
                "GET", url, headers=self._headers, extensions={"timeout": timeouts}
            ) as response:
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers
                }
                if response.status in _REDIRECTS and "location" in headers:
                    return headers["location"]
                if response.status != 200:
                    raise ImageRefused(f"image answered HTTP {response.status}")
                declared = headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise ImageRefused(f"image is {declared} bytes, over {self.max_bytes}")
                data = self._read(response.iter_stream(), deadline)
        except httpcore.TimeoutException as exc:
            raise ImageRefused(f"image fetch timed out: {exc}") from exc
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise ImageRefused(f"image fetch failed: {type(exc).__name__}: {exc}") from exc
        media_type = sniff(data)
        if media_type is None:
            raise ImageRefused("not a JPEG, PNG, GIF or WEBP image")
        return FetchedImage(data, media_type)

    def _read(self, chunks: Iterable[bytes], deadline: float) -> bytes:
        body = bytearray()
        for chunk in chunks:
            body += chunk
            if len(body) > self.max_bytes:
                raise ImageRefused(f"image is over {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise ImageRefused(f"image fetch took over {self.timeout_s:g} s")
        return bytes(body)

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.close()
