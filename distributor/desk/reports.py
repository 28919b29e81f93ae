"""The Audit and Readers pages: read-only reports. Audit reads the managers' log
(``Container.audit``, docs/managers.md "Audit"), filtered by who and by action; Readers reads
the subscriptions' counts by topic (``audience/readers/counts.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.charts import sparkline
from distributor.desk.pages import render
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
def readers(request: Request, manager: ReadersViewer, container: ContainerDep) -> HTMLResponse:
    """Subscribers by topic, their count per day over 30 days, and the readers pruned."""
    topics = container.reader_counts.by_topic(container.catalogue.names(), container.clock())
    sparks = {
        t.topic: sparkline([float(n) for _, n in t.days], label=f"{t.shown}: readers per day")
        for t in topics
    }
    removed = container.subscriptions.removed()
    return render(
        request, "readers.html", manager, topics=topics, sparks=sparks, removed=removed,
        total=container.subscriptions.count(),
    )  # fmt: skip
