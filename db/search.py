"""What a search means: the text of a list view (typed by a person, stored by id) understood as one of
three searches, which the query engine answers through the indexes of `db.sqlite.search`:

- a full phone number in any format (`8 (916) 123-45-67`) → the dialogs with exactly that number;
- three or more digits and no letters (`4567`, `916 12`) → numbers that contain those digits, those that
  end with them first (`digit_parts`);
- a name after `=` (`=Семён Иванов`) → the dialogs of exactly that name, ignoring case, with ё = е (one
  client without a number: the card's «Все диалоги клиента», `client_search_text`);
- anything else → names that contain every word, ignoring case, with ё = е. Text is only ever text:
  it is bound as a parameter or quoted as a phrase, never spliced into SQL.

A stored view keeps the text, and the text is understood each time the view is read, so this is the
archive's own query language rather than the bot's reading of a message.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from db.phones import digits_of, normalize_phone
from db.text import fold

MIN_DIGITS = 3
DIGIT_GRAM = 4  # `client_phone_grams` holds every four consecutive digits of each number


class SearchKind(Enum):
    NAME = "name"
    PHONE = "phone"  # a whole number, compared exactly
    DIGITS = "digits"  # part of a number


class DigitsPart(Enum):
    """Digits typed are most often a number's last digits: the list shows the numbers that end with them
    first, then those that hold them elsewhere (`digit_parts`)."""

    ENDING = "ending"
    INSIDE = "inside"  # the digits are in the number, and it does not end with them


@dataclass(frozen=True, slots=True)
class Search:
    kind: SearchKind
    terms: tuple[str, ...]  # folded words (NAME), one E.164 number (PHONE) or one digit string (DIGITS)
    part: DigitsPart | None = None  # DIGITS: only the numbers of that part; None: every number with them
    exact: bool = False  # NAME: the one folded name `terms[0]`, whole, rather than names with every word


def digit_parts(search: Search | None) -> tuple[Search, Search] | None:
    """A search of four digits or more as its two parts, in the order the list shows them
    (`db.digit_parts`); None for any other search. Fewer digits are seldom a number's end, and match too
    many numbers to count twice."""
    if search is None or search.kind is not SearchKind.DIGITS or search.part is not None:
        return None
    if len(search.terms[0]) < DIGIT_GRAM:
        return None
    return replace(search, part=DigitsPart.ENDING), replace(search, part=DigitsPart.INSIDE)


def parse_search(typed: str, region: str) -> Search | None:
    """None for blank text. Never fails: whatever was typed is some search."""
    folded = fold(typed)
    if not folded:
        return None
    exact = _exact_name(folded)
    if exact:
        return Search(SearchKind.NAME, (exact,), exact=True)
    if not any(ch.isalpha() for ch in folded):
        digits = digits_of(folded)
        if len(digits) >= MIN_DIGITS:
            number = normalize_phone(typed, region, strict=True)
            if number is not None:
                return Search(SearchKind.PHONE, (number,))
            return Search(SearchKind.DIGITS, (digits,))
    return Search(SearchKind.NAME, tuple(dict.fromkeys(folded.split())))


_E164_REGION = "ZZ"  # a number in E.164 carries its country: no region is needed to read it
EXACT_NAME = "="  # before a name: the dialogs of that whole name (`client_search_text`)


def client_search_text(phone: str | None, name: str | None) -> str:
    """The search that finds every dialog of one client: by the number (E.164, as the analytics' client rows
    search it), else by the whole name (after `=`); "" for neither, or for a number that is not read as a
    whole one (`parse_search`: it would be searched as digits, among other numbers)."""
    if phone:
        return phone if is_client_search(phone) else ""
    return f"{EXACT_NAME}{name}" if name and name.strip() else ""


def is_client_search(text: str) -> bool:
    """Whether `text` is a search `client_search_text` makes: one client's dialogs (a number in E.164, or a
    whole name after `=`), rather than one a person typed."""
    search = parse_search(text, _E164_REGION) if text else None
    if search is None:
        return False
    return search.exact or (search.kind is SearchKind.PHONE and text == search.terms[0])


def _exact_name(folded: str) -> str:
    """The whole name a search after `=` is of ("" for any other search)."""
    return folded[len(EXACT_NAME) :].strip() if folded.startswith(EXACT_NAME) else ""


@dataclass(frozen=True, slots=True)
class Matches:
    """The names or phones a search matched, when there are few of them, their dialogs' total, and when
    each one's newest dialog was completed (as stored: text that sorts in time order)."""

    ids: list[int]
    total: int
    lasts: list[str | None]

    def newest(self, count: int) -> Matches:
        """Only those that can hold the `count` newest matching dialogs: the ones whose newest dialog is no
        older than the `count`-th newest of those newest dialogs. (Those are `count` distinct matching
        dialogs, so the `count`-th newest of all is at least as new; and a dialog is never newer than its
        name's or number's newest.) The total stays that of all."""
        known = [last for last in self.lasts if last is not None]
        if len(self.ids) <= count or len(known) < len(self.ids):  # an unknown time: nothing is left out
            return self
        threshold = sorted(known, reverse=True)[count - 1]
        kept = [index for index, last in enumerate(known) if last >= threshold]
        return Matches([self.ids[i] for i in kept], self.total, [known[i] for i in kept])


# how many dialogs a search finds, and its matching names or numbers when those dialogs are few
# (`db.sqlite.search.find_matches`)
Found = tuple[int, Matches | None]


def phone_grams(e164: str) -> set[int]:
    """The number's four-digit grams (`+79161234567`: 7916, 9161, …, 4567) as integers, the form the
    search looks them up in (the four digits "0123" are 123: every gram has four digits, so none collide)."""
    digits = e164.lstrip("+")
    return {int(digits[i : i + DIGIT_GRAM]) for i in range(len(digits) - DIGIT_GRAM + 1)}


def reads_hidden_digits(search: Search) -> bool:
    """Whether a search would tell someone who sees numbers masked (`+7 916 ***-**-67`) anything of the
    digits the mask hides: part of a number ("9162", "4567": which numbers hold them), and digits in a name
    search (a name may hold a number). A whole number tells nothing beyond what they typed themselves."""
    if search.kind is SearchKind.DIGITS:
        return True
    return search.kind is SearchKind.NAME and any(ch.isdigit() for word in search.terms for ch in word)
