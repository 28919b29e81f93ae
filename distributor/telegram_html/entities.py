"""Bot API message entities and the refusals of a text or caption (shared by parser and limits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distributor.errors import DistributorError


class TelegramTextError(DistributorError):
    """A text or caption the Bot API refuses; ``description`` follows ``Bad Request: ``."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class EntityParseError(TelegramTextError):
    """The HTML does not parse: ``can't parse entities: <reason>``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"can't parse entities: {reason}")
        self.reason = reason


class TextEmpty(TelegramTextError):
    """Nothing is left of the text after parsing and trimming."""

    def __init__(self) -> None:
        super().__init__("text must be non-empty")


class TextTooLong(TelegramTextError):
    """More than ``TEXT_LIMIT`` characters after parsing and trimming."""

    def __init__(self) -> None:
        super().__init__("message is too long")


class CaptionTooLong(TelegramTextError):
    """More than ``CAPTION_LIMIT`` characters after parsing and trimming."""

    def __init__(self) -> None:
        super().__init__("message caption is too long")


@dataclass(frozen=True)
class MessageEntity:
    """One Bot API ``MessageEntity``; offset and length in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entity as the Bot API serialises it."""
        out: dict[str, Any] = {"offset": self.offset, "length": self.length, "type": self.type}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out
