"""Shorten a post until it fits: the excerpt first, then hashtags, then the title."""

from __future__ import annotations

from collections.abc import Callable

from distributor.errors import PermanentError
from distributor.formatting.text import cut

Render = Callable[[str, str, tuple[str, ...]], str]
"""Render a post from (title, excerpt, hashtags)."""


class Unformattable(PermanentError):
    """No post within the platform's limits can be made (the template or URL alone is too long)."""


def fit(
    render: Render,
    excess: Callable[[str], int],
    weigh: Callable[[str], int] | None,
    title: str,
    excerpt: str,
    hashtags: tuple[str, ...],
) -> str:
    """The rendered post, with the least cut that makes ``excess(post) <= 0``.

    ``excess`` measures the whole post (how far over the limit, in the platform's units) and
    ``weigh`` estimates one field's share (None: one per character); each step re-measures, so
    the estimate only has to be close, and every step strictly shortens a field, so the loop
    ends.
    """
    size = weigh or len
    text = render(title, excerpt, hashtags)
    over = excess(text)
    while over > 0 and excerpt:
        excerpt = cut(excerpt, size(excerpt) - over, weigh)
        text = render(title, excerpt, hashtags)
        over = excess(text)
    while over > 0 and hashtags:
        keep, freed = len(hashtags), 0
        while keep and freed < over:
            keep -= 1
            freed += size(hashtags[keep]) + 1
        hashtags = hashtags[:keep]
        text = render(title, excerpt, hashtags)
        over = excess(text)
    while over > 0 and title:
        title = cut(title, size(title) - over, weigh)
        text = render(title, excerpt, hashtags)
        over = excess(text)
    if over > 0:
        raise Unformattable(
            f"the post is {over} over the limit with title, excerpt and hashtags emptied"
            " (the template's own text or the URL is too long)"
        )
    return text
