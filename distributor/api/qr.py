"""The "Scan" button's image: ``GET /s/{article}/qr.svg`` and ``/qr.png``, a QR code of the
article's link tagged ``utm_source=qr`` (docs/architecture.md, "Audience").

The routes sit before the ``/s/...`` share-link catch-all. A code depends only on the link it
encodes, so its ETag is a hash of that link: a browser or CDN revalidates with
``If-None-Match`` and gets a 304 until the article's URL (or the campaign) changes.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import Response
from starlette.routing import Route

from distributor.api.deps import get_container
from distributor.api.shares import published
from distributor.formatting.sharelinks import QR_KINDS, qr_image, qr_target

CACHE_CONTROL = "public, max-age=3600"  # articles rarely change URL; the ETag catches it
_image = lru_cache(maxsize=1024)(qr_image)  # a code costs ~1 ms; popular articles repeat


async def qr_code(request: Request) -> Response:
    """The QR code of one published article, as SVG or PNG; 404 for anything else."""
    kind = request.path_params["kind"]
    if kind not in QR_KINDS:
        raise HTTPException(status_code=404, detail="unknown QR format")
    container = get_container(request)
    article = published(container, request.path_params["article_id"])
    target = qr_target(article, container.settings.utm_campaign)
    etag = '"' + hashlib.sha256(f"{kind}\n{target}".encode()).hexdigest()[:32] + '"'
    headers = {"Cache-Control": CACHE_CONTROL, "ETag": etag, "Access-Control-Allow-Origin": "*"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(_image(target, kind), media_type=QR_KINDS[kind], headers=headers)


def install_qr_routes(app: FastAPI) -> None:
    """Put the QR routes first in ``app``, ahead of the ``/s/...`` share links."""
    app.router.routes[:0] = [
        Route("/s/{article_id}/qr.{kind}", qr_code, methods=["GET", "HEAD"],
              include_in_schema=False),
    ]  # fmt: skip
