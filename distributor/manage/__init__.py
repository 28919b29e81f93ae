"""What managers act through: tokens, the audit log, the evergreen rotation and the actions
(reshare, cancel, retry, resolve) a route, the CLI or a page handler calls (docs/managers.md)."""
