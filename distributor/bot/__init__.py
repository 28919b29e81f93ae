"""The readers' Telegram bot: commands, the topic picker, reactions (a delivery surface over
``distributor.audience.readers``; docs/architecture.md, "Readers")."""
