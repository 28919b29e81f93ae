"""The Telegram Bot API emulator: protocol, state, calls and their refusals."""
