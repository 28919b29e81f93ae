"""Every route bounded: a body cap for the whole app, as ASGI middleware (docs/security.md).

A request whose ``Content-Length`` is over the cap is answered 413 before any of it is read;
one that streams more than the cap (chunked, or lying about its length) is cut off with 413 as
soon as the excess arrives, whatever route reads it. A route that never reads its body never
holds it. Header sizes are bounded by the HTTP parser (``api/server.py`` serves with h11, whose
buffer for an incomplete request head is capped).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from distributor.api.errors import error_response

_MAX_LENGTH_DIGITS = 18  # anything longer is over every cap (and over Python's int parsing)


class BodyTooLarge(HTTPException):
    """The body went past the cap while it was being read (FastAPI passes it on as it is)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"body exceeds the limit of {limit} bytes")


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._check_declared(scope)
        if refusal is not None:
            status, message = refusal
            await error_response(status, message)(scope, receive, send)
            return
        received = 0
        started = False

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded_receive, tracked_send)
        except BodyTooLarge as exc:  # read outside a route's error handling
            if started:
                raise
            await error_response(413, str(exc.detail))(scope, receive, send)

    def _check_declared(self, scope: Scope) -> tuple[int, str] | None:
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is None:
            return None
        text = declared.decode("latin-1").strip()
        if not text.isascii() or not text.isdigit():
            return 400, f"Content-Length is not a number: {text[:40]!r}"
        if len(text) > _MAX_LENGTH_DIGITS or int(text) > self.limit:
            return 413, f"body is {text[:40]} bytes, the limit is {self.limit}"
        return None
