"""Reading an import file: its format, encoding and CSV delimiter, found or given, and every line as an
object or the reason it cannot be one.

Nothing is decoded by guesswork, so that no garbled text reaches the archive (a garbled name would become
an employee or a client of its own, and stay one after a correct re-import). The encoding: a byte order
mark decides (UTF-8, UTF-16, UTF-32; UTF-16 is also recognised without one, by its zero bytes); otherwise a
file whose beginning is valid UTF-8 is UTF-8; otherwise it must read beyond doubt as cp1251 (Windows
Cyrillic, what Excel saves in Russia: `_reads_as_cp1251`), or the person is asked to name the encoding. A
line that does not decode in the file's encoding is rejected with that hint, never read with replacement
characters. A CSV file's first line names the columns, `id` among them, and so tells the delimiter:
comma, semicolon (Excel in Russia) or tab.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, AnyStr

from db.records import LONE_SURROGATE

SAMPLE_BYTES = 1 << 20  # what the encoding, the format and the number of lines are judged by
MAX_LINE_BYTES = 16 << 20  # a longer "line" is not a dialog: binary data, or a file without line breaks
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODING_HINT = "name the file's encoding, e.g. --encoding cp1251 (Windows Cyrillic) or --encoding koi8-r"

_BOMS = (  # UTF-32's little-endian mark starts with UTF-16's: it is looked for first
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ASCII_PROBE = '\n\r\t {}[]",;:0123456789abcdefghijklmnopqrstuvwxyz'
_WORD = re.compile(r"[^\W\d_]+")
# cp1251 text in Russian: its letters (Ukrainian and Belarusian ones too) and the typography Word and
# Excel put in; a byte that decodes to anything else means the file is in another encoding.
_CYRILLIC = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў")
_CP1251_OTHERS = frozenset("«»—–„“”‘’…№°±•€\xa0")
# The twelve most frequent letters of Russian make ~74 % of its letters (~83 % of the demo data's names);
# read in the wrong 8-bit encoding (KOI8-R, say, which has the same letters in other places), ~41 %.
_FREQUENT = frozenset("оеаинтсрвлкм")
_MIN_FREQUENT_SHARE = 0.6
_MIN_LETTERS = 20  # fewer letters than this tell nothing for sure

# (first line, last line, the object or why there is none)
Item = tuple[int, int, dict[str, Any] | str]


class UnreadableFile(Exception):
    """The file cannot be read: at all (`line` 0), or after `line`. The message is for the person."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


class ImportFile:
    """An open import file (a context manager): what it is, and its lines as objects (`items`)."""

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> None:
        """`encoding`, `delimiter`: as given (`--encoding`, `--delimiter`), or None to find them. Raises
        `UnreadableFile` when the file cannot be read as JSON Lines or CSV at all."""
        self.path = path
        try:
            self._raw: IO[bytes] = path.open("rb")
            self.size = path.stat().st_size
            sample = self._raw.read(SAMPLE_BYTES)
        except OSError as error:
            raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
        try:
            complete = len(sample) < SAMPLE_BYTES
            self.encoding, self._skip = _encoding_of(path, sample, complete, encoding)
            self.detected = encoding is None and self.encoding != "utf-8"
            self._by_bytes = _ascii_compatible(self.encoding)
            head = _decode_head(sample[self._skip :], self.encoding, complete)
            self.is_csv = _is_csv(path, head)
            self._text: io.TextIOWrapper | None = None
            self.columns: list[str] = []
            self.delimiter = ""
            if self.is_csv:
                self.delimiter, self.columns = _header(path, head, delimiter)
            lines = sample.count(b"\n")
            self.estimated_lines = self.size * lines // len(sample) if lines else 0
            self._raw.seek(self._skip)
        except BaseException:
            self._raw.close()
            raise

    def __enter__(self) -> ImportFile:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._raw.close()  # the text wrapper of a UTF-16 file, if any, closes with it

    def position(self) -> int:
        """How far into the file reading has come, in bytes (for progress)."""
        return self._raw.tell()

    def items(self) -> Iterator[Item]:
        """Every non-blank line (a CSV record: its lines) as an object, or the reason it is not one. Raises
        `UnreadableFile` when reading fails midway (after the lines it gave)."""
        return self._csv_items() if self.is_csv else self._json_items()

    # --- lines ---------------------------------------------------------------------------------------

    def _lines(self) -> Iterator[tuple[int, str, str]]:
        """(number, text, what is wrong with it or "") of every line. A line that does not decode comes with
        its undecodable bytes as lone surrogates, so that a CSV record keeps its shape."""
        number = 0
        try:
            if self._by_bytes:
                undecodable = self._undecodable()
                for line in self._limited(self._raw.readline, b"\n"):
                    number += 1
                    if line is None:
                        yield number, "\n", self._too_long
                        continue
                    try:
                        yield number, line.decode(self.encoding), ""
                    except UnicodeDecodeError:
                        yield number, line.decode(self.encoding, "surrogateescape"), undecodable
            else:
                # kept: a wrapper closes the file it wraps when it is collected
                self._text = io.TextIOWrapper(self._raw, self.encoding, errors="surrogatepass", newline="\n")
                for chars in self._limited(self._text.readline, "\n"):
                    number += 1
                    if chars is None:
                        yield number, "\n", self._too_long
                        continue
                    if number == 1:
                        chars = chars.removeprefix("\ufeff")
                    yield number, chars, self._undecodable() if LONE_SURROGATE.search(chars) else ""
        except (OSError, UnicodeDecodeError) as error:
            raise UnreadableFile(
                f"cannot read {self.path} after line {number:,}: {_reason(error)}", number
            ) from None

    @staticmethod
    def _limited(readline: Callable[[int], AnyStr], newline: AnyStr) -> Iterator[AnyStr | None]:
        """Lines as `readline` gives them, None for one longer than MAX_LINE_BYTES (skipped unread)."""
        while line := readline(MAX_LINE_BYTES):
            if len(line) < MAX_LINE_BYTES or line.endswith(newline):
                yield line
                continue
            while (rest := readline(MAX_LINE_BYTES)) and not rest.endswith(newline):
                pass
            yield None

    _too_long = f"longer than {MAX_LINE_BYTES >> 20} MiB"

    def _undecodable(self) -> str:
        return f"not valid {self.encoding} text; if the file is in another encoding, {ENCODING_HINT}"

    # --- JSON Lines ----------------------------------------------------------------------------------

    def _json_items(self) -> Iterator[Item]:
        for number, text, problem in self._lines():
            if problem:
                yield number, number, problem
                continue
            if text.strip():
                yield number, number, json_object(text)

    # --- CSV -----------------------------------------------------------------------------------------

    def _csv_items(self) -> Iterator[Item]:
        problem = (0, "")  # the last line that could not be read, and why

        def texts() -> Iterator[str]:
            nonlocal problem
            for number, text, wrong in self._lines():
                if wrong:
                    problem = (number, wrong)
                yield text

        reader = csv.reader(texts(), delimiter=self.delimiter)
        columns = self.columns
        header_seen = False
        end = 0  # the last line of the record before
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                end = reader.line_num
                yield start, end, _csv_problem(error)
                continue
            end = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if not header_seen:  # read and checked when the file was opened
                header_seen = True
                continue
            if problem[0] >= start:
                yield start, end, problem[1]
            elif len(row) > len(columns):
                yield start, end, "more cells than there are columns in the header"
            else:
                yield start, end, dict(zip(columns, row, strict=False))


def json_object(text: str) -> dict[str, Any] | str:
    """One line of JSON Lines: the object it holds, or why it holds none."""
    try:
        found = json.loads(text)
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        return f"not valid JSON ({error})"
    except RecursionError:
        return "not valid JSON (nested too deeply)"
    return found if isinstance(found, dict) else "not a JSON object"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return str(error.strerror or error)
    return str(error)


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        return f"not valid CSV: a cell is longer than {limit:,} characters (a quote that never closes?)"
    return f"not valid CSV ({error})"


def _encoding_of(path: Path, sample: bytes, complete: bool, given: str | None) -> tuple[str, int]:
    """The codec to read the file in, and how many bytes of byte order mark to skip first."""
    if given is not None:
        codec = codecs.lookup(given).name
        if codec in ("utf-8", "utf-8-sig"):
            return "utf-8", len(codecs.BOM_UTF8) if sample.startswith(codecs.BOM_UTF8) else 0
        return codec, 0
    for bom, codec in _BOMS:
        if sample.startswith(bom):
            return codec, len(bom) if codec == "utf-8" else 0  # UTF-16 and -32 read their own mark
    if b"\0" in sample:
        utf16 = _utf16_without_bom(sample)
        if utf16 is None:
            raise UnreadableFile(f"{path} is not a text file (JSON Lines or CSV): it holds zero bytes")
        return utf16, 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", 0
    if _reads_as_cp1251(sample):
        return "cp1251", 0
    raise UnreadableFile(f"{path} is not UTF-8 text, and what it is cannot be told for sure: {ENCODING_HINT}")


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without a byte order mark: the zero high bytes of its ASCII characters (every JSON key, every
    CSV delimiter) sit at every other position, and there only; and such characters are there (a zero
    byte and a line break, `00 0A`, read as UTF-16 too, but tell nothing)."""
    even, odd = sample[0::2], sample[1::2]
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high.count(0) * 4 >= len(high) and low.count(0) * 100 <= len(low):
            try:
                text = codecs.getincrementaldecoder(codec)().decode(sample, final=False)
            except UnicodeDecodeError:
                return None
            return codec if any(mark in text for mark in "{,;\t") else None
    return None


def _reads_as_cp1251(sample: bytes) -> bool:
    """Whether bytes that are not UTF-8 are Russian text in cp1251 beyond doubt: every letter beyond ASCII
    is Cyrillic, no word mixes scripts or has its capitals anywhere but first or throughout, and the
    letters are as frequent as in Russian. Text in KOI8-R, cp866 or Mac Cyrillic read as cp1251 fails one
    of these, and so does text in a Latin 8-bit encoding (`José` would read `Josй`)."""
    try:
        text = sample.decode("cp1251")
    except UnicodeDecodeError:  # 0x98 is no character in cp1251
        return False
    if any(ch not in _CP1251_OTHERS and ch.lower() not in _CYRILLIC for ch in text if ord(ch) > 127):
        return False
    letters = frequent = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if not all(ch.lower() in _CYRILLIC for ch in word):
            return False  # Latin and Cyrillic letters in one word
        if not (word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())):
            return False
        letters += len(word)
        frequent += sum(ch in _FREQUENT for ch in word.lower())
    return letters >= _MIN_LETTERS and frequent >= _MIN_FREQUENT_SHARE * letters


def _ascii_compatible(codec: str) -> bool:
    """Whether the codec writes ASCII as ASCII, so that lines can be split as bytes and decoded one by one
    (a line that does not decode is then one line lost, not the rest of the file)."""
    try:
        return _ASCII_PROBE.encode(codec) == _ASCII_PROBE.encode("ascii")
    except (UnicodeError, LookupError):
        return False


def _decode_head(sample: bytes, codec: str, complete: bool) -> str:
    """As much of the sample as decodes, for telling the format and reading a CSV header."""
    decoder = codecs.getincrementaldecoder(codec)("surrogateescape")
    try:
        return str(decoder.decode(sample, final=complete))
    except UnicodeDecodeError:  # UTF-16 or -32 broken within the sample: judged by the first line
        first = sample.split(b"\n", 1)[0]
        return first.decode(codec, "replace")


def _is_csv(path: Path, head: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return False
    if suffix in (".csv", ".tsv"):
        return True
    return not head.lstrip("\ufeff \t\r\n").startswith("{")


def _header(path: Path, head: str, given: str | None) -> tuple[str, list[str]]:
    """The delimiter and the column names (stripped, lower case) of a CSV file's first line."""
    line = next((line.rstrip("\r") for line in head.split("\n") if line.strip()), "")
    if LONE_SURROGATE.search(line):
        raise UnreadableFile(f"the first line of {path} is not valid text in its encoding: {ENCODING_HINT}")
    candidates = [given] if given is not None else list(DELIMITERS)
    found = []
    for delimiter in candidates:
        columns = [cell.strip().lower() for cell in next(csv.reader([line], delimiter=delimiter), [])]
        if "id" in columns:
            found.append((len(columns), -candidates.index(delimiter), delimiter, columns))
    if not found:
        separated = (
            f"separated by {DELIMITER_NAMES.get(given, repr(given))}s"
            if given is not None
            else "separated by commas, semicolons or tabs"
        )
        raise UnreadableFile(
            f"the first line of {path} must name the columns, {separated}, id among them"
            f" (id,client_name,client_phone,channel,completed_by,started_at,completed_at,message_count);"
            f" it reads {line[:100]!r}"
        )
    _, _, delimiter, columns = max(found)
    return delimiter, columns
