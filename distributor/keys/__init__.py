"""Every Redis key the service uses, under one namespace prefix: one ``Keys``, its methods
grouped by part of the flow in this package (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass

from distributor.keys.audience import AudienceKeys
from distributor.keys.people import PeopleKeys
from distributor.keys.spine import SpineKeys


@dataclass(frozen=True, slots=True)
class Keys(SpineKeys, AudienceKeys, PeopleKeys):
    """Key builder bound to a namespace (e.g. ``distributor`` or a per-test prefix)."""

    prefix: str = "distributor"
