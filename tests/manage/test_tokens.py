"""Manager tokens: prefixed, 256 random bits, only a hash stored, shown once; expiry, revocation,
last use; the DISTRIBUTOR_TOKENS ones keep working."""

from __future__ import annotations

import re

import pytest
from pydantic import SecretStr
from redis import Redis

from distributor.config import ApiToken
from distributor.errors import Refused
from distributor.keys import Keys
from distributor.manage.tokens import PREFIX, TokenStore
from tests.support.clock import T0, Clock

DAY = 86_400.0
ENV = ApiToken(
    name="cms-bot", token=SecretStr("env-token-0123456789"), scopes=frozenset({"reshare"})
)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(redis_client: Redis, keys: Keys, clock: Clock) -> TokenStore:
    return TokenStore(redis_client, keys, [ENV], clock=clock)


def _everything(redis: Redis) -> str:
    """Every key and value of the test database, as text."""
    out = []
    for key in redis.scan_iter():
        kind = redis.type(key)
        value = redis.hgetall(key) if kind == "hash" else redis.zrange(key, 0, -1)
        out.append(f"{key} {value}")
    return "\n".join(out)


def test_a_token_is_prefixed_random_and_stored_only_as_a_hash(
    store: TokenStore, redis_client: Redis
) -> None:
    plain, info = store.create("desk", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    match = re.fullmatch(rf"{PREFIX}([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})", plain)
    assert match is not None  # 43 url-safe characters: 256 bits
    assert info.id == match.group(1) and info.status == "active" and info.scopes == ("reshare",)
    secret = match.group(2)
    assert secret not in _everything(redis_client) and plain not in _everything(redis_client)
    other, _ = store.create("desk-2", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    assert other.split("_")[-1] != secret


def test_authenticate_names_the_token_and_records_its_last_use(
    store: TokenStore, clock: Clock
) -> None:
    plain, _ = store.create("desk", ["reshare", "audit:read"], created_by="cli:ana",
                            expires_in_s=DAY)  # fmt: skip
    clock.advance(60)
    principal = store.authenticate(plain)
    assert principal.name == "desk" and principal.scopes == {"reshare", "audit:read"}
    [info] = [t for t in store.list() if t.name == "desk"]
    assert info.last_used_at is not None and info.last_used_at.timestamp() == clock.now


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t + "x", str.upper]
)
def test_a_wrong_secret_is_invalid(store: TokenStore, mangle: object) -> None:
    plain, _ = store.create("desk", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    with pytest.raises(Refused, match="invalid bearer token") as refused:
        store.authenticate(mangle(plain))  # type: ignore[operator]
    assert refused.value.status_code == 401


def test_expired_and_revoked_tokens_are_refused_saying_so(store: TokenStore, clock: Clock) -> None:
    short, _ = store.create("short", ["reshare"], created_by="cli:ana", expires_in_s=3600)
    gone, _ = store.create("gone", ["reshare"], created_by="cli:ana", expires_in_s=None)
    assert store.revoke("gone").status == "revoked"
    clock.advance(3601)
    with pytest.raises(Refused, match="token expired"):
        store.authenticate(short)
    with pytest.raises(Refused, match="token revoked"):
        store.authenticate(gone)
    assert {t.name: t.status for t in store.list()} == {
        "short": "expired", "gone": "revoked", "cms-bot": "active",
    }  # fmt: skip


def test_names_are_unique_among_live_tokens(store: TokenStore) -> None:
    _, first = store.create("desk", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    with pytest.raises(Refused, match="revoke it first"):
        store.create("desk", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    store.revoke(first.id or "")
    plain, second = store.create("desk", ["reshare"], created_by="cli:ana", expires_in_s=DAY)
    assert second.id != first.id and store.authenticate(plain).token_id == second.id
    with pytest.raises(Refused, match="DISTRIBUTOR_TOKENS"):
        store.create("cms-bot", ["reshare"], created_by="cli:ana", expires_in_s=DAY)


@pytest.mark.parametrize(
    ("name", "scopes"), [("bad name", ["reshare"]), ("desk", ["admin"]), ("desk", [])]
)
def test_bad_names_and_scopes_are_refused(store: TokenStore, name: str, scopes: list[str]) -> None:
    with pytest.raises(Refused) as refused:
        store.create(name, scopes, created_by="cli:ana", expires_in_s=DAY)
    assert refused.value.status_code == 422


def test_environment_tokens_keep_working_and_cannot_be_revoked_here(store: TokenStore) -> None:
    principal = store.authenticate("env-token-0123456789")
    assert principal.name == "cms-bot" and principal.token_id is None
    [env] = [t for t in store.list() if t.source == "env"]
    assert env.last_used_at is not None
    with pytest.raises(Refused, match="remove it there"):
        store.revoke("cms-bot")
    with pytest.raises(Refused) as unknown:
        store.revoke("nobody")
    assert unknown.value.status_code == 404


def test_an_ephemeral_token_expires_with_its_key(store: TokenStore, redis_client: Redis,
                                                 keys: Keys) -> None:  # fmt: skip
    plain, info = store.create("sandbox-cli", ["reshare"], created_by="sandbox-cli",
                               expires_in_s=600, ephemeral=True)  # fmt: skip
    assert 0 < redis_client.ttl(keys.token(info.id or "")) <= 601
    assert store.authenticate(plain).name == "sandbox-cli"
    assert [t.name for t in store.list()] == ["cms-bot"]  # not listed, holds no name


def test_a_token_still_grants_a_session_only_while_active_and_unchanged(
    store: TokenStore, clock: Clock
) -> None:
    plain, info = store.create("desk", ["reshare", "audit:read"], created_by="cli:ana",
                               expires_in_s=3600)  # fmt: skip
    principal = store.authenticate(plain)
    assert store.still_grants("desk", info.id, principal.scopes)
    assert not store.still_grants("desk", info.id, frozenset({"reshare"}))  # other scopes
    assert not store.still_grants("other", info.id, principal.scopes)
    assert not store.still_grants("desk", "0" * 12, principal.scopes)  # no such token
    assert store.still_grants("cms-bot", None, frozenset({"reshare"}))  # the environment's
    assert not store.still_grants("cms-bot", None, frozenset({"reshare", "audit:read"}))
    assert not store.still_grants("desk", None, principal.scopes)  # not an environment token
    clock.advance(3601)
    assert not store.still_grants("desk", info.id, principal.scopes)  # expired
    _, kept = store.create("kept", ["reshare"], created_by="cli:ana", expires_in_s=None)
    assert store.still_grants("kept", kept.id, frozenset({"reshare"}))
    store.revoke("kept")
    assert not store.still_grants("kept", kept.id, frozenset({"reshare"}))
