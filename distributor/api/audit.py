"""``GET /v1/audit``: who did what, when, with what outcome (docs/managers.md, "Audit")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.manage.audit import AuditEntry
from distributor.manage.tokens import Principal

router = APIRouter(tags=["audit"])


class AuditPage(BaseModel):
    """Entries, newest first."""

    entries: list[AuditEntry]


@router.get("/v1/audit")
def audit(
    container: ContainerDep,
    _auditor: Annotated[Principal, Depends(require_scope("audit:read"))],
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """The audit log, newest first; ``action`` ending in ``.`` matches a family
    (``reshare.``)."""
    entries = container.audit.read(
        start=start.timestamp() if start else None, end=end.timestamp() if end else None,
        actor=actor, action=action, limit=limit,
    )  # fmt: skip
    return AuditPage(entries=entries)
