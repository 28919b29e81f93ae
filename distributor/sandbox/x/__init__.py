"""The X API v2 emulator: OAuth, posts, media, rate windows and their refusals."""
