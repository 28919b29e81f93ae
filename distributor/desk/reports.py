"""The Audit and Readers pages: read-only reports of issue 10's audit log and issue 11's
subscriptions, through ``ports``; until those are merged each page says so."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from distributor.desk import guard
from distributor.desk.charts import sparkline
from distributor.desk.pages import render
from distributor.desk.ports import AUDIT_ISSUE, READERS_ISSUE, AuditFilter, ports_of
from distributor.desk.sessions import Manager

router = APIRouter(prefix="/manage", include_in_schema=False)
Auditor = Annotated[Manager, Depends(guard.needs(guard.AUDIT))]
ReadersViewer = Annotated[Manager, Depends(guard.needs(guard.READERS))]
Text = Annotated[str, Query(max_length=64, pattern=r"^[A-Za-z0-9 _.:@-]*$")]


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, manager: Auditor, actor: Text = "", action: Text = "") -> HTMLResponse:
    """Who did what, filterable by actor and action."""
    log = ports_of(request).audit
    query = AuditFilter(actor=actor.strip(), action=action.strip())
    entries = log.audit(query) if log is not None else ()
    return render(
        request, "audit.html", manager, available=log is not None, issue=AUDIT_ISSUE,
        entries=entries, query=query,
    )  # fmt: skip


@router.get("/readers", response_class=HTMLResponse)
def readers(request: Request, manager: ReadersViewer) -> HTMLResponse:
    """Subscribers by topic, their growth and the readers pruned."""
    port = ports_of(request).readers
    topics = port.readers_by_topic() if port is not None else ()
    sparks = {
        t.topic: sparkline([float(n) for _, n in t.growth], label=f"{t.topic}: readers per day")
        for t in topics
    }
    return render(
        request, "readers.html", manager, available=port is not None, issue=READERS_ISSUE,
        topics=topics, sparks=sparks,
    )  # fmt: skip
