"""Telegram's HTML parse mode as Telegram applies it: used by the formatter to check templates
and by the sandbox to answer as the Bot API does; owned by neither."""
