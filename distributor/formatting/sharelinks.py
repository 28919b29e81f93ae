"""Share links for the article on each network, with UTM parameters, and a QR code to scan."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import segno

from distributor.formatting.text import html_to_text
from distributor.models import Article

UTM_MEDIUM = "social"
_UTM_KEYS = frozenset({"utm_source", "utm_medium", "utm_campaign"})


def with_utm(url: str, source: str, campaign: str) -> str:
    """``url`` with utm_source/medium/campaign set, its other query items and fragment intact."""
    parts = urlsplit(url)
    kept = [item for item in parts.query.split("&") if item and item.split("=")[0] not in _UTM_KEYS]
    utm = urlencode(
        {"utm_source": source, "utm_medium": UTM_MEDIUM, "utm_campaign": campaign},
        quote_via=quote,
    )
    query = "&".join([*kept, utm])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _q(text: str) -> str:
    return quote(text, safe="")


def _title(article: Article) -> str:
    return html_to_text(article.title)


_BUILDERS: dict[str, Callable[[Article, str], str]] = {
    "facebook": lambda a, u: f"https://www.facebook.com/sharer/sharer.php?u={_q(u)}",
    "x": lambda a, u: f"https://x.com/intent/tweet?text={_q(_title(a))}&url={_q(u)}",
    "whatsapp": lambda a, u: f"https://wa.me/?text={_q(f'{_title(a)} {u}'.strip())}",
    "telegram": lambda a, u: f"https://t.me/share/url?url={_q(u)}&text={_q(_title(a))}",
    "linkedin": lambda a, u: f"https://www.linkedin.com/sharing/share-offsite/?url={_q(u)}",
    "email": lambda a, u: f"mailto:?subject={_q(_title(a))}&body={_q(u)}",
    "line": lambda a, u: f"https://social-plugins.line.me/lineit/share?url={_q(u)}",
    "reddit": lambda a, u: f"https://www.reddit.com/submit?url={_q(u)}&title={_q(_title(a))}",
    "pinterest": lambda a, u: (
        f"https://www.pinterest.com/pin/create/button/?url={_q(u)}"
        + (f"&media={_q(a.image_url)}" if a.image_url else "")
        + f"&description={_q(_title(a))}"
    ),
}
NETWORKS: tuple[str, ...] = tuple(_BUILDERS)
QR_SOURCE = "qr"


def share_url(network: str, article: Article, utm_campaign: str) -> str:
    """The network's share URL for the article (KeyError for a network not in NETWORKS)."""
    build = _BUILDERS[network]
    return build(article, with_utm(article.url, network, utm_campaign))


def share_links(article: Article, utm_campaign: str, tracked_base: str | None) -> dict[str, str]:
    """A link per network: our tracked ``{tracked_base}/s/{id}/{network}`` ones when a base is
    given (they count the click, then redirect to ``share_url``), else the share URLs."""
    if tracked_base:
        base = tracked_base.rstrip("/")
        return {n: f"{base}/s/{quote(article.id, safe='')}/{n}" for n in NETWORKS}
    return {n: share_url(n, article, utm_campaign) for n in NETWORKS}


def qr_png(article: Article, utm_campaign: str, scale: int = 8) -> bytes:
    """A PNG QR code of the article URL (utm_source=qr) for "Scan"."""
    buffer = io.BytesIO()
    qr = segno.make(with_utm(article.url, QR_SOURCE, utm_campaign), error="m", micro=False)
    qr.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
