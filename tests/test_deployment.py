"""How the service is deployed: what docker-compose.yml exposes (nothing on every interface that
only operators need, docs/security.md) and lock files that pin every dependency by hash."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[1]
COMPOSE = ROOT / "docker-compose.yml"


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


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_files_pin_every_dependency_with_hashes() -> None:
    """`make` installs from requirements-dev.lock only: a dependency added to pyproject.toml
    without `make lock` would be missing there (and requirements.lock is the image's)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    for lock, wanted in (("requirements.lock", runtime), ("requirements-dev.lock", runtime | dev)):
        text = (ROOT / lock).read_text()
        pinned = {m[1].lower() for m in re.finditer(r"^([A-Za-z0-9._-]+)==", text, re.M)}
        missing = wanted - {p.replace("_", "-") for p in pinned}
        assert not missing, f"{lock} lacks {sorted(missing)}: run `make lock`"
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
        unhashed = [b.split()[0] for b in blocks if "==" in b and "--hash=sha256:" not in b]
        assert not unhashed, f"{lock}: no hash for {unhashed}"


def test_share_counts_get_a_bounded_redis_of_their_own() -> None:
    services = _services()
    assert services["api"]["environment"]["DISTRIBUTOR_COUNTS_REDIS_URL"].startswith(
        "redis://redis-counts:"
    )
    counts = services["redis-counts"]["command"]
    assert counts[counts.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert counts[counts.index("--maxmemory") + 1] == "256mb"
    main = services["redis"]["command"]
    assert main[main.index("--maxmemory-policy") + 1] == "noeviction"  # the ledger's is never
