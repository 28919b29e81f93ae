"""The Article page: deliveries and their history, each destination's post as its app shows
it, shares per network per day, the trending score and what sums to it, and the "Reshare" form
with the article's reshares (``desk.reshares``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from distributor.api.deps import ContainerDep
from distributor.audience.trending import WINDOWS, Explanation
from distributor.audience.visitors import utc_day
from distributor.desk import guard, queries
from distributor.desk.charts import colour, stacked_bars
from distributor.desk.pages import render
from distributor.desk.post_view import TelegramView, telegram_view, tweet_body
from distributor.desk.reshares import article_reshares
from distributor.desk.sessions import Manager
from distributor.errors import DistributorError
from distributor.manage.tokens import READ, RESHARE
from distributor.models import Article, Destination
from distributor.publishing.routing import route
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
Reader = Annotated[Manager, Depends(guard.needs(READ))]
ArticleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
CHART_DAYS = 14
HISTORY_LINES = 200


@dataclass(frozen=True)
class PostPreview:
    """One destination's post: drawn as its app shows it, or why it cannot be made."""

    destination: Destination
    telegram: TelegramView | None = None
    tweet: str | None = None
    photo_url: str | None = None
    error: str | None = None


def previews(container: Container, article: Article, destinations: list[str]) -> list[PostPreview]:
    """The post each destination gets for this revision (the formatter's own output)."""
    out = []
    for name in destinations:
        dest = queries.destination(container.routing, name)
        if dest is None:
            continue
        try:
            post = container.render(article, dest)
        except DistributorError as exc:
            out.append(PostPreview(dest, error=str(exc)))
            continue
        if dest.platform == "telegram":
            out.append(PostPreview(dest, telegram=telegram_view(post)))
        else:
            out.append(PostPreview(dest, tweet=tweet_body(post.text), photo_url=post.photo_url))
    return out


def share_chart(
    container: Container, article_id: str
) -> tuple[object, list[str], dict[str, list[int]]]:
    """The last ``CHART_DAYS`` UTC days of shares per network: (SVG, day labels, series)."""
    today = datetime.fromtimestamp(container.clock(), UTC).date()
    days = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    keys = [utc_day(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) for d in days]
    daily = container.shares.daily(article_id, keys)
    networks = sorted({n for counts in daily.values() for n in counts})
    series = {n: [daily[k].get(n, 0) for k in keys] for n in networks}
    labels = [d.strftime("%d %b") for d in days]
    title = f"Shares per network per day, last {CHART_DAYS} days (UTC)"
    return stacked_bars(labels, series, title=title), labels, series


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    article_id: ArticleId, request: Request, container: ContainerDep, manager: Reader
) -> HTMLResponse:
    """Everything the desk knows about one article."""
    article = container.articles.get(article_id)
    if article is None:
        raise guard.DeskRefusal(404, f"No article {article_id} in the article store.")
    ledger = container.ledger
    deliveries = ledger.list_deliveries(article_id)
    history = list(reversed(ledger.history(article_id)))[:HISTORY_LINES]
    names = sorted({d.destination for d in deliveries}) or [
        d.id for d in route(article, container.routing)
    ]
    container.clicks.flush()
    chart, labels, series = share_chart(container, article_id)
    explanations: dict[str, Explanation | None] = {
        w: container.trending.explain(article_id, w) for w in WINDOWS
    }
    can_reshare = manager.can(RESHARE)
    return render(
        request, "article.html", manager, article=article,
        published=container.articles.is_published(article_id),
        chips=queries.chips(container, deliveries), deliveries=deliveries, history=history,
        reshare_deliveries=ledger.list_deliveries(article_id, reshares=True),
        posts=previews(container, article, names), counts=container.shares.counts(article_id),
        chart=chart, labels=labels, series=series, colour=colour,
        explanations=explanations, can_reshare=can_reshare,
        live=sorted(ledger.live_posts(article_id, names)) if can_reshare else [],
        reshares=article_reshares(container, article_id) if can_reshare else [],
        here=f"/manage/articles/{article_id}",
    )  # fmt: skip
