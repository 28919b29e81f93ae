"""Routing tweepy's hard-coded hosts to another base URL (the sandbox) without patching tweepy."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

X_HOSTS = ("https://api.twitter.com", "https://upload.twitter.com", "https://api.x.com")


class HasSession(Protocol):
    """``tweepy.Client`` and ``tweepy.API`` both keep their ``requests.Session`` here."""

    session: requests.Session


class RerouteAdapter(HTTPAdapter):
    """Sends every request to ``base_url`` (same path and query), with a default timeout."""

    def __init__(self, base_url: str, timeout: float | None) -> None:
        super().__init__()
        parts = urlsplit(base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Rewrite the scheme and host, then send as usual."""
        original = urlsplit(request.url or "")
        rest = original.path + (f"?{original.query}" if original.query else "")
        request.url = f"{self._origin}{self._prefix}{rest}"
        timeout = self._timeout if timeout is None else timeout
        return super().send(request, stream, timeout, verify, cert, proxies)


def route_tweepy_to(client: HasSession, base_url: str, timeout: float | None = 10.0) -> None:
    """Send ``client``'s calls to X (API and upload hosts) to ``base_url`` instead.

    tweepy 4.17's ``Client`` hard-codes ``https://api.twitter.com`` and sets no timeout;
    ``tweepy.API`` uploads media to ``https://upload.twitter.com``. The adapter is mounted
    on the client's own session, so OAuth signing and error handling stay tweepy's.
    ``timeout`` (seconds) applies when tweepy passes none.
    """
    adapter = RerouteAdapter(base_url, timeout)
    for host in X_HOSTS:
        client.session.mount(host, adapter)
    read_environment_once(client.session)


def read_environment_once(session: requests.Session) -> None:
    """Take proxies and the CA bundle from the environment now, for every later request.

    With ``trust_env`` on, requests re-reads and re-parses ``os.environ`` for proxy settings
    on every call (about 0.2 ms); a worker's environment does not change. When ``NO_PROXY``
    treats the X hosts differently, requests keeps deciding per request.
    """
    proxies = [requests.utils.get_environ_proxies(host) for host in X_HOSTS]
    if any(found != proxies[0] for found in proxies):
        return
    session.proxies.update(proxies[0])
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and session.verify is True:
        session.verify = bundle
    session.trust_env = False
