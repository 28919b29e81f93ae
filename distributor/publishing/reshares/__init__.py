"""Reshares: a manager's (or the evergreen rotation's) request to post an article again, each
destination its own exactly-once delivery in the ledger (docs/managers.md)."""
