"""Fault injection: the next N calls of a method fail the way platforms fail, each with a
probability (a storm: 30% of calls answer 5xx...)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal["server_error", "hang", "rate_limit", "malformed_json", "slow"]


class FaultSpec(BaseModel):
    """One injected fault.

    ``method``: a Bot API method (any case) or an X operation (``create_tweet``,
    ``delete_tweet``, ``get_tweets``, ``get_me``, ``get_users_tweets``, ``media_upload``), or
    ``*``. ``after=True`` lets the call take effect first (the post exists, the answer is
    lost); otherwise it never happens. ``hang`` waits ``hang_seconds`` and then answers 504
    (before) or the real answer (after); ``slow`` waits ``delay_s`` and then answers as usual.
    ``probability``: each matching call suffers it with this chance (faults are tried in the
    order they were added; a call suffers at most one); ``count`` still bounds how many do.
    """

    model_config = ConfigDict(extra="forbid")

    platform: Literal["telegram", "x"]
    method: str = Field(min_length=1, max_length=64)
    kind: FaultKind
    count: int = Field(default=1, ge=1, le=10_000)
    status: int = Field(default=500, ge=500, le=599)
    retry_after: int = Field(default=5, ge=1, le=86_400)
    hang_seconds: float = Field(default=30.0, ge=0, le=600)
    delay_s: float = Field(default=1.0, ge=0, le=600)
    probability: float = Field(default=1.0, ge=0, le=1)
    after: bool = False


class FaultBook:
    """Pending faults, consumed in the order they were added."""

    def __init__(self, chance: Callable[[], float] = random.random) -> None:
        self._faults: list[FaultSpec] = []
        self._chance = chance

    def add(self, spec: FaultSpec) -> None:
        """Arm a fault for the next ``spec.count`` matching calls."""
        self._faults.append(spec.model_copy())

    def take(self, platform: str, method: str) -> FaultSpec | None:
        """The fault this call suffers, if any (one use of it is consumed)."""
        for fault in self._faults:
            if fault.platform != platform or fault.method.lower() not in (method.lower(), "*"):
                continue
            if fault.probability >= 1.0 or self._chance() < fault.probability:
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[FaultSpec]:
        """Faults still armed."""
        return list(self._faults)

    def clear(self) -> None:
        """Disarm everything."""
        self._faults.clear()
