"""Optional check of the bot's requests against a machine-readable Bot API specification.

The specification is looked up at ``<repo root>/../shared/telegram-bot-api/api.json`` (the repo
root being the parent of ``tests/``).  When the file is absent the check is skipped silently.
Nothing from that file is stored in the repository: it is only read at run time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SPEC_PATH", "ApiSpec", "MethodSpec", "ParamSpec"]

DEFAULT_SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "telegram-bot-api" / "api.json"

_INTEGER_RE = re.compile(r"-?\d+")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: dict[str, ParamSpec]


class ApiSpec:
    """Methods and their parameters as the specification file describes them."""

    def __init__(self, methods: dict[str, MethodSpec], version: str = "") -> None:
        self.version = version
        self._methods = {name.lower(): spec for name, spec in methods.items()}

    @classmethod
    def load(cls, path: Path | None = None) -> ApiSpec | None:
        """Load the specification; ``None`` when the file is missing or unreadable."""
        path = DEFAULT_SPEC_PATH if path is None else path
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except OSError:
            return None
        if key not in _CACHE:
            _CACHE[key] = cls._parse(path)
        return _CACHE[key]

    @classmethod
    def _parse(cls, path: Path) -> ApiSpec | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("methods"), dict):
            return None
        methods: dict[str, MethodSpec] = {}
        for name, method in raw["methods"].items():
            if not isinstance(method, dict):
                continue
            params: dict[str, ParamSpec] = {}
            for param in method.get("fields") or []:
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    params[param["name"]] = ParamSpec(
                        name=param["name"],
                        types=tuple(str(t) for t in param.get("types") or ()),
                        required=bool(param.get("required")),
                    )
            methods[str(method.get("name", name))] = MethodSpec(str(method.get("name", name)), params)
        return cls(methods, version=str(raw.get("version", "")))

    def method(self, name: str) -> MethodSpec | None:
        return self._methods.get(name.lower())

    def check(self, method: str, params: dict[str, Any]) -> list[str]:
        """Return the problems of a call: unknown method, unknown or missing parameters, bad integers."""
        spec = self.method(method)
        if spec is None:
            return [f"method {method!r} is not in the Bot API specification {self.version}".rstrip()]
        problems: list[str] = []
        for name, value in params.items():
            param = spec.params.get(name)
            if param is None:
                problems.append(f"{spec.name}: unknown parameter {name!r}")
            elif param.types == ("Integer",) and not _is_integer(value):
                problems.append(f"{spec.name}: parameter {name!r} must be an Integer, got {value!r}")
        for param in spec.params.values():
            if param.required and param.name not in params:
                problems.append(f"{spec.name}: required parameter {param.name!r} is missing")
        return problems


_CACHE: dict[tuple[str, int], ApiSpec | None] = {}


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and bool(_INTEGER_RE.fullmatch(value))
