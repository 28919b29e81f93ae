"""One exception root; the publisher boundary decides transient / permanent / in doubt."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributor.models import RenderedPost


class DistributorError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigError(DistributorError):
    """Settings or the routing file are unusable; the service refuses to start."""


class InvalidInput(DistributorError):
    """A payload, signature, token or URL is wrong; the message says what."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


class DeliveryError(DistributorError):
    """A delivery attempt did not end in a recorded post."""


class TransientError(DeliveryError):
    """Surely not posted; may be retried (after ``retry_after`` seconds when known)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """Surely not posted: a platform limit or usage cap is spent (a 429). Waiting is the cure,
    so it never counts towards the delivery's attempts."""


class PermanentError(DeliveryError):
    """Surely not posted and never will be with this input (bad request, forbidden, duplicate)."""


class DuplicatePost(PermanentError):
    """The platform refused the post as a copy of one it already shows (X's "duplicate
    content" 403): that one may be ours, so look it up before recording a failure."""


class MediaRefused(PermanentError):
    """The platform refused the post's media before posting anything (Telegram could not
    fetch the photo by its URL): ``fallback`` is the same post without it, to send instead
    under the same claim (docs/architecture.md, "Refused photos")."""

    def __init__(self, message: str, fallback: RenderedPost) -> None:
        super().__init__(message)
        self.fallback = fallback


class InDoubt(DeliveryError):
    """The platform may have posted; never post again blindly."""


class LeaseLost(DeliveryError):
    """Another worker owns this delivery now; the caller must stop without writing."""


class Refused(DistributorError):
    """A manager's request that cannot be done (docs/managers.md): ``status_code`` says how
    (404 unknown, 409 not now, 422 malformed) and ``details`` what the caller may show."""

    def __init__(self, message: str, status_code: int = 409, details: object = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.details = details
