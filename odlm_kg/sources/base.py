"""What every source (input format) shares: records, record errors, load options, the Source protocol,
and the readers of the input containers (JSON object, JSON array, JSON Lines, gzip of each, directories
of such files, README files with YAML front matter).

A source reads its files into :class:`Record` objects and maps each record to triples; the pipeline
(:mod:`odlm_kg.sources.pipeline`) does the rest. Readers stream: a JSON array of a million records is
decoded one element at a time, never as a whole.

>>> import json, tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.jsonl").write_text('{"id": 1}\\n\\n{"id": 2}\\n')
>>> _ = (folder / "b.json").write_text('[{"id": 3}, {"id": 4}]')
>>> [(r.file.name, r.position, r.data["id"]) for r in read_json_records(folder)]
[('a.jsonl', 1, 1), ('a.jsonl', 2, 2), ('b.json', 1, 3), ('b.json', 2, 4)]
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import yaml
from rdflib import URIRef
from rdflib.term import Node

from odlm_kg.errors import InputError, located

Triple = tuple[Node, Node, Node]

#: File name endings the JSON readers accept inside a directory.
JSON_SUFFIXES: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
#: File name endings of model cards (README files with YAML front matter, or the YAML alone).
CARD_SUFFIXES: tuple[str, ...] = (".md", ".yaml", ".yml", ".md.gz")

CHUNK_CHARS = 1 << 20  # characters decoded per read; a longer record grows the buffer as needed
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Record:
    """One input record: the file it came from, its 1-based number in that file, and its decoded data."""

    file: Path
    position: int
    data: Any


class RecordError(Exception):
    """Raised by a mapper for a record it cannot map; the pipeline rejects the record and goes on.

    >>> str(RecordError("expected a string", field="id"))
    'field id: expected a string'
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason if field is None else f"field {field}: {reason}")
        self.reason = reason
        self.field = field


@dataclass
class LoadOptions:
    """Options of ``odlm-kg load`` that a source factory may use (the others ignore them)."""

    codebook: Path | None = None
    salt: str | None = None
    include_preview: bool = False
    include_unfinished: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class Source(Protocol):
    """One input format. ``read`` raises InputError when a file cannot be read at all."""

    name: str
    graph: URIRef
    layers: tuple[str, ...]

    def read(self, path: Path) -> Iterator[Record]: ...

    def map_record(self, record: Record) -> Iterable[Triple]: ...


# -- files ------------------------------------------------------------------------------------

def input_files(path: Path, suffixes: Sequence[str]) -> list[Path]:
    """The files to read: ``path`` itself, or the files under a directory whose names end in ``suffixes``
    (sorted, so runs are repeatable; README.md files of a sample folder are skipped unless ``.md`` counts)."""
    path = Path(path)
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(tuple(suffixes))
                       and not p.name.startswith("."))
        if not found:
            raise InputError(located(path, f"no input files ending in {', '.join(suffixes)} in this directory"))
        return found
    if not path.exists():
        raise InputError(located(path, "no such file or directory"))
    return [path]


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading bytes, decompressing it when it is gzip (by its magic number)."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except OSError as exc:
        raise InputError(located(path, f"cannot open: {exc.strerror or exc}")) from exc
    if raw.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


#: What reading an opened input can raise (gzip data that is corrupt or ends early, an I/O error).
READ_FAILURES: tuple[type[Exception], ...] = (OSError, EOFError)


def unreadable(path: Path, exc: Exception) -> InputError:
    """The InputError for one of :data:`READ_FAILURES` while reading ``path``."""
    return InputError(located(path, f"cannot read (corrupt or truncated compressed data?): {exc}"))


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes as stored (before decompression)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:  # a file that vanished or became unreadable since it was read
        raise InputError(located(path, f"cannot read: {exc.strerror or exc}")) from exc
    return digest.hexdigest()


def _text_chunks(path: Path, handle: IO[bytes], size: int) -> Iterator[str]:
    """Decode a byte stream as UTF-8 in chunks; invalid bytes stop with the byte offset."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    offset = 0
    while True:
        try:
            block = handle.read(size)
        except READ_FAILURES as exc:
            raise unreadable(path, exc) from exc
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            raise InputError(located(path, f"not UTF-8: invalid byte at byte offset {offset + exc.start}")) from exc
        offset += len(block)
        if text:
            yield text
        if not block:
            return


def read_text(path: Path) -> str:
    """A whole (small) text file, gzip or not, as UTF-8; InputError naming the file when it is not UTF-8
    or its compressed data is corrupt or truncated."""
    with open_binary(path) as handle:
        return "".join(_text_chunks(path, handle, CHUNK_CHARS))


# -- JSON -------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9eE.+\-]*")
_DECODER = json.JSONDecoder()


class JsonLineObject(dict):  # type: ignore[type-arg]
    """A JSON Lines record: the decoded object, which also keeps its line's UTF-8 text.

    It is a dict like any other to the readers and mappers; pickled (sent to a loader worker process)
    it travels as that text and is decoded again on arrival, which costs a fraction of pickling and
    unpickling the nested object (docs/performance.md). Readers never change a record in place, so the
    text and the object always agree.

    >>> import pickle
    >>> record = JsonLineObject({"id": "a/b", "tags": ["x"]}, b'{"id": "a/b", "tags": ["x"]}')
    >>> copy = pickle.loads(pickle.dumps(record))
    >>> copy == record, type(copy).__name__
    (True, 'dict')
    """

    __slots__ = ("text",)

    def __init__(self, value: dict[str, Any], text: bytes) -> None:
        super().__init__(value)
        self.text = text

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _decode_object_text, (self.text,)


def _decode_object_text(text: bytes) -> Any:
    return _DECODER.decode(text.decode("utf-8"))


class _JsonStream:
    """An incremental JSON reader over text chunks: raw_decode on a buffer that grows only as needed."""

    def __init__(self, path: Path, chunks: Iterator[str]) -> None:
        self.path = path
        self.chunks = chunks
        self.buf = ""
        self.pos = 0            # index into buf
        self.consumed_chars = 0  # characters dropped from the front of buf
        self.consumed_lines = 0  # newlines in the dropped characters
        self.last_newline = -1   # absolute offset of the last newline dropped
        self.eof = False

    def _more(self, at_least: int = 1) -> bool:
        """Append at least ``at_least`` chunks (doubling when a record is long); False at end of input."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.buf[:self.pos]
            self.consumed_lines += dropped.count("\n")
            newline = dropped.rfind("\n")
            if newline >= 0:
                self.last_newline = self.consumed_chars + newline
            self.consumed_chars += self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
        parts = [self.buf]
        got = 0
        for _ in range(at_least):
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += 1
        self.buf = "".join(parts)
        return got > 0

    def where(self, index: int) -> tuple[int, int]:
        """Line and column (1-based) of a buffer index."""
        before = self.buf[:index]
        line = self.consumed_lines + before.count("\n") + 1
        newline = before.rfind("\n")
        start = newline + 1 if newline >= 0 else self.last_newline + 1 - self.consumed_chars
        column = index - start + 1
        return line, column

    def fail(self, index: int, message: str) -> InputError:
        line, column = self.where(index)
        return InputError(f"{self.path}:{line}:{column}: {message}")

    def skip_ws(self) -> str:
        """Skip white space; the next character, or "" at end of input."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def value(self) -> Any:
        """Decode the JSON value starting at ``pos``, reading more input while it is incomplete."""
        grow = 1
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                unterminated = exc.msg.startswith("Unterminated string")
                if (unterminated or exc.pos >= len(self.buf) - 16) and not self.eof:
                    self._more(grow)  # at the end of input this only sets eof; decode again either way
                    grow *= 2
                    continue
                if unterminated or exc.pos >= len(self.buf.rstrip()):
                    raise self.fail(len(self.buf.rstrip()), "truncated JSON: the input ends inside a value "
                                                            f"({exc.msg.lower()})") from exc
                raise self.fail(exc.pos, f"invalid JSON: {exc.msg.lower()}") from exc
            except RecursionError as exc:
                raise self.fail(self.pos, "invalid JSON: nested too deeply") from exc
            # a number that reaches the end of the buffer (perhaps with a dangling "e" or ".") may
            # continue in the next chunk
            if (not self.eof and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and _NUMBER_TAIL.match(self.buf, end).end() == len(self.buf)):  # type: ignore[union-attr]
                self._more()
                continue
            self.pos = end
            return value


@dataclass(frozen=True)
class UnreadableLine:
    """A line of a JSON Lines file that is not a JSON value. The readers yield it in place of the
    record's data, so that the pipeline rejects that one record (with the line's true number and why)
    and reads on: the lines of a JSON Lines file are independent records."""

    line: int
    reason: str

    def message(self) -> str:
        return f"line {self.line}: {self.reason}"


#: File name endings that say "JSON Lines": each line is read on its own, whatever the first line is.
JSON_LINES_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
#: Bytes of the first line looked at to tell an array from a JSON Lines file without a telling name.
_SNIFF_BYTES = 1 << 16


def _json_lines(path: Path, handle: IO[bytes], first: bytes) -> Iterator[Any]:
    """The values of a JSON Lines file, one per non-blank line; a line that is not JSON (or not UTF-8)
    becomes an :class:`UnreadableLine`. Only a failure to read the file itself raises."""
    number = 0
    lines = iter(handle)
    raw: bytes | None = first
    while True:
        if raw is None:
            try:
                raw = next(lines, None)
            except READ_FAILURES as exc:
                raise unreadable(path, exc) from exc
            if raw is None:
                return
        number += 1
        line, raw = raw, None
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        text_bytes = line.strip()
        if not text_bytes:
            continue
        try:
            text = text_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield UnreadableLine(number, f"not UTF-8: invalid byte at column {exc.start + 1}")
            continue
        try:
            value = _DECODER.decode(text)
        except json.JSONDecodeError as exc:
            if not line.endswith(b"\n") and exc.pos >= len(text) - 1:
                yield UnreadableLine(number, "truncated JSON: the file ends inside this record "
                                             f"({exc.msg.lower()})")
            else:
                yield UnreadableLine(number, f"invalid JSON at column {exc.colno}: {exc.msg.lower()}")
        except RecursionError:
            yield UnreadableLine(number, "invalid JSON: nested too deeply")
        else:
            yield JsonLineObject(value, text_bytes) if type(value) is dict else value


def _is_json_lines(path: Path, first: bytes) -> bool:
    """JSON Lines by its name, or a file whose first non-blank line is a whole JSON object by itself (a
    pretty-printed object file's first line is ``{`` alone, an array's starts with ``[``)."""
    if path.name.lower().endswith(JSON_LINES_SUFFIXES):
        return True
    text = first.removeprefix(codecs.BOM_UTF8).strip()
    if not text.startswith(b"{") or not first.endswith(b"\n"):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _first_line(path: Path, handle: IO[bytes]) -> bytes:
    """The first non-blank line (with the blank lines before it), or its first bytes when the line is
    long and does not open an object (a one-line array of a million records is not read whole here)."""
    taken = b""
    try:
        while True:
            part = handle.readline(_SNIFF_BYTES)
            taken += part
            if not part or part.strip():
                break
        while taken and not taken.endswith(b"\n") and taken.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:1] == b"{":
            more = handle.readline(_SNIFF_BYTES)
            if not more:
                break
            taken += more
    except READ_FAILURES as exc:
        raise unreadable(path, exc) from exc
    return taken


def _prefixed(first: bytes, handle: IO[bytes]) -> IO[bytes]:
    """``handle`` as if ``first`` had not been read from it (for the streaming reader)."""

    class Prefixed(io.RawIOBase):
        def __init__(self) -> None:
            self.pending = first

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:  # type: ignore[override]
            if self.pending:
                block, self.pending = (self.pending, b"") if size < 0 or size >= len(self.pending) else \
                    (self.pending[:size], self.pending[size:])
                return block
            return handle.read(size)

    return Prefixed()  # type: ignore[return-value]


def iter_json_values(path: Path, *, chunk_chars: int = CHUNK_CHARS) -> Iterator[Any]:
    """Yield the records of one JSON file: the elements of a top-level array, the values of a JSON Lines
    file, the values of concatenated (pretty-printed) JSON, or the single value of a JSON object file.

    A JSON Lines file (named ``.jsonl``/``.ndjson``, or whose first line is a whole object) is read line
    by line: a line that is not JSON is yielded as an :class:`UnreadableLine` (its record is rejected,
    the others are read). Otherwise raises InputError naming the file, line and column when the file is
    not UTF-8, not JSON or truncated.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> _ = p.write_text('[1, {"a": [2]}]')
    >>> list(iter_json_values(p, chunk_chars=3))
    [1, {'a': [2]}]
    >>> _ = p.write_text('[1, {"a": ')
    >>> list(iter_json_values(p))
    Traceback (most recent call last):
    ...
    odlm_kg.errors.InputError: ...x.json:1:10: truncated JSON: the input ends inside a value (expecting value)
    >>> _ = p.write_text('{"id": 1}\\n{"id": 2,, }\\n{"id": 3}\\n')
    >>> list(iter_json_values(p))
    [{'id': 1}, UnreadableLine(line=2, reason='invalid JSON at column 10: expecting property name enclosed in double quotes'), {'id': 3}]
    """
    with open_binary(path) as handle:
        first = _first_line(path, handle)
        if not first.removeprefix(codecs.BOM_UTF8).strip():
            raise InputError(located(path, "empty file: expected a JSON object, array or JSON Lines"))
        if _is_json_lines(path, first):
            yield from _json_lines(path, handle, first)
            return
        stream = _JsonStream(path, _text_chunks(path, _prefixed(first, handle), chunk_chars))
        first_char = stream.skip_ws()
        if first_char == "":
            raise InputError(located(path, "empty file: expected a JSON object, array or JSON Lines"))
        if first_char == "[":
            stream.pos += 1
            if stream.skip_ws() == "]":
                stream.pos += 1
            else:
                while True:
                    if stream.skip_ws() == "":
                        raise stream.fail(len(stream.buf), "truncated JSON: the array is not closed")
                    yield stream.value()
                    following = stream.skip_ws()
                    if following == ",":
                        stream.pos += 1
                        continue
                    if following == "]":
                        stream.pos += 1
                        break
                    if following == "":
                        raise stream.fail(len(stream.buf), "truncated JSON: the array is not closed")
                    raise stream.fail(stream.pos, "invalid JSON: expected ',' or ']' after an array element")
            if stream.skip_ws() != "":
                raise stream.fail(stream.pos, "invalid JSON: extra data after the top-level array")
            return
        if first_char not in "{":
            raise stream.fail(stream.pos, "not JSON: expected a JSON object, an array or JSON Lines")
        while stream.skip_ws() != "":
            yield stream.value()


def read_json_records(path: Path, suffixes: Sequence[str] = JSON_SUFFIXES) -> Iterator[Record]:
    """Records of a JSON file (object, array, JSON Lines, gzip of each) or of every such file in a directory."""
    for file in input_files(path, suffixes):
        for number, value in enumerate(iter_json_values(file), start=1):
            yield Record(file, number, value)


# -- model cards --------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^(?:---|\.\.\.)[ \t]*$\r?\n?", re.S | re.M)


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Split a README into its YAML front matter (None when there is none) and the Markdown body.

    >>> split_front_matter("---\\nlicense: mit\\n---\\n# Title\\n")
    ('license: mit', '# Title\\n')
    >>> split_front_matter("# no front matter")
    (None, '# no front matter')
    """
    match = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if match is None:
        return None, text
    return match.group(1), text.lstrip("\ufeff")[match.end():]


def read_card(path: Path) -> Record:
    """One model card file as a record whose data is ``{"card": dict, "text": body, "file_name": name}``.

    A ``.yaml``/``.yml`` file is the front matter alone; a README is front matter plus Markdown.
    """
    text = read_text(path)
    if path.name.lower().endswith((".yaml", ".yml")):
        front, body = text, ""
    else:
        front, body = split_front_matter(text)
    try:
        card = yaml.safe_load(front) if front is not None else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(located(path, f"invalid YAML front matter: {problem}", line=line)) from exc
    return Record(path, 1, {"card": card, "text": body, "file_name": path.name})


def read_card_records(path: Path, suffixes: Sequence[str] = CARD_SUFFIXES) -> Iterator[Record]:
    """Records of one model card file or of every card file under a directory (README.md included)."""
    for file in input_files(path, suffixes):
        yield read_card(file)
