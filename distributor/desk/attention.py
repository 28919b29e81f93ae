"""The Attention page: deliveries that need a person, revisions' and reshares' alike. In-doubt
ones are settled with "Posted" / "Not posted" and failed ones sent again with "Retry", through
the audited ``Managers.resolve`` / ``Managers.retry`` the JSON routes call; the failures are the
ledger's failed index, newest first, with the platform's words."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.pages import back, render
from distributor.desk.sessions import Manager
from distributor.errors import Refused
from distributor.manage.tokens import READ, RESOLVE
from distributor.models import Delivery

router = APIRouter(prefix="/manage", include_in_schema=False)
Reader = Annotated[Manager, Depends(guard.needs(READ))]
Resolver = Annotated[Manager, Depends(guard.posting(RESOLVE))]
ArticleField = Annotated[str, Form(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
DestinationField = Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
RevisionField = Annotated[int, Form(ge=1, le=2**53)]
ReshareField = Annotated[str, Form(pattern=r"^(rs_[0-9a-f]{16})?$")]
FAILED_SHOWN = 200  # the newest failures listed; older ones stay in `distributor retry`


def name_of(delivery: Delivery) -> str:
    """A delivery as the page's messages name it: ``article → destination`` (and reshare)."""
    reshare = f" (reshare {delivery.reshare})" if delivery.reshare else ""
    return f"{delivery.article_id} → {delivery.destination}{reshare}"


@router.get("/attention", response_class=HTMLResponse)
def attention(request: Request, container: ContainerDep, manager: Reader) -> HTMLResponse:
    """In-doubt deliveries (oldest first) and failed ones (newest first)."""
    doubts = container.ledger.in_doubt_items()
    failures = container.ledger.failed_items(newest=FAILED_SHOWN)[::-1]
    ids = {i.delivery.article_id for i in doubts} | {i.delivery.article_id for i in failures}
    titles = container.articles.many(sorted(ids))
    return render(
        request, "attention.html", manager, doubts=doubts, failures=failures,
        titles={k: v[0].title for k, v in titles.items()}, shown=FAILED_SHOWN,
        can_resolve=manager.can(RESOLVE),
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
    reshare_id: ReshareField = "",
) -> RedirectResponse:
    """Record what the manager found; "Not posted" queues the delivery again on its platform's
    queue (the same exactly-once path). Then back to the list with the outcome."""
    try:
        done = container.managers.resolve(
            manager.name, article_id, destination, revision, outcome, message_id or None, note,
            reshare_id=reshare_id or None,
        )  # fmt: skip
    except Refused as exc:
        return back(request, "/manage/attention", f"Not changed: {exc}.", refused=True)
    said = "posted" if outcome == "posted" else "not posted: sending it again"
    message = f"{name_of(done)}: recorded as {said} ({done.state})."
    return back(request, "/manage/attention", message)


@router.post("/attention/retry")
def retry(
    request: Request,
    container: ContainerDep,
    manager: Resolver,
    article_id: ArticleField,
    destination: DestinationField,
    revision: RevisionField,
    reshare_id: ReshareField = "",
) -> RedirectResponse:
    """Send a failed delivery again: ``pending`` with its attempts from zero, then queued."""
    try:
        done = container.managers.retry(
            manager.name, article_id, destination,
            revision=None if reshare_id else revision, reshare_id=reshare_id or None,
        )  # fmt: skip
    except Refused as exc:
        return back(request, "/manage/attention", f"Not retried: {exc}.", refused=True)
    message = f"{name_of(done)}: sent again ({done.state})."
    return back(request, "/manage/attention", message)
