"""Reshares on the desk: the Calendar page (a week of reshares by day and hour, the evergreen
rotation's picks marked, "Cancel" in place) and the Article page's "Reshare" form and its
answers. Actions go through ``Container.managers`` (audited under the signed-in token's name),
reads through ``Container.reshares`` (docs/managers.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import StringConstraints, TypeAdapter, ValidationError

from distributor.api.deps import ContainerDep
from distributor.desk import guard, queries
from distributor.desk.pages import back, local_time, render
from distributor.desk.sessions import Manager
from distributor.errors import Refused
from distributor.formatting.reshare import LeadText
from distributor.manage.tokens import READ, RESHARE
from distributor.publishing.reshares.records import Reshare, Target, TargetStatus
from distributor.publishing.routing.manager_rules import EvergreenRules
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
Planner = Annotated[Manager, Depends(guard.needs(RESHARE))]
Resharer = Annotated[Manager, Depends(guard.posting(RESHARE))]
Week = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ArticleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
ReshareId = Annotated[str, Path(pattern=r"^rs_[0-9a-f]{16}$")]
DestinationId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
CALENDAR_LIMIT = 500  # ``ReshareStore.calendar``'s: a week shows at most this many reshares
ARTICLE_RESHARES = 50  # the Article page lists this many of the article's newest reshares
WHEN = "%a %d %b %H:%M %Z"
_lead = TypeAdapter(LeadText)


@dataclass(frozen=True)
class Entry:
    """One destination of a reshare, with where its post can be seen once sent."""

    target: Target
    url: str | None


@dataclass(frozen=True)
class Row:
    """The destinations of one reshare due at one time: a line of the calendar."""

    reshare: Reshare
    title: str
    at: datetime
    entries: tuple[Entry, ...]

    @property
    def cancellable(self) -> bool:
        """Whether a destination still waits for its time (``Cancel`` stops those)."""
        return any(e.target.status is TargetStatus.SCHEDULED for e in self.entries)


@dataclass(frozen=True)
class Rotation:
    """A destination's evergreen rotation: its rules and when its next slot opens."""

    destination: str
    rules: EvergreenRules
    next_slot: float


def rows_of(container: Container, reshares: Sequence[Reshare]) -> list[Row]:
    """Reshares as calendar lines (a reshare whose destinations were moved to different times
    by quiet hours gives a line per time), earliest first."""
    titles = container.articles.many(sorted({r.article_id for r in reshares}))
    sandbox, rows = container.settings.sandbox, []
    for reshare in reshares:
        found = titles.get(reshare.article_id)
        title = found[0].title if found else reshare.article_id
        by_time: dict[datetime, list[Entry]] = {}
        for t in reshare.targets:
            url = None
            if t.status is TargetStatus.SENT and t.message_ids:
                dest = queries.destination(container.routing, t.destination)
                url = queries.link(dest, t.message_ids[0], sandbox)
            by_time.setdefault(t.at or reshare.created_at, []).append(Entry(t, url))
        rows += [Row(reshare, title, at, tuple(entries)) for at, entries in by_time.items()]
    return sorted(rows, key=lambda row: row.at)


def article_reshares(container: Container, article_id: str) -> list[Row]:
    """The article's newest ``ARTICLE_RESHARES`` reshares as lines, newest first."""
    found = container.reshares.many(container.reshare_store.of_article(article_id))
    newest = sorted(found, key=lambda r: r.created_at, reverse=True)
    return rows_of(container, newest[:ARTICLE_RESHARES])[::-1]


def rotations(container: Container) -> list[Rotation]:
    """The evergreen rotations in the routing file and their next slots (nothing ranked)."""
    rules = container.routing.evergreen
    return [Rotation(d, rules[d], at) for d, at in container.evergreen.next_slots().items()]


@router.get("/calendar", response_class=HTMLResponse)
def calendar(
    request: Request, container: ContainerDep, manager: Planner, week: Week = None
) -> HTMLResponse:
    """One week (Monday first) of reshares in any state, by day and hour in the newsroom's
    zone, and the evergreen rotations' next slots."""
    zone = ZoneInfo(container.settings.timezone)
    today = datetime.fromtimestamp(container.clock(), zone).date()
    try:
        day = date.fromisoformat(week) if week else today
    except ValueError:
        raise guard.DeskRefusal(400, f"Not a date: {week}") from None
    monday = day - timedelta(days=day.weekday())
    start = datetime.combine(monday, time(), zone)
    found = container.reshares.calendar(start.timestamp(), (start + timedelta(days=7)).timestamp())
    by_day: dict[date, list[Row]] = {monday + timedelta(days=n): [] for n in range(7)}
    for row in rows_of(container, found):
        by_day.setdefault(row.at.astimezone(zone).date(), []).append(row)
    here = f"/manage/calendar?week={monday.isoformat()}"
    return render(
        request, "calendar.html", manager, by_day=dict(sorted(by_day.items())), monday=monday,
        today=today, previous=monday - timedelta(days=7), following=monday + timedelta(days=7),
        full=len(found) >= CALENDAR_LIMIT, limit=CALENDAR_LIMIT, here=here,
        rotations=rotations(container),
    )  # fmt: skip


@router.post("/reshares/{reshare_id}/cancel")
def cancel(
    reshare_id: ReshareId,
    request: Request,
    container: ContainerDep,
    manager: Resharer,
    next_path: Annotated[str, Form(alias="next", max_length=300)] = "/manage/calendar",
) -> RedirectResponse:
    """Cancel the destinations of a reshare that have not gone out yet."""
    to = guard.safe_next(next_path)
    try:
        done = container.managers.cancel_reshare(manager.name, reshare_id)
    except Refused as exc:
        return back(request, to, f"Not cancelled: {exc}.", refused=True)
    names = [t.destination for t in done.targets if t.status is TargetStatus.CANCELLED]
    return back(request, to, f"Reshare {reshare_id} cancelled: {', '.join(names)}.")


@router.post("/articles/{article_id}/reshare")
def reshare(
    article_id: ArticleId,
    request: Request,
    container: ContainerDep,
    manager: Resharer,
    destinations: Annotated[list[DestinationId] | None, Form(max_length=32)] = None,
    at: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=400)] = "",
    force: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Reshare now or at ``at`` (the newsroom's local time), led by ``text``; "Ignore
    cooldown" is ``force``, which the ``reshare`` scope allows (as the API does)."""
    zone = ZoneInfo(container.settings.timezone)
    to = f"/manage/articles/{article_id}" if manager.can(READ) else "/manage/calendar"
    try:
        if not destinations:
            raise Refused("choose at least one destination", 422)
        answer = container.managers.reshare(
            manager.name, article_id, destinations=destinations, at=_timestamp(at, zone),
            text=_lead_line(text), force=force,
        )  # fmt: skip
    except Refused as exc:
        return back(request, to, _refusal(exc, zone), refused=True)
    lines = [f"Reshare {answer.reshare_id} accepted:"]
    lines += [_outcome(t, zone) for t in answer.targets]
    return back(request, to, "\n".join(lines))


def _timestamp(value: str, zone: ZoneInfo) -> float | None:
    """A ``datetime-local`` value read in the newsroom's zone (None: now)."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Refused(f"not a time: {value}", 422) from None
    return (at if at.tzinfo else at.replace(tzinfo=zone)).timestamp()


def _lead_line(text: str) -> str | None:
    """The manager's lead line, checked as the API checks it (one line, ≤ 200 characters)."""
    if not text.strip():
        return None
    try:
        return _lead.validate_python(text)
    except ValidationError as exc:
        raise Refused(f"the line to lead the post: {exc.errors()[0]['msg']}", 422) from None


def _outcome(target: Target, zone: ZoneInfo) -> str:
    """What a reshare does at one destination, in words."""
    dest, status = target.destination, target.status
    if status is TargetStatus.QUEUED:
        return f"{dest}: going out now"
    if status is TargetStatus.REFUSED:
        until = target.cooldown_until
        return f"{dest}: refused, {target.note}" + (
            f" until {local_time(until, zone.key, WHEN)}" if until else ""
        )
    moved = f" ({target.note})" if target.note else ""
    return f"{dest}: {status.value} for {local_time(target.at, zone.key, WHEN)}{moved}"


def _refusal(exc: Refused, zone: ZoneInfo) -> str:
    """Why nothing was reshared; every destination's reason when each refused (the API's 409)."""
    details = exc.details
    if not isinstance(details, list) or not all(isinstance(t, Target) for t in details):
        return f"Not reshared: {exc}."
    lines = ["Not reshared: no destination takes it now."]
    lines += [_outcome(t, zone) for t in details]
    if any(t.cooldown_until for t in details):
        lines.append("Tick “Ignore cooldown” to post anyway.")
    return "\n".join(lines)
