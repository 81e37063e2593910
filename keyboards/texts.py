"""What keyboards need of the text catalogue: a function from a key (and arguments) to a label."""

from typing import Any, Protocol


class Translate(Protocol):
    def __call__(self, key: str, /, **arguments: Any) -> str: ...
