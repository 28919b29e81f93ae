"""The Trending page: the now / today / week boards, the whole site's and each category's,
each article with a sparkline of its events (from the score's own explanation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from distributor.api.deps import ContainerDep
from distributor.audience.trending import HOUR, WINDOWS, Entry
from distributor.desk import guard
from distributor.desk.charts import sparkline
from distributor.desk.pages import render
from distributor.desk.sessions import Manager
from distributor.formatting.text import html_to_text
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
Anyone = Annotated[Manager, Depends(guard.needs(None))]
Window = Annotated[str, Query(pattern=f"^({'|'.join(WINDOWS)})$")]
TOP, PER_CATEGORY, MAX_CATEGORIES = 20, 5, 12
# sparkline span and step per window: a day by the hour, a week by six hours
SPANS = {"now": (24, HOUR), "today": (24, HOUR), "week": (28, 6 * HOUR)}


@dataclass(frozen=True)
class BoardRow:
    """One article on a board."""

    article_id: str
    title: str
    category: str
    score: float
    events: int
    spark: Markup


@dataclass(frozen=True)
class Board:
    """A board's heading and its rows."""

    heading: str
    rows: tuple[BoardRow, ...]


def _rows(
    container: Container, window: str, entries: Sequence[Entry], seen: dict[str, BoardRow]
) -> tuple[BoardRow, ...]:
    """Board rows; ``seen`` keeps the rows already made in this request (an article on the
    site's board is usually on its category's too)."""
    fresh = [e.article_id for e in entries if e.article_id not in seen]
    found = container.articles.many(fresh)
    points, step = SPANS[window]
    now = container.clock()
    first = (now // step - points + 1) * step
    rows = []
    for entry in entries:
        if entry.article_id in seen:
            rows.append(replace(seen[entry.article_id], score=entry.score))
            continue
        if entry.article_id not in found or not found[entry.article_id][1]:
            continue  # unknown or unpublished: the site would not show it either
        article = found[entry.article_id][0]
        values = [0.0] * points
        explained = container.trending.explain(entry.article_id, window, now)
        for item in explained.items if explained else ():
            slot = int((item.bucket_start.timestamp() - first) // step)
            if 0 <= slot < points:
                values[slot] += item.events
        total = int(sum(values))
        span = "24 hours" if points * step <= 24 * HOUR else "7 days"
        label = f"{total} events in the last {span}, oldest first"
        title = html_to_text(article.title)
        spark = sparkline(values, label=label)
        seen[entry.article_id] = BoardRow(
            article.id, title, article.category, entry.score, total, spark
        )
        rows.append(seen[entry.article_id])
    return tuple(rows)


@router.get("/trending", response_class=HTMLResponse)
def trending(
    request: Request, container: ContainerDep, manager: Anyone, window: Window = "now"
) -> HTMLResponse:
    """The site's board and each category's top articles for one window."""
    container.clicks.flush()
    board = container.trending
    seen: dict[str, BoardRow] = {}
    boards = [Board("Whole site", _rows(container, window, board.top(window, None, TOP), seen))]
    for category in board.categories()[:MAX_CATEGORIES]:
        rows = _rows(container, window, board.top(window, category, PER_CATEGORY), seen)
        if rows:
            boards.append(Board(category.title(), rows))
    return render(
        request, "trending.html", manager, boards=boards, window=window, windows=WINDOWS,
        half_life_h=board.config.half_lives_s[window] / HOUR,
    )  # fmt: skip
