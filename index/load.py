"""Load a report file into a :class:`Report`: its name, text and content hash.

Loaders are looked up by file suffix in ``LOADERS``; a new format is one function
``(path) -> str`` added there. The text a loader returns is the text every citation
offset refers to. This module checks files (missing, empty, binary, not UTF-8, too
large, unsupported); it does not split, embed or store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.errors import ReportError
from index.loaders import load_docx, load_html, load_pdf


@dataclass(frozen=True)
class Report:
    """A loaded report. ``name`` is how citations and scoping refer to it."""

    name: str
    text: str
    sha256: str
    path: str = ""


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ReportError(str(path), "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(
            str(path), f"is not valid UTF-8 (byte {exc.start}); save it as UTF-8 and retry"
        ) from None
    # A BOM is an encoding mark, not text; normalise line ends so offsets are stable.
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


LOADERS: dict[str, Callable[[Path], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".text": _read_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}


def report_from_text(name: str, text: str, path: str = "") -> Report:
    """Wrap already-loaded text; rejects text with nothing but whitespace."""
    if not text.strip():
        raise ReportError(path or name, "is empty (no text to index)")
    return Report(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), path=path)


def load_report(path: str | Path, *, max_mb: float = 20.0, name: str | None = None) -> Report:
    """Read and check one report file.

    >>> load_report("notes.md").name
    'notes.md'
    """
    path = Path(path)
    if not path.exists():
        raise ReportError(str(path), "does not exist")
    if not path.is_file():
        raise ReportError(str(path), "is not a file")
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        kinds = ", ".join(sorted(LOADERS))
        raise ReportError(
            str(path), f"has unsupported type {path.suffix or '(none)'!r}; use {kinds}"
        )
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise ReportError(str(path), f"is {size / 1048576:.1f} MB, over the {max_mb:g} MB limit")
    if size == 0:
        raise ReportError(str(path), "is empty (0 bytes)")
    return report_from_text(name or path.name, loader(path), str(path))
