"""``POST /telegram/webhook``: Telegram's updates for the readers' bot (docs/architecture.md,
"Readers").

Telegram proves each request with the secret token given to setWebhook, in the
``X-Telegram-Bot-Api-Secret-Token`` header (compared in constant time). An accepted update is
queued for `distributor bot` once per ``update_id`` and answered at once, so a slow command
never makes Telegram send it again.
"""

from __future__ import annotations

import hmac
import json

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from distributor.api.deps import ContainerDep
from distributor.api.events import require_json
from distributor.errors import InvalidInput

router = APIRouter(tags=["telegram"])
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_UPDATE_BYTES = 256 * 1024  # updates are a few KB; a message is at most 4096 characters


@router.post("/telegram/webhook", status_code=200)
async def telegram_webhook(request: Request, container: ContainerDep) -> JSONResponse:
    """Queue one update for the bot (401 without the right secret token)."""
    secret = container.settings.telegram_webhook_secret_value()
    if secret is None:
        raise HTTPException(404, "the Telegram webhook is not configured")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise HTTPException(401, f"missing or wrong {SECRET_HEADER}")
    require_json(request.headers.get("content-type"))
    body = await request.body()  # at most max_body_bytes (api/limits.py), and then:
    if len(body) > MAX_UPDATE_BYTES:
        raise InvalidInput(f"the update exceeds the limit of {MAX_UPDATE_BYTES} bytes", 413)
    try:
        update = json.loads(body)
    except ValueError as exc:
        raise InvalidInput(f"the update is not JSON: {exc}", 400) from exc
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise InvalidInput("an update is a JSON object with a non-negative integer update_id")
    raw = body.decode("utf-8", "replace")
    queued = await run_in_threadpool(container.bot_inbox.accept, update_id, raw)
    return JSONResponse({"ok": True, "duplicate": not queued})
