"""One article, one destination: the post to send."""

from __future__ import annotations

from distributor.formatting.clean import CleanArticle, clean_article
from distributor.formatting.options import FormatOptions
from distributor.formatting.sharelinks import with_utm
from distributor.formatting.telegram import render_telegram
from distributor.formatting.x import render_x
from distributor.models import Article, Destination, RenderedPost


def render(article: Article, destination: Destination, options: FormatOptions) -> RenderedPost:
    """The post for ``destination`` (raises ``Unformattable``, a PermanentError, if none fits)."""
    return render_clean(clean_article(article), destination, options)


def render_clean(
    article: CleanArticle, destination: Destination, options: FormatOptions
) -> RenderedPost:
    """``render`` for an article already cleaned (clean once, render for many destinations)."""
    template = options.template_for(destination)
    if destination.platform == "telegram":
        return render_telegram(
            article,
            template,
            read_url=with_utm(article.url, "telegram", options.utm_campaign),
            read_label=options.read_more(destination.language, article.language),
        )
    return render_x(article, template)
