"""Fault injection: the next N calls of a method fail the way platforms fail."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal["server_error", "hang", "rate_limit", "malformed_json"]


class FaultSpec(BaseModel):
    """One injected fault.

    ``method``: a Bot API method (any case) or an X operation (``create_tweet``,
    ``delete_tweet``, ``get_tweets``, ``get_me``, ``get_users_tweets``, ``media_upload``), or
    ``*``. ``after=True`` lets the call take effect first (the post exists, the answer is
    lost); otherwise it never happens. ``hang`` waits ``hang_seconds`` and then answers 504
    (before) or the real answer (after).
    """

    model_config = ConfigDict(extra="forbid")

    platform: Literal["telegram", "x"]
    method: str = Field(min_length=1, max_length=64)
    kind: FaultKind
    count: int = Field(default=1, ge=1, le=10_000)
    status: int = Field(default=500, ge=500, le=599)
    retry_after: int = Field(default=5, ge=1, le=86_400)
    hang_seconds: float = Field(default=30.0, ge=0, le=600)
    after: bool = False


class FaultBook:
    """Pending faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[FaultSpec] = []

    def add(self, spec: FaultSpec) -> None:
        """Arm a fault for the next ``spec.count`` matching calls."""
        self._faults.append(spec.model_copy())

    def take(self, platform: str, method: str) -> FaultSpec | None:
        """The fault this call suffers, if any (one use of it is consumed)."""
        for fault in self._faults:
            if fault.platform == platform and fault.method.lower() in (method.lower(), "*"):
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
