"""``POST /v1/preview``: the posts and share links an article would get, nothing sent.

Behind a token with the ``preview`` scope (the CMS or a desk tool calls it): it renders on our
CPU for whoever asks, so it is not open to everyone (docs/security.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.config import ApiToken
from distributor.errors import InvalidInput
from distributor.formatting import Unformattable
from distributor.formatting.render import build_preview
from distributor.models import Article

router = APIRouter(tags=["preview"])


@router.post("/v1/preview")
def preview(
    article: Article,
    container: ContainerDep,
    _token: Annotated[ApiToken, Depends(require_scope("preview"))],
) -> dict[str, Any]:
    """The Telegram call, tweet and share links for the default destinations (the article
    in the body); 422 when the article cannot be formatted."""
    try:
        return build_preview(article, container.routing.preview_order(), container.format_options)
    except Unformattable as exc:
        raise InvalidInput(str(exc)) from exc
