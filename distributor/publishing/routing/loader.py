"""Load the routing file (TOML or YAML); refuse an invalid one with the line and reason."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from distributor.errors import ConfigError
from distributor.publishing.routing import RoutingTable


def load_routing(path: Path) -> RoutingTable:
    """Parse and validate a routing file; ConfigError names the file, line and reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read routing file: {exc.strerror}") from exc
    return parse_routing(text, str(path))


def parse_routing(text: str, name: str = "routing") -> RoutingTable:
    """Parse routing text; the format follows the file name (``.yaml``/``.yml`` or TOML)."""
    data: Any
    if name.endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(text) or {}
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            raise ConfigError(f"{name}:{line}: {exc.problem}") from exc
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            line = int(match.group(1)) if match else 0
            raise ConfigError(f"{name}:{line}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1: the routing file must be a table of settings")
    try:
        return RoutingTable.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        line = _line_of(text, loc)
        where = ".".join(loc) or "file"
        raise ConfigError(f"{name}:{line}: {where}: {err['msg']}") from exc


def _line_of(text: str, loc: list[str]) -> int:
    """Best-effort line of a validation error: the n-th table of a list, then the key."""
    lines = text.splitlines()
    start = 0
    if len(loc) >= 2 and loc[1].isdigit():
        headers = [
            i
            for i, line in enumerate(lines)
            if re.match(rf"\s*(\[\[{re.escape(loc[0])}\]\]|-\s)", line)
            or re.match(rf"\s*{re.escape(loc[0])}\s*[:=]", line)
        ]
        index = int(loc[1])
        if index < len(headers):
            start = headers[index]
    key = loc[2] if len(loc) >= 3 else (loc[0] if loc else "")
    for i in range(start, len(lines)):
        if re.match(rf"\s*(-\s*)?{re.escape(key)}\s*[:=]", lines[i]):
            return i + 1
    return start + 1
