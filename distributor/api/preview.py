"""``POST /v1/preview``: the posts and share links an article would get, nothing sent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from distributor.api.deps import ContainerDep
from distributor.errors import InvalidInput
from distributor.formatting import Unformattable
from distributor.formatting.render import build_preview
from distributor.models import Article

router = APIRouter(tags=["preview"])


@router.post("/v1/preview")
def preview(article: Article, container: ContainerDep) -> dict[str, Any]:
    """The Telegram call, tweet and share links for the default destinations (the article
    in the body); 422 when the article cannot be formatted."""
    try:
        return build_preview(article, container.routing.preview_order(), container.format_options)
    except Unformattable as exc:
        raise InvalidInput(str(exc)) from exc
