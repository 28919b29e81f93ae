"""Manager tokens: ``distmgr_<id>_<secret>``, 256 random bits, stored only as the SHA-256 of
the secret (a random secret needs no slow hash), with scopes, an expiry and the last use; the
plain token is shown once, when created. ``DISTRIBUTOR_TOKENS`` tokens still work, read from
the environment (docs/managers.md, "Tokens")."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from redis import Redis

from distributor.config import ApiToken
from distributor.errors import Refused
from distributor.keys import Keys
from distributor.publishing.ledger.records import decode_hash, text_of

PREFIX = "distmgr_"
# the scopes a token may grant, one set for the API and the desk (docs/managers.md, "Tokens")
READ, RESOLVE, RESHARE, AUDIT = "deliveries:read", "deliveries:resolve", "reshare", "audit:read"
READERS = "readers:read"  # the desk's Readers page (reader subscriptions)
PREVIEW = "preview"  # POST /v1/preview
SCOPES = frozenset({READ, RESOLVE, RESHARE, AUDIT, READERS, PREVIEW})
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_SHAPE = re.compile(rf"^{PREFIX}([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})$")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as: the token's name (what the audit log shows) and scopes."""

    name: str
    scopes: frozenset[str]
    token_id: str | None = None  # None: a DISTRIBUTOR_TOKENS token


class TokenInfo(BaseModel):
    """A token as ``token list`` shows it (never its secret)."""

    model_config = ConfigDict(frozen=True)

    id: str | None
    name: str
    scopes: tuple[str, ...]
    source: Literal["store", "env"]
    status: Literal["active", "expired", "revoked"]
    created_at: datetime | None = None
    created_by: str | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None


def find_token(tokens: Sequence[ApiToken], presented: str) -> ApiToken | None:
    """The configured token equal to ``presented``; every token is compared, in constant time."""
    found = None
    candidate = presented.encode()
    for token in tokens:
        if hmac.compare_digest(token.token.get_secret_value().encode(), candidate):
            found = token
    return found


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _at(raw: str | None) -> datetime | None:
    return datetime.fromtimestamp(float(raw), UTC) if raw else None


class TokenStore:
    """Create, check, list and revoke manager tokens."""

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        env_tokens: Sequence[ApiToken] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._env = tuple(env_tokens)
        self._clock = clock

    def create(
        self, name: str, scopes: Sequence[str], *, created_by: str,
        expires_in_s: float | None, ephemeral: bool = False,
    ) -> tuple[str, TokenInfo]:  # fmt: skip
        """A new token: (the plain token, to show once; what is stored). ``ephemeral`` ones
        (the sandbox CLI's) vanish at expiry and do not hold their name."""
        if not NAME.match(name):
            raise Refused(f"token name {name!r}: letters, digits and _.@- up to 64", 422)
        unknown = sorted(set(scopes) - SCOPES)
        if unknown or not scopes:
            raise Refused(f"scopes must be among {', '.join(sorted(SCOPES))}", 422)
        if any(t.name == name for t in self._env):
            raise Refused(f"a DISTRIBUTOR_TOKENS token is named {name!r}")
        token_id, secret, now = secrets.token_hex(6), secrets.token_urlsafe(32), self._clock()
        if not ephemeral and not self._take_name(name, token_id):
            raise Refused(f"an active token is named {name!r}: revoke it first")
        expires = "" if expires_in_s is None else repr(now + expires_in_s)
        key = self._keys.token(token_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, mapping={
            "name": name, "scopes": " ".join(sorted(set(scopes))), "hash": _hash(secret),
            "created_at": repr(now), "created_by": created_by, "expires_at": expires,
        })  # fmt: skip
        if ephemeral and expires_in_s is not None:
            pipe.expire(key, int(expires_in_s) + 1)
        else:
            pipe.zadd(self._keys.tokens(), {token_id: now})
        pipe.execute()
        return f"{PREFIX}{token_id}_{secret}", self._info(token_id, self._fields(token_id))

    def authenticate(self, presented: str) -> Principal:
        """The principal a bearer token acts as; ``Refused`` (401) saying why not."""
        shape = _SHAPE.match(presented)
        if shape is None:
            env = find_token(self._env, presented)
            if env is None:
                raise Refused("invalid bearer token", 401)
            self._redis.hset(self._keys.env_token_use(), env.name, repr(self._clock()))
            return Principal(env.name, frozenset(env.scopes))
        token_id, secret = shape.groups()
        fields = self._fields(token_id)
        if not fields or not hmac.compare_digest(fields.get("hash", ""), _hash(secret)):
            raise Refused("invalid bearer token", 401)
        info = self._info(token_id, fields)
        if info.status != "active":
            raise Refused(f"token {info.status}", 401)
        self._redis.hset(self._keys.token(token_id), "last_used_at", repr(self._clock()))
        return Principal(info.name, frozenset(info.scopes), token_id)

    def still_grants(self, name: str, token_id: str | None, scopes: frozenset[str]) -> bool:
        """Whether the token a desk session signed in with (``token_id``; None for a
        ``DISTRIBUTOR_TOKENS`` one) is still active with that name and exactly those scopes.
        Read only: a revoked, expired or changed token ends the sessions it started."""
        if token_id is None:
            return any(t.name == name and frozenset(t.scopes) == scopes for t in self._env)
        fields = self._fields(token_id)
        if not fields:
            return False
        info = self._info(token_id, fields)
        return info.status == "active" and info.name == name and frozenset(info.scopes) == scopes

    def list(self) -> list[TokenInfo]:
        """Every stored token (oldest first), then the DISTRIBUTOR_TOKENS ones."""
        members: list[bytes | str] = self._redis.zrange(self._keys.tokens(), 0, -1)  # type: ignore[assignment]
        ids = [text_of(i) for i in members]
        stored = [self._info(i, f) for i in ids if (f := self._fields(i))]
        used = decode_hash(self._redis.hgetall(self._keys.env_token_use()))
        env = [
            TokenInfo(id=None, name=t.name, scopes=tuple(sorted(t.scopes)), source="env",
                      status="active", last_used_at=_at(used.get(t.name)))
            for t in self._env
        ]  # fmt: skip
        return stored + env

    def revoke(self, name_or_id: str) -> TokenInfo:
        """Revoke a stored token by id or name (404 when none; 409 for an env one)."""
        if any(t.name == name_or_id for t in self._env):
            raise Refused(f"{name_or_id!r} comes from DISTRIBUTOR_TOKENS: remove it there")
        token_id = self._redis.hget(self._keys.token_names(), name_or_id) or name_or_id
        fields = self._fields(str(token_id))
        if not fields:
            raise Refused(f"no token {name_or_id!r}", 404)
        self._redis.hset(self._keys.token(str(token_id)), "revoked_at", repr(self._clock()))
        self._redis.hdel(self._keys.token_names(), fields["name"])
        return self._info(str(token_id), self._fields(str(token_id)))

    def _take_name(self, name: str, token_id: str) -> bool:
        names = self._keys.token_names()
        if self._redis.hsetnx(names, name, token_id):
            return True
        holder = str(self._redis.hget(names, name) or "")
        fields = self._fields(holder)
        if fields and self._info(holder, fields).status == "active":
            return False
        self._redis.hset(names, name, token_id)
        return True

    def _fields(self, token_id: str) -> dict[str, str]:
        return decode_hash(self._redis.hgetall(self._keys.token(token_id)))

    def _info(self, token_id: str, fields: dict[str, str]) -> TokenInfo:
        expires = _at(fields.get("expires_at"))
        status: Literal["active", "expired", "revoked"] = "active"
        if fields.get("revoked_at"):
            status = "revoked"
        elif expires is not None and expires.timestamp() <= self._clock():
            status = "expired"
        return TokenInfo(
            id=token_id, name=fields["name"], scopes=tuple(fields["scopes"].split()),
            source="store", status=status, created_at=_at(fields.get("created_at")),
            created_by=fields.get("created_by"), expires_at=expires,
            last_used_at=_at(fields.get("last_used_at")),
        )  # fmt: skip
