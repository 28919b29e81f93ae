"""The publishing spine: routing, fan-out, one delivery, the ledger, rate governor, reconcile."""
