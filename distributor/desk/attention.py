"""The Attention page: deliveries that need a person. In-doubt ones are settled here with
"Posted" / "Not posted" (the same audited ``Managers.resolve`` as the JSON route); failed ones
show the platform's words and "Retry"."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard, queries
from distributor.desk.pages import back, render
from distributor.desk.ports import RETRY_ISSUE, ports_of
from distributor.desk.sessions import Manager
from distributor.errors import InvalidInput, Refused

router = APIRouter(prefix="/manage", include_in_schema=False)
Reader = Annotated[Manager, Depends(guard.needs(guard.READ))]
Resolver = Annotated[Manager, Depends(guard.posting(guard.RESOLVE))]
ArticleField = Annotated[str, Form(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
DestinationField = Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
RevisionField = Annotated[int, Form(ge=1)]


@router.get("/attention", response_class=HTMLResponse)
def attention(request: Request, container: ContainerDep, manager: Reader) -> HTMLResponse:
    """In-doubt deliveries (oldest first) and recent failures (newest first)."""
    doubts = container.ledger.in_doubt_items()
    titles = container.articles.many(sorted({i.delivery.article_id for i in doubts}))
    ports = ports_of(request)
    return render(
        request, "attention.html", manager, doubts=doubts,
        titles={k: v[0].title for k, v in titles.items()},
        failures=queries.recent_failures(container, container.clock()),
        scanned=queries.FAILED_SCAN, can_resolve=manager.can(guard.RESOLVE),
        can_retry=ports.retries is not None and manager.can(guard.RESOLVE),
        retry_missing=ports.retries is None, retry_issue=RETRY_ISSUE,
    )  # fmt: skip


@router.post("/attention/resolve")
def resolve(
    request: Request,
    container: ContainerDep,
    manager: Resolver,
    article_id: ArticleField,
    destination: DestinationField,
    revision: RevisionField,
    outcome: Annotated[Literal["posted", "not_posted"], Form()],
    message_id: Annotated[str, Form(pattern=r"^[0-9]{0,20}$")] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> RedirectResponse:
    """Record what the manager found, then back to the list with the outcome."""
    try:
        done = container.managers.resolve(
            manager.name, article_id, destination, revision, outcome, message_id or None, note
        )
    except Refused as exc:
        return back(request, "/manage/attention", f"Not changed: {exc}")
    said = "posted" if outcome == "posted" else "not posted: sending it again"
    message = f"{article_id} → {destination}: recorded as {said} ({done.state})."
    return back(request, "/manage/attention", message)


@router.post("/attention/retry")
def retry(
    request: Request,
    manager: Resolver,
    article_id: ArticleField,
    destination: DestinationField,
    revision: RevisionField,
) -> RedirectResponse:
    """Send a failed delivery again (issue 10's retry)."""
    retries = ports_of(request).retries
    if retries is None:
        raise guard.DeskRefusal(501, f"Retry is not available until {RETRY_ISSUE} is merged.")
    try:
        done = retries.retry_delivery(article_id, destination, revision, manager.name)
    except InvalidInput as exc:
        return back(request, "/manage/attention", f"Not retried: {exc}")
    return back(
        request, "/manage/attention", f"{article_id} → {destination}: retry queued ({done.state})."
    )
