"""The delivery ledger: records, their Lua transitions and the ``Ledger`` that runs them."""

from distributor.publishing.ledger.records import (
    Claim,
    ClaimMode,
    InDoubtItem,
    LivePost,
    Snapshot,
    UnpublishPlan,
)
from distributor.publishing.ledger.store import Ledger

__all__ = ["Claim", "ClaimMode", "InDoubtItem", "Ledger", "LivePost", "Snapshot", "UnpublishPlan"]
