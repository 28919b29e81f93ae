"""Reshares on the desk: the Calendar page (scheduled reshares and evergreen picks by day and
hour, "Cancel" in place) and the Article page's "Reshare" form. The work is issue 10's, reached
through ``ports.Reshares``; until it is merged the page says so and both POSTs answer 501."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.pages import back, render
from distributor.desk.ports import RESHARES_ISSUE, Reshares, ports_of
from distributor.desk.sessions import Manager
from distributor.errors import InvalidInput

router = APIRouter(prefix="/manage", include_in_schema=False)
Planner = Annotated[Manager, Depends(guard.needs(guard.RESHARE))]
Resharer = Annotated[Manager, Depends(guard.posting(guard.RESHARE))]
Week = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ArticleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]


def _reshares(request: Request) -> Reshares:
    found = ports_of(request).reshares
    if found is None:
        raise guard.DeskRefusal(
            501, f"Reshares are not available until {RESHARES_ISSUE} is merged."
        )
    return found


@router.get("/calendar", response_class=HTMLResponse)
def calendar(
    request: Request, container: ContainerDep, manager: Planner, week: Week = None
) -> HTMLResponse:
    """One week (Monday first) of reshares, by day and hour in the newsroom's zone."""
    zone = ZoneInfo(container.settings.timezone)
    today = datetime.fromtimestamp(container.clock(), zone).date()
    try:
        day = date.fromisoformat(week) if week else today
    except ValueError:
        raise guard.DeskRefusal(400, f"Not a date: {week}") from None
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(), zone)
    reshares = ports_of(request).reshares
    entries = reshares.list_reshares(start, start + timedelta(days=7)) if reshares else ()
    by_day: dict[date, list[object]] = {monday + timedelta(days=n): [] for n in range(7)}
    for entry in sorted(entries, key=lambda e: e.due_at):
        by_day.setdefault(entry.due_at.astimezone(zone).date(), []).append(entry)
    return render(
        request, "calendar.html", manager, available=reshares is not None,
        issue=RESHARES_ISSUE, by_day=by_day, monday=monday,
        previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
    )  # fmt: skip


@router.post("/reshares/{reshare_id}/cancel")
def cancel(
    reshare_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9._:-]{1,128}$")],
    request: Request,
    manager: Resharer,
) -> RedirectResponse:
    """Cancel a reshare that has not started."""
    cancelled = _reshares(request).cancel_reshare(reshare_id, manager.name)
    said = "cancelled" if cancelled else "not cancelled: it has started or was already settled"
    return back(request, "/manage/calendar", f"Reshare {reshare_id} {said}.")


@router.post("/articles/{article_id}/reshare")
def reshare(
    article_id: ArticleId,
    request: Request,
    container: ContainerDep,
    manager: Resharer,
    destinations: Annotated[list[str], Form(max_length=32)],
    at: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=280)] = "",
    force: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Reshare now or at ``at`` (the newsroom's local time); "Ignore cooldown" needs the
    force scope."""
    if force and not manager.can(guard.FORCE):
        raise guard.DeskRefusal(403, f"The token “{manager.name}” lacks the scope “{guard.FORCE}”.")
    zone = ZoneInfo(container.settings.timezone)
    try:
        when = datetime.fromisoformat(at).replace(tzinfo=zone) if at else None
    except ValueError:
        raise guard.DeskRefusal(400, f"Not a time: {at}") from None
    to = f"/manage/articles/{article_id}" if manager.can(guard.READ) else "/manage/calendar"
    try:
        answer = _reshares(request).reshare(
            article_id, destinations, when, text, force, manager.name
        )
    except InvalidInput as exc:
        return back(request, to, f"Not reshared: {exc}")
    said = "; ".join(f"{dest}: {what}" for dest, what in answer.outcomes.items())
    return back(request, to, f"Reshare {answer.reshare_id or 'refused'}: {said}")
