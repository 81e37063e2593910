"""Phone numbers: one canonical form (E.164) for storing and comparing, whatever way they were typed."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=65536)  # imports repeat a client's number across many dialogs; parsing is ~20 µs
def normalize_phone(raw: str, region: str, *, strict: bool = False) -> str | None:
    """`8 (916) 123-45-67`, `+7 916 1234567` and `9161234567` (region RU) all give `+79161234567`.

    Returns None for text that is not a possible phone number, or with `strict` not a valid one (a number
    some operator could really have, not just one of a plausible length).
    """
    text = raw.strip()
    if not any(ch.isdigit() for ch in text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    valid = phonenumbers.is_valid_number if strict else phonenumbers.is_possible_number
    if not valid(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# The national digits of placeholder numbers typed into a form when the real one is unknown: runs up and down.
_RUNS = ("01234567890123456789", "98765432109876543210")


def is_placeholder(e164: str) -> bool:
    """A number no one can have, though phonenumbers calls it possible: its national digits all zeros
    (`0000000000`), or one digit repeated, or a run (`1234567890`), where no such number exists in that
    country (`is_valid_number`): the real `+7 999 999-99-99` is kept. Other numbers phonenumbers cannot
    confirm are kept too: its metadata lags behind the new ranges of some countries."""
    number = parse_e164(e164)
    national = phonenumbers.national_significant_number(number)
    if not national.strip("0"):
        return True
    if len(set(national)) > 1 and not any(national in run for run in _RUNS):
        return False
    return not phonenumbers.is_valid_number(number)


def parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    """A stored number as phonenumbers' object, read straight from its digits (~1 µs; parsing it as typed
    text takes ~16 µs, and a list page or a search shows ten numbers). Country codes are prefix-free, so
    the first one that exists is the number's. Raises `phonenumbers.NumberParseException` like `parse`."""
    digits = e164[1:]
    if e164.startswith("+") and digits.isdigit():
        for length in (1, 2, 3):
            code = int(digits[:length])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                national = digits[length:]
                if not national or national.startswith("0"):  # Italian leading zeros: parsing knows them
                    break
                return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return phonenumbers.parse(e164)


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
