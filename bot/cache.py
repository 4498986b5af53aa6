"""Tables derived from slow-changing inputs, kept on disk for the next process.

A fresh process (``reportbot ask`` typed at a terminal) would otherwise rebuild, on each
start, tables that depend only on files that rarely change: the dictionary's English ->
Chinese table (:func:`bot.terms._cedict`) and the retriever's keyword side for one
version of the index (:class:`bot.retrieve.Retriever`).

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
from pathlib import Path


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
