"""Each indexed report's text and original bytes, kept as files outside the vector store.

The store holds vectors and a copy of each text; when it is damaged (a corrupt or
emptied ``chroma.sqlite3``) these files are what ``reportbot index --rebuild`` re-indexes
from, and their presence is how a vanished index is told from a new one.

Layout, under ``<data folder>/reports/``: per report, ``<key>.txt`` (the text, UTF-8),
``<key>.orig`` (the file's bytes, when it came from a file) and ``<key>.json`` (name,
sha256, path, encoding, owner, page starts: small, so checking 1,000 reports reads
little), where ``<key>`` hashes the report name. Each file is written to a temporary
sibling and renamed into place, the ``.json`` last, so a report is saved whole or not at
all.

This module reads and writes files; it does not index.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from index.load import Report


def folder(data_dir: Path) -> Path:
    return data_dir / "reports"


def _key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:32]


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_saved(data_dir: Path, report: Report) -> bool:
    try:
        meta = json.loads((folder(data_dir) / f"{_key(report.name)}.json").read_bytes())
    except (OSError, ValueError):
        return False
    return meta.get("sha256") == report.sha256


def save(data_dir: Path, report: Report) -> None:
    """Keep ``report`` (text, original bytes) for a rebuild; raises OSError."""
    where = folder(data_dir)
    where.mkdir(parents=True, exist_ok=True)
    key = _key(report.name)
    if report.original:
        _write(where / f"{key}.orig", report.original)
    else:
        (where / f"{key}.orig").unlink(missing_ok=True)
    _write(where / f"{key}.txt", report.text.encode())
    meta = {
        "name": report.name,
        "sha256": report.sha256,
        "path": report.path,
        "encoding": report.encoding,
        "owner": report.owner,
        "pages": list(report.pages),
    }
    _write(where / f"{key}.json", json.dumps(meta, ensure_ascii=False).encode())


def remove(data_dir: Path, name: str) -> None:
    key = _key(name)
    for suffix in (".json", ".txt", ".orig"):
        (folder(data_dir) / f"{key}{suffix}").unlink(missing_ok=True)


def saved(data_dir: Path) -> list[Report]:
    """Every saved report, by name; unreadable files are skipped."""
    out = []
    for meta_path in sorted(folder(data_dir).glob("*.json")):
        try:
            meta = json.loads(meta_path.read_bytes())
            report = Report(
                name=meta["name"],
                text=meta_path.with_suffix(".txt").read_text(encoding="utf-8"),
                sha256=meta["sha256"],
                path=meta.get("path", ""),
                encoding=meta.get("encoding", ""),
                owner=meta.get("owner", ""),
                pages=tuple(int(p) for p in meta.get("pages", [])),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        orig = meta_path.with_suffix(".orig")
        if orig.exists():
            report = replace(report, original=orig.read_bytes())
        out.append(report)
    return sorted(out, key=lambda r: r.name)


def any_saved(data_dir: Path) -> bool:
    return next(folder(data_dir).glob("*.json"), None) is not None
