"""Tables derived from slow-changing inputs, kept on disk for the next process.

A fresh process (``reportbot ask`` typed at a terminal) would otherwise rebuild, on each
start, tables that depend only on files that rarely change: the dictionary's English ->
Chinese table (:func:`bot.terms._cedict`), jieba's word lists and the retriever's keyword
side for one version of the index (:class:`bot.retrieve.Retriever`).

Large tables of which a question reads a few entries (jieba's 580,000 words and
prefixes: an English question looks up about 40 of them) are saved in shards
(:func:`save_table`) and read back as a :class:`Table`, which unmarshals a shard when a
key in it is first asked for.

A cache file holds the key, a checksum and the value: the key names everything the value
was computed from, and :func:`load` returns None unless the file's key equals the
caller's. A file that is missing, truncated, damaged (its checksum), from another Python
or otherwise unreadable is the same as no file: the caller computes the value again and
:func:`save` replaces the file. The format is ``marshal`` (plain values only; loading
runs no code, unlike ``pickle``).

Deliberately not done: locking (a file is renamed into place whole, so a reader sees the
old file or the new one, and two writers of one key write the same value) and eviction
(each table has one file, overwritten when its key changes).
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path

KEYS_PER_SHARD = 32  # a shard unmarshals in microseconds


def load(path: Path, key: object) -> object | None:
    """The value saved under ``key`` at ``path``; None when absent, stale or unreadable."""
    try:
        saved_key, checksum, blob = marshal.loads(path.read_bytes())
        if saved_key != key or zlib.crc32(blob) != checksum:
            return None
        return marshal.loads(blob)
    except Exception:  # noqa: BLE001 - missing, partial, damaged or another format
        return None


def save(path: Path, key: object, value: object) -> None:
    """Write ``(key, value)`` to ``path`` atomically; a folder that cannot be written
    (read-only, full) is skipped: the next process computes the value again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                blob = marshal.dumps(value)
                fh.write(marshal.dumps((key, zlib.crc32(blob), blob)))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, ValueError):  # ValueError: a value marshal cannot write
        pass


def sources_key(files: list[str], packages: tuple[str, ...] = ()) -> tuple | None:
    """What a table is computed with besides its input: this Python (its Unicode tables
    decide case and width folding), the content of our own source ``files`` (any edit
    makes a new key) and the installed ``packages`` (size and time of their ``__init__``,
    read without importing them: an upgrade makes a new key). None when a file cannot
    be read: then nothing can be cached safely."""
    digest = hashlib.sha256()
    stamps = []
    try:
        for f in files:
            digest.update(Path(f).read_bytes())
        for name in packages:
            spec = importlib.util.find_spec(name)
            st = os.stat(spec.origin) if spec and spec.origin else None
            stamps.append((name, st.st_size, st.st_mtime_ns) if st else (name, None, None))
    except (OSError, ImportError, ValueError):
        return None
    return sys.version, digest.hexdigest(), tuple(stamps)


def _shard(key: str, shards: int) -> int:
    # Stable across processes, unlike hash(): a table is written by one, read by another.
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % shards


def save_table(path: Path, key: object, table: dict[str, object], extra: object = None) -> None:
    """Save a table with string keys in shards, for :func:`load_table`; ``extra`` is a
    small value kept with it (jieba's total frequency)."""
    shards = max(1, len(table) // KEYS_PER_SHARD)
    parts: list[dict] = [{} for _ in range(shards)]
    for k, v in table.items():
        parts[_shard(k, shards)][k] = v
    save(path, key, ([marshal.dumps(part) for part in parts], extra))


def load_table(path: Path, key: object, on_busy: Callable[[dict], None] | None = None):
    """The :class:`Table` saved under ``key`` at ``path``; None when absent or stale."""
    value = load(path, key)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)):
        return None
    return Table(value[0], value[1], on_busy)


class Table(MutableMapping):
    """A dict with string keys that unmarshals each shard when first asked for a key in it.

    Each lookup costs a Python call and a CRC of the key (about half a microsecond) over
    a plain dict's. A process that looks up much more than a question does (a keyword
    index built from every record, a session of questions) pays more for that than for
    reading the whole table once, so after :attr:`BUSY` lookups the whole table is read
    and handed to ``on_busy`` (which puts the plain dict where its user looks).

    Shards are read under the interpreter lock; writes (rare: jieba's ``add_word``) go to
    the shard's dict, so two threads reading a new shard at once could lose one write.
    """

    BUSY = 200_000

    def __init__(self, shards: list[bytes], extra: object = None, on_busy=None):
        self.extra = extra
        self._blobs = shards
        self._parts: list[dict | None] = [None] * len(shards)
        self._on_busy = on_busy
        self._uses = 0

    def _part(self, key: str) -> dict:
        self._uses += 1
        if self._uses >= self.BUSY and self._on_busy is not None:
            on_busy, self._on_busy = self._on_busy, None  # once
            on_busy(self.whole())
        i = _shard(key, len(self._blobs))
        part = self._parts[i]
        if part is None:
            part = self._parts[i] = marshal.loads(self._blobs[i])
        return part

    def whole(self) -> dict:
        """Every entry, as a plain dict (reads every shard not read yet)."""
        out: dict = {}
        for i, part in enumerate(self._parts):
            if part is None:
                part = self._parts[i] = marshal.loads(self._blobs[i])
            out.update(part)
        return out

    def get(self, key, default=None):
        return self._part(key).get(key, default)

    def __contains__(self, key) -> bool:
        return key in self._part(key)

    def __getitem__(self, key):
        return self._part(key)[key]

    def __setitem__(self, key, value) -> None:
        self._part(key)[key] = value

    def __delitem__(self, key) -> None:
        del self._part(key)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())
