"""The Audit and Readers pages: read-only reports. Audit reads the managers' log
(``Container.audit``, docs/managers.md "Audit"), filtered by who and by action; Readers waits
for issue 11's subscriptions (``ports.Readers``) and says so until it is merged."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.charts import sparkline
from distributor.desk.pages import render
from distributor.desk.ports import READERS_ISSUE, readers_of
from distributor.desk.sessions import Manager
from distributor.manage.tokens import AUDIT, READERS

router = APIRouter(prefix="/manage", include_in_schema=False)
Auditor = Annotated[Manager, Depends(guard.needs(AUDIT))]
ReadersViewer = Annotated[Manager, Depends(guard.needs(READERS))]
Actor = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9_.@:-]*$")]
Action = Annotated[str, Query(max_length=64, pattern=r"^[a-z.]*$")]
Days = Annotated[int, Query(ge=0, le=3660)]
AUDIT_LINES = 200
WINDOWS = ((1, "day"), (7, "7 days"), (30, "30 days"), (365, "year"), (0, "ever"))
# the actions ``Managers`` and the evergreen rotation record; an entry ending in "." is a family
ACTIONS = (
    ("reshare.", "reshares (asked, cancelled)"), ("reshare.create", "reshare asked"),
    ("reshare.cancel", "reshare cancelled"), ("delivery.", "deliveries (retried, settled)"),
    ("delivery.retry", "delivery retried"), ("delivery.resolve", "in-doubt delivery settled"),
    ("token.", "tokens (created, revoked)"), ("evergreen.pick", "evergreen pick"),
    ("access", "refused for lack of a scope"),
)  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, container: ContainerDep, manager: Auditor, actor: Actor = "",
    action: Action = "", days: Days = 30,
) -> HTMLResponse:  # fmt: skip
    """Who did what in the last ``days`` (0: ever), newest first, filterable by who (a token's
    name) and by action; the window bounds what a filter reads of the log."""
    start = container.clock() - days * 86_400 if days else None
    entries = container.audit.read(
        start=start, actor=actor or None, action=action or None, limit=AUDIT_LINES
    )
    return render(
        request, "audit.html", manager, entries=entries, actor=actor, action=action,
        actions=ACTIONS, lines=AUDIT_LINES, days=days, windows=WINDOWS,
        window=dict(WINDOWS).get(days, f"{days} days"),
    )  # fmt: skip


@router.get("/readers", response_class=HTMLResponse)
def readers(request: Request, manager: ReadersViewer) -> HTMLResponse:
    """Subscribers by topic, their growth and the readers pruned (once issue 11 is merged)."""
    port = readers_of(request)
    topics = port.readers_by_topic() if port is not None else ()
    sparks = {
        t.topic: sparkline([float(n) for _, n in t.growth], label=f"{t.topic}: readers per day")
        for t in topics
    }
    return render(
        request, "readers.html", manager, available=port is not None, issue=READERS_ISSUE,
        topics=topics, sparks=sparks,
    )  # fmt: skip
