"""Signed-in managers, kept server-side in Redis (docs/architecture.md, "Desk").

Server-side records rather than signed cookies: signing out, or revoking a token, ends the
session at once, where a signed cookie copied before would stay valid until it expired. The
cookie holds 256 random bits; Redis holds only its SHA-256, so a copy of the database signs no
one in. A record expires after ``idle_s`` unused (its TTL, renewed on each use) and at the
latest ``max_s`` after sign-in (``expires_at``). Each record carries the session's CSRF token
and the id of the token that signed in, which ``guard`` checks is still as it was.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redis import Redis

from distributor.keys import Keys


@dataclass(frozen=True)
class Manager:
    """Who is signed in: the token's name and scopes, this session's CSRF token, any message
    left for the next page (``flash``), and the token the session stands on."""

    name: str
    scopes: frozenset[str]
    csrf: str
    expires_at: float
    flash: str = ""
    refused: bool = False  # the flash message says why something was not done
    token_id: str | None = None  # the stored token's id; None for a DISTRIBUTOR_TOKENS one
    demo: bool = False  # the sandbox's demo sign-in (no token)

    def can(self, scope: str) -> bool:
        """Whether the token that signed in grants ``scope``."""
        return scope in self.scopes


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Start, find, end sessions; one Redis hash each (``Keys.desk_session``)."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        idle_s: int,
        max_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.idle_s = idle_s
        self.max_s = max_s
        self._clock = clock

    def start(
        self, name: str, scopes: Iterable[str], token_id: str | None = None, demo: bool = False
    ) -> tuple[str, Manager]:
        """A new session for the token ``name`` (stored as ``token_id``, or a
        ``DISTRIBUTOR_TOKENS`` one, or the demo): (cookie value, manager)."""
        session_id = secrets.token_urlsafe(32)
        digest = _digest(session_id)
        manager = Manager(
            name, frozenset(scopes), secrets.token_urlsafe(32), self._clock() + self.max_s,
            token_id=token_id, demo=demo,
        )  # fmt: skip
        key, index = self._keys.desk_session(digest), self._keys.desk_sessions_of(name)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(
            key,
            mapping={
                "name": name,
                "scopes": " ".join(sorted(manager.scopes)),
                "csrf": manager.csrf,
                "expires_at": repr(manager.expires_at),
                "token": "demo" if demo else (token_id or "env"),
            },
        )
        pipe.expire(key, self.idle_s)
        pipe.sadd(index, digest)
        pipe.expire(index, self.max_s)
        pipe.execute()
        return session_id, manager

    def find(self, session_id: str) -> Manager | None:
        """The live session for this cookie value (its idle time restarts), else None; a
        flash message is handed out once."""
        key = self._keys.desk_session(_digest(session_id))
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(key)
        pipe.expire(key, self.idle_s)
        raw, _ = pipe.execute()
        if not raw or float(raw.get("expires_at", 0)) <= self._clock():
            if raw:
                self.end(session_id)
            return None
        if raw.get("flash"):
            self._redis.hdel(key, "flash", "refused")
        signed_with = raw.get("token", "env")
        return Manager(
            name=raw["name"],
            scopes=frozenset(raw.get("scopes", "").split()),
            csrf=raw["csrf"],
            expires_at=float(raw["expires_at"]),
            flash=raw.get("flash", ""),
            refused=raw.get("refused") == "1",
            token_id=None if signed_with in ("env", "demo") else signed_with,
            demo=signed_with == "demo",
        )

    def flash(self, session_id: str, message: str, *, refused: bool = False) -> None:
        """Leave a message for the next page this session sees (after a redirect);
        ``refused``: it says why something was not done."""
        key = self._keys.desk_session(_digest(session_id))
        if self._redis.exists(key):
            self._redis.hset(key, mapping={"flash": message[:1000], "refused": int(refused)})

    def end(self, session_id: str) -> None:
        """Sign out: the record is gone, the cookie signs no one in."""
        digest = _digest(session_id)
        key = self._keys.desk_session(digest)
        name = self._redis.hget(key, "name")
        name = str(name) if name else None
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(key)
        if name:
            pipe.srem(self._keys.desk_sessions_of(name), digest)
        pipe.execute()

    def end_all(self, token_name: str) -> int:
        """End every session signed in with the token ``token_name`` (it was revoked)."""
        index = self._keys.desk_sessions_of(token_name)
        digests = [str(d) for d in self._redis.smembers(index)]
        keys = [self._keys.desk_session(d) for d in digests]
        ended = int(self._redis.delete(*keys)) if keys else 0
        self._redis.delete(index)
        return ended
