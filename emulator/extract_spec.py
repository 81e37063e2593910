"""Extract the facts of the Bot API specification that the emulator checks requests against.

Source: ``api.json`` of https://github.com/PaulSonOfLars/telegram-bot-api-spec, which is generated from
the official documentation at https://core.telegram.org/bots/api.  Licence of that data: MIT,
Copyright (c) 2020 Paul Larsen; the full text is in ``BOT_API_SPEC_LICENSE`` next to the output.

The output, ``bot_api_spec.json`` next to this file, keeps facts only: the version, every method with
its parameters and every type with its fields (name, types as listed, required), and the subtypes of
the abstract types.  Descriptions, links and return values are left out.  Usage::

    python -m emulator.extract_spec [SOURCE]          # write emulator/bot_api_spec.json
    python -m emulator.extract_spec [SOURCE] --check  # exit 1 if the committed file is stale

``SOURCE`` defaults to ``../shared/telegram-bot-api/api.json`` next to the repository; the file can be
downloaded from https://raw.githubusercontent.com/PaulSonOfLars/telegram-bot-api-spec/main/api.json.
The script needs the standard library only (``python emulator/extract_spec.py`` works too).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_OUTPUT",
    "DEFAULT_SOURCE",
    "LICENSE_FILE",
    "ExtractError",
    "extract",
    "main",
    "render",
]

REPOSITORY = "https://github.com/PaulSonOfLars/telegram-bot-api-spec"
DOCUMENTATION = "https://core.telegram.org/bots/api"
LICENSE_NAME = "MIT"
COPYRIGHT = "Copyright (c) 2020 Paul Larsen"

_HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = _HERE / "bot_api_spec.json"
LICENSE_FILE = _HERE / "BOT_API_SPEC_LICENSE"
DEFAULT_SOURCE = _HERE.parents[1] / "shared" / "telegram-bot-api" / "api.json"
"""``<repository>/../shared/telegram-bot-api/api.json``."""

FORMAT = (
    "methods and types: name -> [[parameter or field, [types as listed], required], ...] in the order of "
    "the documentation; subtypes: abstract type -> its subtypes"
)

Field = list[Any]
"""``[name, [types], required]``."""


class ExtractError(Exception):
    """The source is missing or is not shaped like telegram-bot-api-spec's api.json."""


def _fields(owner: str, raw: Any) -> list[Field]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ExtractError(f"{owner}: 'fields' is not a list")
    fields: list[Field] = []
    for item in raw:
        if not isinstance(item, dict):
            raise ExtractError(f"{owner}: a field is not an object")
        name, types, required = item.get("name"), item.get("types"), item.get("required")
        if not isinstance(name, str) or not name:
            raise ExtractError(f"{owner}: a field has no name")
        if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
            raise ExtractError(f"{owner}.{name}: 'types' is not a list of names")
        if not isinstance(required, bool):
            raise ExtractError(f"{owner}.{name}: 'required' is not true or false")
        fields.append([name, list(types), required])
    return fields


def _entries(raw: dict[str, Any], section: str) -> dict[str, dict[str, Any]]:
    entries = raw.get(section)
    if not isinstance(entries, dict) or not entries:
        raise ExtractError(f"the source has no '{section}'")
    checked: dict[str, dict[str, Any]] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict):
            raise ExtractError(f"{section}: {key!r} is not an object")
        name = entry.get("name", key)
        if not isinstance(name, str) or not name:
            raise ExtractError(f"{section}: {key!r} has no name")
        checked[name] = entry
    return checked


def extract(raw: Any) -> dict[str, Any]:
    """The facts of a parsed ``api.json``, with the source and licence at the top."""
    if not isinstance(raw, dict):
        raise ExtractError("the source is not a JSON object")
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ExtractError("the source has no 'version'")
    methods = {name: _fields(name, entry.get("fields")) for name, entry in _entries(raw, "methods").items()}
    object_types = _entries(raw, "types")
    types = {name: _fields(name, entry.get("fields")) for name, entry in object_types.items()}
    subtypes: dict[str, list[str]] = {}
    for name, entry in object_types.items():
        listed = entry.get("subtypes")
        if listed is None:
            continue
        if not isinstance(listed, list) or not all(isinstance(s, str) for s in listed):
            raise ExtractError(f"{name}: 'subtypes' is not a list of names")
        subtypes[name] = list(listed)
    result: dict[str, Any] = {
        "source": {
            "repository": REPOSITORY,
            "file": "api.json",
            "derived_from": DOCUMENTATION,
            "generated_by": "python -m emulator.extract_spec (emulator/extract_spec.py)",
        },
        "license": {"name": LICENSE_NAME, "copyright": COPYRIGHT, "file": LICENSE_FILE.name},
        "version": version,
    }
    release_date = raw.get("release_date")
    if isinstance(release_date, str) and release_date:
        result["release_date"] = release_date
    result["format"] = FORMAT
    result["methods"] = methods
    result["types"] = types
    result["subtypes"] = subtypes
    return result


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def render(facts: dict[str, Any]) -> str:
    """JSON text with the header first and one method, type or subtype list a line, sorted by name."""
    lines = ["{"]
    items = list(facts.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if key in ("methods", "types", "subtypes") and isinstance(value, dict):
            lines.append(f"  {_dump(key)}: {{")
            names = sorted(value)
            lines.extend(
                f"    {_dump(name)}: {_dump(value[name])}{',' if i < len(names) - 1 else ''}"
                for i, name in enumerate(names)
            )
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {_dump(key)}: {_dump(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _read_source(source: Path) -> Any:
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ExtractError(
            f"cannot read {source} ({error.strerror or error}); download api.json from {REPOSITORY}"
        ) from error
    try:
        return json.loads(text)
    except ValueError as error:
        raise ExtractError(f"{source} is not JSON: {error}") from error


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m emulator.extract_spec",
        description="Write the Bot API facts the emulator checks against (see the module docstring).",
    )
    parser.add_argument(
        "source", nargs="?", type=Path, default=DEFAULT_SOURCE, help=f"api.json (default: {DEFAULT_SOURCE})"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the output differs from the source's"
    )
    args = parser.parse_args(argv)
    source: Path = args.source
    output: Path = args.output
    try:
        text = render(extract(_read_source(source)))
    except ExtractError as error:
        print(f"extract_spec: {error}", file=sys.stderr)
        return 2
    if args.check:
        try:
            current = output.read_text(encoding="utf-8")
        except OSError as error:
            print(f"extract_spec: cannot read {output}: {error.strerror or error}", file=sys.stderr)
            return 1
        if current == text:
            print(f"{output} is up to date with {source}")
            return 0
        diff = list(
            difflib.unified_diff(
                current.splitlines(), text.splitlines(), str(output), "generated", n=0, lineterm=""
            )
        )
        shown = [line[:200] for line in diff[:40]]
        more = [f"... {len(diff) - len(shown)} more diff lines"] if len(diff) > len(shown) else []
        print("\n".join([*shown, *more]), file=sys.stderr)
        print(
            f"extract_spec: {output} differs from what {source} gives; run without --check", file=sys.stderr
        )
        return 1
    output.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {output} ({len(text.encode())} bytes, {text.count(chr(10))} lines) from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
