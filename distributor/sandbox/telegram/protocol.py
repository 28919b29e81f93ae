"""Bot API wire protocol: reading arguments the way the Bot API does, and its envelopes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from distributor.errors import DistributorError

_PREFIX = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
}


class BotApiError(DistributorError):
    """A refusal in the Bot API's shape; ``description`` carries Telegram's prefix."""

    def __init__(self, code: int, message: str, parameters: dict[str, int] | None = None) -> None:
        prefix = _PREFIX.get(code) or HTTPStatus(code).phrase
        description = message if message.startswith(prefix) else f"{prefix}: {message}"
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters or {}


def bad_request(message: str) -> BotApiError:
    """400 ``Bad Request: <message>``."""
    return BotApiError(400, message)


def ok(result: Any, description: str | None = None) -> JSONResponse:
    """The success envelope."""
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def refusal(error: BotApiError) -> JSONResponse:
    """The error envelope, with HTTP status equal to ``error_code``."""
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return JSONResponse(body, status_code=error.code)


def plain_refusal(code: int, description: str) -> Response:
    """An envelope for refusals before any method runs (bad token, unknown method)."""
    return JSONResponse({"ok": False, "error_code": code, "description": description}, code)


def to_integer(value: str) -> int:
    """tdlib ``to_integer``: an optional minus and leading digits; anything else reads as 0."""
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    digits = ""
    for ch in text[1:] if sign < 0 else text:
        if not ch.isascii() or not ch.isdigit():
            break
        digits += ch
    return sign * int(digits) if digits else 0


def to_bool(value: str) -> bool:
    """Bot API booleans: ``true``, ``yes`` or ``1``, any case."""
    return value.strip().lower() in ("true", "yes", "1")


@dataclass
class TelegramArgs:
    """All arguments of one call as strings (JSON values re-encoded), plus uploaded files."""

    values: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        """The argument, or an empty string when absent."""
        return self.values.get(name, "")

    def required(self, name: str) -> str:
        """The argument, or ``Bad Request: parameter "<name>" is required``."""
        value = self.arg(name)
        if not value:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def json_arg(self, name: str, what: str) -> Any:
        """A JSON-serialised argument, or ``Can't parse <what> JSON object``; None if absent."""
        value = self.arg(name)
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {what} JSON object") from exc


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as exc:
        raise bad_request("strings must be encoded in UTF-8") from exc


async def read_args(request: Request) -> TelegramArgs:
    """Query string, then body: form-encoded, multipart or JSON, as the Bot API accepts."""
    args = TelegramArgs(dict(request.query_params))
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=64, max_fields=256)
        except Exception as exc:  # python-multipart raises several unrelated types
            raise bad_request("can't parse multipart/form-data request body") from exc
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                args.files[key] = await value.read()
            else:
                args.values[key] = value
        return args
    body = await request.body()
    if ctype == "application/json" and body:
        try:
            data = json.loads(_decode(body))
        except ValueError as exc:
            raise bad_request("can't parse JSON encoded request body") from exc
        if not isinstance(data, dict):
            raise bad_request("JSON object expected as request body")
        args.values.update({k: _as_text(v) for k, v in data.items() if v is not None})
    elif ctype == "application/x-www-form-urlencoded" and body:
        args.values.update(parse_qsl(_decode(body), keep_blank_values=True))
    return args
