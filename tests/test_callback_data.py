"""Every callback data factory of the keyboards, found rather than listed: its worst case (the widest value
each field accepts) fits Telegram's 64 bytes and comes back as it went, and a value beyond a bound does
not parse (a forged button reaches no handler)."""

from __future__ import annotations

import importlib
import pkgutil
from enum import Enum
from typing import Any

import annotated_types
import pytest
from aiogram.filters.callback_data import CallbackData
from hypothesis import given
from hypothesis import strategies as st

import keyboards
from keyboards.buttons import pack
from keyboards.callbacks import MAX_ID, MAX_PAGE, CardCallback, ListCallback
from keyboards.columns import Column


def _factories() -> list[type[CallbackData]]:
    for module in pkgutil.iter_modules(keyboards.__path__):
        importlib.import_module(f"keyboards.{module.name}")
    found: list[type[CallbackData]] = []
    pending = list(CallbackData.__subclasses__())
    while pending:
        factory = pending.pop()
        pending += factory.__subclasses__()
        if factory.__module__.startswith("keyboards."):
            found.append(factory)
    return sorted(found, key=lambda factory: factory.__name__)


FACTORIES = _factories()


def largest(factory: type[CallbackData], name: str) -> Any:
    """The widest value a field accepts: the upper bound of an int, the longest member of an enum."""
    field = factory.model_fields[name]
    annotation = field.annotation
    if annotation is bool:
        return True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return max(annotation, key=lambda member: len(str(member.value)))
    assert annotation is int, f"{factory.__name__}.{name}: {annotation!r} is not compact callback data"
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Le):
            return int(constraint.le)  # type: ignore[call-overload]
        if isinstance(constraint, annotated_types.Lt):
            return int(constraint.lt) - 1  # type: ignore[call-overload]
    raise AssertionError(f"{factory.__name__}.{name} has no upper bound: its packed size is unbounded")


def smallest(factory: type[CallbackData], name: str) -> Any:
    field = factory.model_fields[name]
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Ge):
            return int(constraint.ge)  # type: ignore[call-overload]
    return largest(factory, name)


def test_every_factory_is_found() -> None:
    names = {factory.__name__ for factory in FACTORIES}
    assert {
        "ListCallback",
        "CardCallback",
        "ExportCallback",
        "TranscriptCallback",
        "LanguageCallback",
    } <= names
    assert len(names) >= 8
    prefixes = [factory.__prefix__ for factory in FACTORIES]
    assert len(prefixes) == len(set(prefixes)), "two factories share a prefix"


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_the_worst_case_of_every_factory_fits_64_bytes(factory: type[CallbackData]) -> None:
    worst = factory(**{name: largest(factory, name) for name in factory.model_fields})
    packed = worst.pack()
    assert len(packed.encode()) <= 64, packed
    assert factory.unpack(packed) == worst


def instances(factory: type[CallbackData]) -> st.SearchStrategy[CallbackData]:
    """Any valid data of a factory: every field anywhere within its bounds."""
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in factory.model_fields.items():
        if field.annotation is bool:
            fields[name] = st.booleans()
        elif isinstance(field.annotation, type) and issubclass(field.annotation, Enum):
            fields[name] = st.sampled_from(list(field.annotation))
        else:
            fields[name] = st.integers(smallest(factory, name), largest(factory, name))
    return st.builds(factory, **fields)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
@given(data=st.data())
def test_the_keyboards_pack_as_the_factory_packs(factory: type[CallbackData], data: st.DataObject) -> None:
    instance = data.draw(instances(factory))
    assert pack(instance) == instance.pack()
    assert factory.unpack(pack(instance)) == instance


def test_packing_refuses_data_over_64_bytes() -> None:
    class Wide(CallbackData, prefix="wide"):
        a: int
        b: int

    with pytest.raises(ValueError):
        pack(Wide(a=10**30, b=10**30))


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_values_beyond_the_bounds_are_refused(factory: type[CallbackData]) -> None:
    worst = factory(**{name: largest(factory, name) for name in factory.model_fields})
    for name in factory.model_fields:
        if factory.model_fields[name].annotation is not int:
            continue
        packed = worst.model_copy(update={name: largest(factory, name) + 1}).pack()
        with pytest.raises(ValueError):
            factory.unpack(packed)


def test_the_bounds_are_what_the_views_need() -> None:
    assert largest(CardCallback, "dialog") == largest(ListCallback, "anchor") == MAX_ID >= 2**31 - 1
    assert largest(ListCallback, "page") == MAX_PAGE >= 1_000_000  # a million dialogs, one a page
    assert list(Column) == [Column(number) for number in range(8)]  # the numbers buttons carry
    assert smallest(CardCallback, "dialog") == 1


def test_buttons_of_messages_sent_before_still_mean_the_same() -> None:
    """aiogram unpacks exactly the fields a factory declares: the factories of the buttons already on
    people's phones keep their fields (a new kind of button gets a factory of its own)."""
    assert ListCallback.unpack("l:2:0:2:77:3:9") == ListCallback(
        sort=Column.PHONE, desc=False, pos=2, anchor=77, page=3, view_id=9
    )
    assert CardCallback.unpack("c:5:1:1:0:1:3:8:2:4") == CardCallback(
        dialog=5, part=1, turn=True, sort=Column.CLIENT, desc=True, pos=3, anchor=8, page=2, view_id=4
    )
