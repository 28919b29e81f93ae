"""A WordPress posts endpoint over real HTTP, for the watcher's tests.

It answers ``GET /wp-json/wp/v2/posts`` the way WordPress 6 does for the parameters the watcher
sends: ``modified_after`` (exclusive), ``orderby=modified&order=asc``, ``status`` (anything but
``publish`` needs credentials: 400 ``rest_invalid_param`` without), ``per_page``/``page`` with
``X-WP-Total``/``X-WP-TotalPages`` and 400 ``rest_post_invalid_page_number`` past the last page.
Post bodies are the seed article shaped as WordPress's JSON (tests/intake/wordpress.py). A test
can queue faults (status and headers) that are answered before anything else.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.support.wordpress_post import wordpress_post

USER, APP_PASSWORD = "watcher", "abcd EFGH ijkl MNOP qrst UVWX"


def gmt(value: datetime) -> str:
    """WordPress's ``*_gmt`` format: UTC without a zone."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class FakeSite:
    """The site's posts, the faults still to answer, and the query of every request."""

    posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)

    def put(
        self,
        post_id: int,
        modified: datetime,
        status: str = "publish",
        published: datetime | None = None,
    ) -> dict[str, Any]:
        """Create or replace a post; first published at ``published`` (``modified`` when unset)."""
        post = wordpress_post(status=status, modified=modified)
        post.update(
            id=post_id,
            link=f"https://visualjambi.example/{post_id}/",
            title={"rendered": f"Berita nomor {post_id}"},
            date_gmt=gmt(published or modified),
            modified_gmt=gmt(modified),
        )
        self.posts[post_id] = post
        return post

    def app(self) -> FastAPI:
        """The ASGI app serving this site."""
        app = FastAPI()

        @app.get("/wp-json/wp/v2/posts")
        def posts(request: Request) -> Response:
            query = dict(request.query_params)
            self.requests.append(query)
            if self.faults:
                status, headers = self.faults.pop(0)
                return JSONResponse({"code": "fault"}, status, headers)
            statuses = query.get("status", "publish").split(",")
            if statuses != ["publish"] and not _authenticated(request):
                return _error(400, "rest_invalid_param", "Invalid parameter(s): status")
            after = datetime.fromisoformat(query["modified_after"]).astimezone(UTC)
            found = sorted(
                (
                    p
                    for p in self.posts.values()
                    if p["status"] in statuses
                    and datetime.fromisoformat(p["modified_gmt"]).replace(tzinfo=UTC) > after
                ),
                key=lambda p: (p["modified_gmt"], p["id"]),
            )
            per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
            pages = math.ceil(len(found) / per_page)
            if page > max(pages, 1):
                return _error(400, "rest_post_invalid_page_number", "The page number is too large")
            headers = {"X-WP-Total": str(len(found)), "X-WP-TotalPages": str(pages)}
            return JSONResponse(found[(page - 1) * per_page : page * per_page], headers=headers)

        return app


def _authenticated(request: Request) -> bool:
    expected = base64.b64encode(f"{USER}:{APP_PASSWORD}".encode()).decode()
    return request.headers.get("authorization") == f"Basic {expected}"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": {"status": status}}, status)
