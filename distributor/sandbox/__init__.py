"""Faithful Telegram Bot API and X API v2 emulators that the real clients talk to over HTTP."""
