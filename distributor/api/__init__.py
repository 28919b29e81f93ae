"""HTTP API: intake, deliveries, preview, share links, trending."""
