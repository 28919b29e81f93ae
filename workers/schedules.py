"""Beat schedule: one beat process per deployment sends these."""

from __future__ import annotations

from typing import Any

from workers.app import MAINTENANCE_QUEUE
from workers.tasks import PROMOTE, RECONCILE


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Periodic tasks, all on the maintenance queue."""
    opts = {"queue": MAINTENANCE_QUEUE, "expires": 60}
    return {
        "reconcile": {"task": RECONCILE, "schedule": 15.0, "options": opts},
        "promote-scheduled": {"task": PROMOTE, "schedule": 5.0, "options": opts},
    }
