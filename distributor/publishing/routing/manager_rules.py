"""The routing file's settings for managers, per destination (pure, no I/O): reshare guard rails
(``[reshare.<destination>]``) and the evergreen rotation (``[evergreen.<destination>]``).

Quiet hours are wall-clock times in the newsroom's time zone (``DISTRIBUTOR_TIMEZONE``); a
window may wrap midnight (``"22:00-06:00"``). docs/managers.md shows every setting.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
Lead = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f]+$")]
DEFAULT_COOLDOWN_H = 6.0


class QuietHours(BaseModel):
    """A daily window (``"HH:MM-HH:MM"``, start included, end excluded) with no reshares."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _WINDOW.match(value)
        if match is None:
            raise ValueError(f"quiet hours look like '22:00-06:00', not {value!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
            raise ValueError(f"not a window of the day: {value!r}")
        return {"start": time(h1, m1), "end": time(h2, m2)}

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, local: datetime) -> bool:
        """Whether the local wall-clock time falls in the window."""
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def end_after(self, local: datetime) -> datetime:
        """The first end of the window at or after ``local`` (same time zone)."""
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end >= local else end + timedelta(days=1)


class ReshareRules(BaseModel):
    """Guard rails of reshares to one destination; the defaults apply where none are set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cooldown_h: float = Field(default=DEFAULT_COOLDOWN_H, ge=0, le=24 * 30)
    daily_cap: int | None = Field(default=None, ge=1, le=1000)
    quiet_hours: QuietHours | None = None
    # X only: "variant" posts anew with a lead line; "quote" quotes our original post
    x_mode: Literal["variant", "quote"] = "variant"
    leads: tuple[Lead, ...] = Field(default=(), max_length=50)  # rotated when no text is given

    @property
    def cooldown_s(self) -> float:
        """The cooldown in seconds."""
        return self.cooldown_h * 3600


class EvergreenRules(BaseModel):
    """The rotation at one destination: which old articles, how often, when not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    interval_h: float = Field(gt=0, le=24 * 30)  # at least this long between two picks
    min_age_days: float = Field(default=7.0, ge=0)
    max_age_days: float = Field(default=365.0, gt=0)
    categories: tuple[str, ...] = ()  # empty: every category
    no_repeat_days: float = Field(default=30.0, ge=0)  # never the same article within this
    pause_after_fresh_min: float = Field(default=60.0, ge=0)  # after an original post here

    @model_validator(mode="after")
    def _ages(self) -> EvergreenRules:
        if self.max_age_days <= self.min_age_days:
            raise ValueError("max_age_days must be above min_age_days")
        return self

    def takes(self, category: str) -> bool:
        """Whether an article of this category may be picked (case-insensitive)."""
        wanted = {c.casefold() for c in self.categories}
        return not wanted or category.casefold() in wanted


def out_of_quiet(at: datetime, quiet: QuietHours | None) -> tuple[datetime, str]:
    """``at`` (aware, in the newsroom's zone) or, inside the quiet window, its end; and the note
    that says so ("" when unmoved)."""
    if quiet is None or not quiet.contains(at):
        return at, ""
    moved = quiet.end_after(at)
    return moved, f"moved to {moved:%Y-%m-%d %H:%M %Z}: quiet hours {quiet}"
