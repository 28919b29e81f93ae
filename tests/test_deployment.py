"""What docker-compose.yml exposes: nothing beyond the API without a password, nothing on every
interface that only operators need (docs/security.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).parents[1] / "docker-compose.yml"


def _services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def test_flower_listens_on_loopback_only_and_refuses_to_start_without_a_password() -> None:
    flower = _services()["flower"]
    assert flower["ports"] == ["127.0.0.1:5555:5555"]
    script = flower["command"][-1]
    assert script.startswith('test -n "$$FLOWER_BASIC_AUTH" ||')
    assert '--basic-auth="$$FLOWER_BASIC_AUTH"' in script


def test_only_the_api_and_the_sandbox_are_published_on_every_interface() -> None:
    published = {
        name: port
        for name, service in _services().items()
        for port in service.get("ports", [])
        if not str(port).startswith("127.0.0.1:")
    }
    assert published == {"api": "8000:8000", "sandbox": "8081:8081"}
