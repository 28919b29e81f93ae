"""Lua scripts live in ``.lua`` files beside the module that runs them (docs/architecture.md).

Each script runs as one Redis command, so a state change and its bookkeeping are atomic.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def script(package: str, name: str, *, prelude: str | None = None) -> str:
    """The text of ``<package>/<name>.lua``, after ``<package>/<prelude>.lua`` when given."""
    root = files(package)
    body = root.joinpath(f"{name}.lua").read_text(encoding="utf-8")
    if prelude is None:
        return body
    return root.joinpath(f"{prelude}.lua").read_text(encoding="utf-8") + "\n" + body
