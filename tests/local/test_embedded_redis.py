"""The suite's fallback: with nothing at the configured URL it starts an embedded redis-server
with the service's durable settings (the README's promise for a machine without Redis)."""

from __future__ import annotations

from redis import Redis

from distributor.local.embedded_redis import free_port
from tests.support.redis import session_redis_url


def test_nothing_at_the_configured_url_starts_a_durable_embedded_redis() -> None:
    configured = f"redis://127.0.0.1:{free_port()}/3"
    url = session_redis_url(configured)
    assert url != configured and url.endswith("/3")
    client = Redis.from_url(url)
    try:
        assert client.ping()
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
    finally:
        client.shutdown(nosave=True)
        client.close()
