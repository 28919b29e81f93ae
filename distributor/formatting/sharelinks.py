"""Share links for the article on each network, with UTM parameters, and a QR code to scan."""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

from distributor.formatting.text import html_to_text
from distributor.models import Article

UTM_MEDIUM = "social"
_UTM_KEYS = frozenset({"utm_source", "utm_medium", "utm_campaign"})
# {u}: the tagged article URL, {t}: the title, {tu}: both, {m}: the image; all URL-encoded
_SHARE: dict[str, str] = {
    "facebook": "https://www.facebook.com/sharer/sharer.php?u={u}",
    "x": "https://x.com/intent/tweet?text={t}&url={u}",
    "whatsapp": "https://wa.me/?text={tu}",
    "telegram": "https://t.me/share/url?url={u}&text={t}",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?url={u}",
    "email": "mailto:?subject={t}&body={u}",
    "line": "https://social-plugins.line.me/lineit/share?url={u}",
    "reddit": "https://www.reddit.com/submit?url={u}&title={t}",
    "pinterest": "https://www.pinterest.com/pin/create/button/?url={u}{m}&description={t}",
}
NETWORKS: tuple[str, ...] = tuple(_SHARE)
QR_SOURCE = "qr"


def with_utm(url: str, source: str, campaign: str) -> str:
    """``url`` with utm_source/medium/campaign set, its other query items and fragment intact."""
    before, after = _utm_around(url, campaign)
    return before + quote(source, safe="") + after


def _utm_around(url: str, campaign: str) -> tuple[str, str]:
    """What goes before and after the utm_source value in ``with_utm``."""
    rest, hash_mark, fragment = url.partition("#")
    base, _, query = rest.partition("?")
    kept = [i for i in query.split("&") if i and i.split("=", 1)[0] not in _UTM_KEYS]
    before = base + "?" + "".join(f"{item}&" for item in kept) + "utm_source="
    after = f"&utm_medium={UTM_MEDIUM}&utm_campaign={quote(campaign, safe='')}"
    return before, after + hash_mark + fragment


class _Shared:
    """One article's URL-encoded pieces, computed once for all its networks."""

    def __init__(self, article: Article, utm_campaign: str) -> None:
        # encoding works character by character, so the encoded pieces can be joined
        before, after = _utm_around(article.url, utm_campaign)
        self.before, self.after = quote(before, safe=""), quote(after, safe="")
        title = html_to_text(article.title)
        self.title = quote(title, safe="")
        self.title_space = f"{self.title}%20" if title else ""
        self.media = f"&media={quote(article.image_url, safe='')}" if article.image_url else ""

    def link(self, network: str) -> str:
        url = self.before + network + self.after
        return _SHARE[network].format(u=url, t=self.title, tu=self.title_space + url, m=self.media)


def share_url(network: str, article: Article, utm_campaign: str) -> str:
    """The network's share URL for the article (KeyError for a network not in NETWORKS)."""
    if network not in _SHARE:
        raise KeyError(network)
    return _Shared(article, utm_campaign).link(network)


class ShareTargets:
    """``share_url`` per (article, revision, network), memoised: the redirect's hot path."""

    def __init__(self, utm_campaign: str, size: int = 50_000) -> None:
        self._campaign = utm_campaign
        self._size = size
        self._urls: dict[tuple[str, int, str], str] = {}

    def get(self, article: Article, network: str) -> str:
        """The network's share URL for this revision of the article."""
        key = (article.id, article.revision, network)
        url = self._urls.get(key)
        if url is None:
            if len(self._urls) >= self._size:
                self._urls.clear()
            url = self._urls[key] = share_url(network, article, self._campaign)
        return url


def share_links(article: Article, utm_campaign: str, tracked_base: str | None) -> dict[str, str]:
    """A link per network: our tracked ``{tracked_base}/s/{id}/{network}`` ones when a base is
    given (they count the click, then redirect to ``share_url``), else the share URLs."""
    if tracked_base:
        base = tracked_base.rstrip("/")
        return {n: f"{base}/s/{quote(article.id, safe='')}/{n}" for n in NETWORKS}
    shared = _Shared(article, utm_campaign)
    return {network: shared.link(network) for network in NETWORKS}


QR_KINDS = {"png": "image/png", "svg": "image/svg+xml"}


def qr_target(article: Article, utm_campaign: str) -> str:
    """What the "Scan" code opens: the article URL tagged ``utm_source=qr``."""
    return with_utm(article.url, QR_SOURCE, utm_campaign)


def qr_image(url: str, kind: str, scale: int = 8) -> bytes:
    """A QR code of ``url`` as PNG or SVG (``kind`` in QR_KINDS), medium error correction,
    the standard four-module quiet zone."""
    buffer = io.BytesIO()
    qr = segno.make(url, error="m", micro=False)
    if kind == "svg":
        qr.save(
            buffer, kind="svg", scale=scale, border=4, light="#fff", xmldecl=False, title="Scan"
        )
    else:
        qr.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_png(article: Article, utm_campaign: str, scale: int = 8) -> bytes:
    """A PNG QR code of the article URL (utm_source=qr) for "Scan"."""
    return qr_image(qr_target(article, utm_campaign), "png", scale)
