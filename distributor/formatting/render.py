"""One article, one destination: the post to send."""

from __future__ import annotations

from functools import lru_cache

from distributor.formatting.clean import clean_article
from distributor.formatting.options import FormatOptions
from distributor.formatting.sharelinks import with_utm
from distributor.formatting.telegram import limit_for, render_telegram
from distributor.formatting.weighted import MAX_WEIGHT
from distributor.formatting.x import render_x
from distributor.models import Article, Destination, RenderedPost

# One article usually goes to several destinations of the same platform (two Telegram
# channels): clean it once per (article, limit, fields used). Articles are frozen and hashable.
_clean = lru_cache(maxsize=512)(clean_article)


def render(article: Article, destination: Destination, options: FormatOptions) -> RenderedPost:
    """The post for ``destination`` (raises ``Unformattable``, a PermanentError, if none fits).

    Only what the destination's template uses is cleaned, and the excerpt only as far as the
    platform's limit can show.
    """
    template = options.template_for(destination)
    telegram = destination.platform == "telegram"
    limit = limit_for(article.image_url) if telegram else MAX_WEIGHT
    clean = _clean(article, excerpt_limit=limit, uses=template.variables)
    if telegram:
        return render_telegram(
            clean,
            template,
            read_url=with_utm(article.url, "telegram", options.utm_campaign),
            read_label=options.read_more(destination.language, article.language),
        )
    return render_x(clean, template)
