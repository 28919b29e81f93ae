"""distributor: event-driven publishing of news articles to Telegram and X, exactly once."""

__version__ = "0.1.0"
