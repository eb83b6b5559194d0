"""Events from files, streamed: JSON arrays, NDJSON, `.gz`, and directories of them.

A JSON array is read element by element, so a 100 MB export never sits in memory whole.
Values parse as RudderStack's JSON.parse reads them (no NaN or Infinity literals).
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from ..runtime import batching, jsvalues

SUFFIXES = (".json", ".ndjson", ".jsonl")
CHUNK = 1 << 20
MAX_EVENT = 64 << 20  # an event is never this large; a parse error this far in is a real one


class Meter:
    """How far through the inputs a replay is, in bytes on disk (compressed bytes for .gz)."""

    def __init__(self) -> None:
        self.total = 0
        self.finished = 0
        self.current: IO[bytes] | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        position = 0
        if self.current is not None:
            try:
                inner = getattr(self.current, "fileobj", None) or self.current
                position = inner.tell()
            except (OSError, ValueError):
                position = 0
        return min(1.0, (self.finished + position) / self.total)


class InputError(ValueError):
    """An input that is not events: the message names the file, line and column."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every input file: the files given, and the event files inside directories, sorted."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file() and _is_events_file(p)]
            yield from sorted(found)
        elif path.exists():
            yield path
        else:
            raise InputError(f"{path}: no such file or directory")


def _is_events_file(path: Path) -> bool:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return name.endswith(SUFFIXES)


def _raw(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped for .gz."""
    return cast(IO[bytes], gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb"))


def _open(path: Path, meter: Meter | None = None) -> IO[str]:
    raw = _raw(path)
    if meter is not None:
        meter.current = raw
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def read_events(paths: Iterable[str | Path], meter: Meter | None = None) -> Iterator[Any]:
    """Each event (a message or a `{message, metadata}` item) of every input, in order; `-` is stdin."""
    sources: list[Path | None] = []  # None is stdin, read where it stands among the inputs
    for raw in paths:
        sources.extend([None] if str(raw) == "-" else files([raw]))
    if meter is not None:
        meter.total = sum(path.stat().st_size for path in sources if path is not None)
    for path in sources:
        name = "stdin" if path is None else str(path)
        try:
            with _stdin() if path is None else _open(path, meter) as stream:
                yield from _events(stream, name)
            if meter is not None and path is not None:
                meter.finished += path.stat().st_size
                meter.current = None
        except UnicodeDecodeError as exc:
            where = _first_bad_byte(path) if path is not None else None
            at = f":{where[0]}:{where[1]}" if where else ""
            raise InputError(f"{name}{at}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x})") from None
        except (OSError, EOFError, zlib.error) as exc:
            # zlib.error: a .gz whose compressed bytes are corrupt (a cut-off one is an EOFError).
            raise InputError(f"{name}: {exc}") from None


def _first_bad_byte(path: Path) -> tuple[int, int] | None:
    """Line and column (in bytes, from 1) of the first byte that is not UTF-8, read again from the start."""
    try:
        with _raw(path) as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    return number, exc.start + 1
    except (OSError, EOFError, zlib.error):
        return None
    return None


def _stdin() -> IO[str]:
    """stdin as text, gunzipped when it starts as gzip does."""
    raw = sys.stdin.buffer
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    source = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb") if head == b"\x1f\x8b" else raw)
    return io.TextIOWrapper(source, encoding="utf-8", errors="strict", newline="")


def _events(stream: IO[str], name: str) -> Iterator[Any]:
    buffer = stream.read(CHUNK)
    start = 0
    skipped = 0  # lines before the first value, for error positions
    while start < len(buffer) and buffer[start] in " \t\r\n\ufeff":
        skipped += buffer[start] == "\n"
        start += 1
        if start == len(buffer):
            buffer, start = stream.read(CHUNK), 0
            if not buffer:
                return
    if start < len(buffer) and buffer[start] == "[":
        yield from _array(stream, buffer[start:], 1, name, skipped)
    else:
        yield from _lines(stream, buffer[start:], name, skipped)


def _array(stream: IO[str], buffer: str, position: int, name: str, lines: int = 0) -> Iterator[Any]:
    """Elements of a JSON array, and of any arrays that follow it (exports concatenated).

    `lines`: newlines before `buffer` starts, for error positions. What has been read is
    dropped from the buffer whenever more is read, so the buffer holds about a chunk and
    an event, however long the array.
    """
    between = False  # after an array's `]`: only whitespace or another array may follow
    expect_value = True
    first = True
    eof = False

    def read_more() -> None:
        nonlocal buffer, position, lines, eof
        more = stream.read(CHUNK)
        eof = not more
        lines += buffer.count("\n", 0, position)
        buffer, position = buffer[position:] + more, 0

    while True:
        while position < len(buffer) and buffer[position] in " \t\r\n":
            position += 1
        if position >= len(buffer):
            if eof:
                if between:
                    return
                raise _error(name, "unexpected end of the array", lines + buffer.count("\n", 0, position), 0)
            read_more()
            continue
        char = buffer[position]
        if between:
            if char != "[":
                raise _error(name, "extra data after the array (only another array may follow one)",
                             lines + buffer.count("\n", 0, position), position)
            position += 1
            between, first, expect_value = False, True, True
            continue
        if char == "]" and (first or not expect_value):
            position += 1
            between = True
            continue
        if not expect_value:
            if char != ",":
                raise _error(name, "expected ',' or ']'", lines + buffer.count("\n", 0, position), position)
            position += 1
            expect_value = True
            continue
        try:
            value, end = _DECODER.raw_decode(buffer, position)
        except json.JSONDecodeError as exc:
            # The value may just be cut off where this chunk ends: read on, up to a bound.
            if not eof and len(buffer) - position <= MAX_EVENT:
                read_more()
                continue
            raise _error(name, exc.msg, lines + buffer.count("\n", 0, exc.pos), exc.pos) from None
        except ValueError as exc:
            raise _error(name, str(exc), lines + buffer.count("\n", 0, position), position) from None
        except RecursionError:
            # An event nested thousands deep: read the rest of this file with the parser that
            # needs no recursion (this file's rest is held in memory, once).
            yield from _whole("[" + buffer[position:] + stream.read(), name,
                              lines + buffer.count("\n", 0, position))
            return
        if end >= len(buffer) and not eof:
            # A number may continue in the next chunk: read on before trusting it.
            read_more()
            continue
        # The line is counted only for the error: counting it for every event would scan
        # the buffer once per event.
        yield value if isinstance(value, dict) else _object(value, name, lines + buffer.count("\n", 0, position) + 1)
        position = end
        expect_value = False
        first = False


def _lines(stream: IO[str], head: str, name: str, skipped: int = 0) -> Iterator[Any]:
    """NDJSON; or, when the first line is not a whole value, one JSON value over several lines.

    `skipped`: the blank lines before `head`, for error positions.
    """
    text = head
    position = 0  # where the next line starts: lines are sliced out, never split off the buffer
    number = skipped
    while True:
        newline = text.find("\n", position)
        if newline < 0:
            more = stream.read(CHUNK)
            if not more:
                break
            text = text[position:] + more
            position = 0
            continue
        line = text[position:newline]
        position = newline + 1
        number += 1
        if number == skipped + 1 and line.strip():
            try:
                first = jsvalues.loads(line)
            except jsvalues.JSONError:
                yield from _whole(line + "\n" + text[position:] + stream.read(), name, skipped)
                return
            yield _object(first, name, number)
            continue
        yield from _line(line, number, name)
    text = text[position:]
    if text.strip():
        number += 1
        yield from _line(text, number, name)


def _whole(text: str, name: str, before: int = 0) -> Iterator[Any]:
    """One JSON value over several lines (an array's elements, each); `before`: lines above `text`."""
    try:
        value = jsvalues.loads(text)
    except jsvalues.JSONError as exc:
        raise InputError(f"{name}:{before + exc.line}:{exc.column}: invalid JSON: {exc.msg}") from None
    for item in value if isinstance(value, list) else [value]:
        yield _object(item, name, None)


def _line(line: str, number: int, name: str) -> Iterator[Any]:
    if not line.strip():
        return
    try:
        value = jsvalues.loads(line)
    except jsvalues.JSONError as exc:
        raise InputError(f"{name}:{number}:{exc.column}: invalid JSON: {exc.msg}") from None
    yield _object(value, name, number)


_KINDS = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number",
          type(None): "null"}


def _object(value: Any, name: str, line: int | None) -> Any:
    """The event, when it is a JSON object: a message or a `{message, metadata}` item."""
    if isinstance(value, dict):
        return value
    where = f"{name}:{line}" if line is not None else name
    kind = _KINDS.get(type(value), "not an object")
    raise InputError(f"{where}: an event must be a JSON object (a RudderStack message or a "
                     f"{{message, metadata}} item), not {kind}")


def _error(name: str, message: str, line_index: int, position: int) -> InputError:
    return InputError(f"{name}:{line_index + 1}: invalid JSON: {message}")


def request_items(paths: Iterable[str | Path], metadata: dict[str, Any] | None = None,
                  meter: Meter | None = None) -> Iterator[dict[str, Any]]:
    """The inputs' events as request items; an event that cannot be one is an InputError."""
    try:
        yield from batching.items(read_events(paths, meter), metadata)
    except InputError:
        raise
    except ValueError as exc:
        # request_item's complaints about an item's shape (`metadata` not an object, bad credentials)
        raise InputError(f"{exc} (counting from 1 over all inputs)") from None
