"""The Today page: the day's articles in publish order, a chip per destination, kept live by
polling the rows fragment while the page is open (``static/desk.js``)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard, queries
from distributor.desk.pages import fragment, render
from distributor.desk.sessions import Manager
from distributor.manage.tokens import READ
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
Reader = Annotated[Manager, Depends(guard.needs(READ))]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Page = Annotated[int, Query(ge=0, le=1000)]


def _day(container: Container, day: str | None) -> date:
    zone = ZoneInfo(container.settings.timezone)
    if day is None:
        return datetime.fromtimestamp(container.clock(), zone).date()
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise guard.DeskRefusal(400, f"Not a date: {day}") from None


def _rows(container: Container, chosen: date, page: int) -> tuple[list[queries.Row], bool]:
    start, end = queries.day_bounds(chosen, ZoneInfo(container.settings.timezone))
    rows = queries.day_rows(container, start, end, page)
    return rows[: queries.PAGE_SIZE], len(rows) > queries.PAGE_SIZE


@router.get("", response_class=HTMLResponse)
def today(
    request: Request, container: ContainerDep, manager: Reader, day: Day = None, page: Page = 0
) -> HTMLResponse:
    """The articles published on ``day`` (the newsroom's today by default), newest first."""
    chosen = _day(container, day)
    rows, more = _rows(container, chosen, page)
    latest = None if rows else container.articles.latest_time()
    return render(
        request, "today.html", manager, rows=rows, more=more, page=page, day=chosen,
        previous=chosen - timedelta(days=1), following=chosen + timedelta(days=1),
        latest=latest, refresh=f"/manage/today/rows?day={chosen.isoformat()}&page={page}",
    )  # fmt: skip


@router.get("/today/rows", response_class=HTMLResponse)
def today_rows(
    request: Request, container: ContainerDep, manager: Reader, day: Day = None, page: Page = 0
) -> HTMLResponse:
    """The rows of the Today table alone, for the page to swap in while a fan-out runs."""
    rows, _ = _rows(container, _day(container, day), page)
    return fragment(request, "_today_rows.html", manager, rows=rows)
