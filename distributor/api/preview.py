"""``POST /v1/preview``: the posts and share links an article would get, nothing sent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from distributor.api.deps import ServicesDep
from distributor.errors import InvalidInput
from distributor.formatting import FormatOptions, Unformattable
from distributor.formatting.preview import build_preview
from distributor.models import Article

router = APIRouter(tags=["preview"])


def get_format_options(request: Request, services: ServicesDep) -> FormatOptions:
    """The app's ``FormatOptions``, built from its settings on first use, kept on ``app.state``."""
    options: FormatOptions | None = getattr(request.app.state, "format_options", None)
    if options is None:
        options = FormatOptions.from_settings(services.settings)
        request.app.state.format_options = options
    return options


FormatOptionsDep = Annotated[FormatOptions, Depends(get_format_options)]


@router.post("/v1/preview")
def preview(article: Article, services: ServicesDep, options: FormatOptionsDep) -> dict[str, Any]:
    """The Telegram call, tweet and share links for the default destinations (ARCHITECTURE §3
    article in the body); 422 when the article cannot be formatted."""
    try:
        return build_preview(article, services.routing.preview_order(), options)
    except Unformattable as exc:
        raise InvalidInput(str(exc)) from exc
