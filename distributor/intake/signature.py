"""Webhook signatures: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`` and replay guard."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis

from distributor.errors import InvalidInput
from distributor.keys import Keys

SIGNATURE_HEADER = "X-Distributor-Signature"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_STAMP = re.compile(r"[0-9]{1,12}")  # unix seconds; longer would not even parse as an int
MAX_HEADER_CHARS = 512  # "t=<12 digits>,v1=<64 hex>" is 84; room for a few unknown schemes


class SignatureError(InvalidInput):
    """The signature header is missing, malformed, stale, wrong or already used (HTTP 401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=401)


@dataclass(frozen=True, slots=True)
class Signature:
    """A parsed signature header: when it was made and the HMAC it claims."""

    timestamp: int
    digest: str


def sign(body: bytes, secret: bytes, timestamp: int) -> str:
    """The header value for ``body`` signed at ``timestamp`` (unix seconds)."""
    return f"t={timestamp},v1={_hmac(body, secret, timestamp)}"


def parse_header(value: str | None) -> Signature:
    """Parse ``t=...,v1=...``; unknown schemes are ignored, repeated or bad parts are not."""
    if value is None or not value.strip():
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if len(value) > MAX_HEADER_CHARS:
        raise SignatureError(f"{SIGNATURE_HEADER} header is over {MAX_HEADER_CHARS} characters")
    parts: dict[str, str] = {}
    for item in value.split(","):
        name, sep, part = item.strip().partition("=")
        if not sep or not name or name in parts:
            raise SignatureError(f"malformed {SIGNATURE_HEADER} header: expected t=<unix>,v1=<hex>")
        parts[name] = part
    stamp, digest = parts.get("t", ""), parts.get("v1", "").lower()
    if not _STAMP.fullmatch(stamp):
        raise SignatureError(f"malformed {SIGNATURE_HEADER} header: t must be unix seconds")
    if not _HEX64.match(digest):
        raise SignatureError(
            f"malformed {SIGNATURE_HEADER} header: v1 must be 64 hex characters (HMAC-SHA256)"
        )
    return Signature(int(stamp), digest)


def verify(
    body: bytes, header: str | None, secrets: Sequence[bytes], now: float, tolerance_s: int
) -> Signature:
    """Check the header against the raw body and the clock; pure (no replay check). A signature
    made with any of ``secrets`` is good (several are configured while one is rotated out)."""
    signature = parse_header(header)
    age = now - signature.timestamp
    if age > tolerance_s:
        raise SignatureError(
            f"stale signature timestamp: {int(age)} s old, the limit is {tolerance_s} s"
        )
    if -age > tolerance_s:
        raise SignatureError(
            f"signature timestamp is {int(-age)} s in the future, the limit is {tolerance_s} s"
        )
    matches = [
        hmac.compare_digest(_hmac(body, secret, signature.timestamp), signature.digest)
        for secret in secrets  # every one compared, so timing does not tell which matched
    ]
    if not any(matches):
        raise SignatureError("bad signature: v1 does not match the HMAC of the body")
    return signature


class ReplayGuard:
    """Remembers used signatures in Redis for as long as their timestamp is acceptable."""

    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    def claim(self, signature: Signature, now: float, tolerance_s: int) -> None:
        """Mark the signature used (SET NX with TTL); SignatureError when it already was."""
        ttl = max(1, math.ceil(signature.timestamp + tolerance_s - now) + 1)
        key = self._keys.signature(signature.digest)
        if not self._redis.set(key, signature.timestamp, nx=True, ex=ttl):
            raise SignatureError("replayed signature: this signed request was already used")

    def release(self, signature: Signature) -> None:
        """Forget a claim whose request was not accepted, so the sender may retry it."""
        self._redis.delete(self._keys.signature(signature.digest))


def _hmac(body: bytes, secret: bytes, timestamp: int) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
