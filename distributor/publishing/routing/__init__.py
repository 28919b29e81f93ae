"""Routing: which destinations an article goes to (``table``, pure) and the file it is read
from (``loader``)."""

from distributor.publishing.routing.table import Action, RoutingTable, Rule, plan, route

__all__ = ["Action", "RoutingTable", "Rule", "plan", "route"]
