"""python-telegram-bot's ``Bot`` over aiohttp, for the readers' batch sends.

PTB's default transport (httpx on anyio) cost about 2.2 ms of CPU per request on the
development machine, aiohttp about 0.4 ms (bench/readers.py, docs/benchmarks.md): at thousands
of reader messages that is the difference between a batch being cheaper than a Celery task and
five times dearer. PTB itself (arguments, JSON, its exceptions) is unchanged; only the HTTP
client underneath is swapped through its ``BaseRequest`` interface. One keep-alive pool per
process, as large as the sends a batch keeps in flight.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# the request never reached Telegram: no connection could be made (or taken from the pool)
NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
)


_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one ``aiohttp.ClientSession`` (created on the running loop)."""

    def __init__(self, connections: int, timeout_s: float) -> None:
        self._connections = connections
        self._timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout."""
        return self._timeout_s

    async def initialize(self) -> None:
        """Open the session (on the loop that will use it)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=30)
            # the Bot API sets no cookies: no jar to filter for every request and update after
            jar = aiohttp.DummyCookieJar()
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=jar)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One call; PTB turns the status and body into a result or its exception."""
        await self.initialize()
        assert self._session is not None
        timeout = aiohttp.ClientTimeout(
            connect=_seconds(pool_timeout, self._timeout_s)
            + _seconds(connect_timeout, self._timeout_s),
            sock_read=_seconds(read_timeout, self._timeout_s),
        )
        data: Any = None
        headers = None
        if request_data is not None and request_data.contains_files:
            data = aiohttp.FormData(request_data.json_parameters)
            for name, (filename, content, mime) in request_data.multipart_data.items():
                data.add_field(name, content, filename=filename, content_type=mime)
        elif request_data is not None:  # a JSON body: no form encoding of every value
            data, headers = request_data.json_payload, _JSON
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as resp:
                return resp.status, await resp.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise NetworkError(f"aiohttp: {exc!r}") from exc
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {exc!r}") from exc


def _seconds(value: Any, default: float) -> float:
    """A PTB timeout argument: a number, or the default for DEFAULT_NONE / None."""
    if isinstance(value, DefaultValue) or value is None:
        return default
    return float(value)
