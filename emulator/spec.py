"""Check of the bot's requests against the Bot API specification kept in the repository.

The specification is ``bot_api_spec.json`` next to this file: the version, the methods with their
parameters and the types with their fields, extracted by :mod:`emulator.extract_spec` from
api.json of https://github.com/PaulSonOfLars/telegram-bot-api-spec (generated from
https://core.telegram.org/bots/api; MIT, Copyright (c) 2020 Paul Larsen, see ``BOT_API_SPEC_LICENSE``).
A missing or malformed file is an error (:class:`SpecError`), never a silently skipped check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_SPEC_PATH", "ApiSpec", "MethodSpec", "ParamSpec", "SpecError"]

DEFAULT_SPEC_PATH = Path(__file__).resolve().with_name("bot_api_spec.json")

_INTEGER_RE = re.compile(r"-?\d+")
_BOOLEAN_STRINGS = frozenset({"true", "false", "1", "0"})
_ARTICLES = {"Integer": "an Integer", "Float": "a Float", "Boolean": "a Boolean", "String": "a String"}


class SpecError(Exception):
    """The specification file is missing, unreadable or not in the format of ``extract_spec``."""


@dataclass(frozen=True)
class ParamSpec:
    """A parameter of a method or a field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: dict[str, ParamSpec]


class ApiSpec:
    """Methods (with their parameters) and types (with their fields) of the Bot API."""

    def __init__(
        self,
        methods: dict[str, MethodSpec],
        version: str = "",
        types: dict[str, dict[str, ParamSpec]] | None = None,
    ) -> None:
        self.version = version
        self._methods = {name.lower(): spec for name, spec in methods.items()}
        self.types: dict[str, dict[str, ParamSpec]] = dict(types or {})
        """Object types: name -> fields by name (empty for abstract types and for InputFile)."""

    @classmethod
    def load(cls, path: Path | None = None) -> ApiSpec:
        """Load a file written by ``extract_spec`` (the one in the repository by default).

        Raises :class:`SpecError` when the file is missing, unreadable or malformed.
        """
        path = DEFAULT_SPEC_PATH if path is None else path
        try:
            key = (str(path), path.stat().st_mtime_ns)
        except OSError as error:
            raise SpecError(
                f"the Bot API specification {path} is missing ({error.strerror or error}); "
                "regenerate it with `python -m emulator.extract_spec`"
            ) from error
        if key not in _CACHE:
            _CACHE[key] = cls._parse(path)
        return _CACHE[key]

    @classmethod
    def _parse(cls, path: Path) -> ApiSpec:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SpecError(f"cannot read the Bot API specification {path}: {error}") from error
        if not isinstance(raw, dict) or not isinstance(raw.get("version"), str):
            raise SpecError(f"{path} is not a Bot API specification written by extract_spec (no version)")
        try:
            methods = {
                name: MethodSpec(name, _fields(fields)) for name, fields in _section(raw, "methods").items()
            }
            types = {name: _fields(fields) for name, fields in _section(raw, "types").items()}
        except (TypeError, ValueError) as error:
            raise SpecError(
                f"{path} is not a Bot API specification written by extract_spec: {error}"
            ) from error
        return cls(methods, version=raw["version"], types=types)

    def method(self, name: str) -> MethodSpec | None:
        return self._methods.get(name.lower())

    def check(self, method: str, params: dict[str, Any]) -> list[str]:
        """Return the problems of a call: an unknown method, unknown or missing parameters, and values
        that plainly do not fit a parameter of type Integer, Float, Boolean or String (or a union of
        these, like chat_id's Integer or String)."""
        spec = self.method(method)
        if spec is None:
            return [f"method {method!r} is not in the Bot API specification {self.version}".rstrip()]
        problems: list[str] = []
        for name, value in params.items():
            param = spec.params.get(name)
            if param is None:
                problems.append(f"{spec.name}: unknown parameter {name!r}")
            elif not _fits(param.types, value):
                expected = " or ".join(_ARTICLES[t] for t in param.types)
                problems.append(f"{spec.name}: parameter {name!r} must be {expected}, got {value!r}")
        for param in spec.params.values():
            if param.required and param.name not in params:
                problems.append(f"{spec.name}: required parameter {param.name!r} is missing")
        return problems


_CACHE: dict[tuple[str, int], ApiSpec] = {}


def _section(raw: dict[str, Any], key: str) -> dict[str, Any]:
    section = raw.get(key)
    if not isinstance(section, dict) or not section:
        raise ValueError(f"no {key!r}")
    return section


def _fields(raw: Any) -> dict[str, ParamSpec]:
    if not isinstance(raw, list):
        raise ValueError(f"fields must be a list, got {raw!r}")
    fields: dict[str, ParamSpec] = {}
    for item in raw:
        name, types, required = item  # ValueError or TypeError unless a [name, types, required] triple
        if not isinstance(name, str) or not isinstance(types, list) or not isinstance(required, bool):
            raise ValueError(f"a field must be [name, [types], required], got {item!r}")
        fields[name] = ParamSpec(name, tuple(str(t) for t in types), required)
    return fields


def _fits(types: tuple[str, ...], value: Any) -> bool:
    """Whether ``value`` may be an argument of one of ``types``; always true unless all of them are
    Integer, Float, Boolean or String.

    Lenient where Telegram is: values of a multipart form or a query string arrive as strings (the
    emulator decodes them by aiogram's types), and the Bot API reads a number as a String's text and
    "true"/"false"/"1"/"0" as a Boolean.  What does not fit is what no request means: an object or a
    list for a scalar, a Boolean given for a String or a number, a text that is no number for one.
    """
    if not types or any(t not in _ARTICLES for t in types):
        return True
    return any(_FITS[t](value) for t in types)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and bool(_INTEGER_RE.fullmatch(value))


def _is_float(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return value in (0, 1)
    return isinstance(value, str) and value.lower() in _BOOLEAN_STRINGS


def _is_string(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


_FITS = {"Integer": _is_integer, "Float": _is_float, "Boolean": _is_boolean, "String": _is_string}
