"""Load a report file into a :class:`Report`: its name, text and content hash.

Loaders are looked up by file suffix in ``LOADERS``; a new format is one function
``(path) -> str`` added there. The text a loader returns is the text every citation
offset refers to. This module checks files (missing, empty, binary, undecodable, too
large, unsupported); it does not split, embed or store.

Plain text is decoded from its byte-order mark (UTF-8, UTF-16, UTF-32), else as UTF-8,
else from the encoding charset-normalizer detects (GB18030 for GBK files, Big5, …);
``Report.encoding`` says which. A report's identity (``sha256``) is the hash of the
file's bytes, so the same file is the same report however it was decoded.
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import ReportError
from index.loaders import load_docx, load_html, load_pdf, load_pdf_pages


@dataclass(frozen=True)
class Report:
    """A loaded report. ``name`` is how citations and scoping refer to it."""

    name: str
    text: str
    sha256: str
    path: str = ""
    encoding: str = ""  # how a text file was decoded ("utf-8", "gb18030"…); "" otherwise
    original: bytes = field(default=b"", repr=False, compare=False)  # the file's bytes
    owner: str = ""  # the UI user who uploaded it (with a login); "" for a shared report
    pages: tuple[int, ...] = ()  # where each page's text begins (PDF); () when unpaged

    @property
    def size(self) -> int:
        """Bytes it takes: its file's, or its text's in UTF-8 (what a quota counts)."""
        return len(self.original) or len(self.text.encode())


def page_at(pages: tuple[int, ...] | list[int], offset: int) -> int | None:
    """The page (from 1) holding character ``offset``, given each page's start offset;
    None for a report without pages.

    >>> page_at((0, 120, 300), 150)
    2
    """
    return bisect.bisect_right(pages, offset) or None if pages else None


# Longest first: a UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]
# The encodings a report may come in without a mark: Chinese national ones, UTF-16/32,
# and Western Windows/Latin-1 for English. Detection among more (Japanese, Cyrillic…)
# mistakes short Chinese files for them.
_CANDIDATES = ["gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "utf_16", "utf_32",
               "utf_16_le", "utf_16_be", "cp1252", "latin_1"]  # fmt: skip
# Chinese files detected as the narrower GBK/GB2312 decode as GB18030, their superset.
_WIDER = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030", "cp950": "big5"}


def decode(data: bytes, path: str = "") -> tuple[str, str]:
    """``(text, encoding)`` of a text file's bytes; see the module docstring.

    Anything but plain UTF-8 must also read as text (:func:`_plausible`): bytes that
    happen to start with a UTF-16 mark, or that a detector maps to some code page, are
    not a report.

    >>> decode("营收为12亿元。".encode("gbk"))[1]
    'gb18030'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], encoding)
            if text is not None:
                return text, encoding
            break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # charset-normalizer's guesses, best first, then the Chinese encodings it can miss
    # on a short file; the first that reads as text wins.
    found = from_bytes(data[: 1 << 20], cp_isolation=_CANDIDATES)
    guesses = [m.encoding for m in found] + ["gb18030", "big5"]
    for guess in dict.fromkeys(_WIDER.get(g, g).replace("_", "-") for g in guesses):
        text = _try(data, guess)
        if text is not None:
            return text.removeprefix("\ufeff"), guess
    if b"\x00" in data[:8192]:
        raise ReportError(path, "looks like a binary file, not text")
    raise ReportError(
        path,
        "is not text in an encoding we can detect (UTF-8, GB18030, Big5, UTF-16…); "
        "save it as UTF-8 and retry",
    )


def _try(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _plausible(text) else None


def _common(c: str) -> bool:
    return (
        (c.isascii() and (c.isprintable() or c in "\n\r\t"))
        or "\u4e00" <= c <= "\u9fff"  # CJK ideographs
        or "\u3000" <= c <= "\u30ff"  # CJK punctuation, kana
        or "\uff00" <= c <= "\uffef"  # full-width forms
        or "\u2000" <= c <= "\u206f"  # general punctuation (curly quotes, dashes)
        or "\uac00" <= c <= "\ud7af"  # Hangul
        or c in "\ufeff\u00a0\u00b7"
    )


def _plausible(text: str) -> bool:
    """Mostly common characters, and some spaces, digits or punctuation among them: a run
    of ideographs alone is more likely bytes misread as UTF-16 than a report."""
    if not text.strip():
        return False
    sample = text[:100_000]
    common = sum(map(_common, sample))
    marks = any(
        c.isascii() or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" for c in sample
    )
    return common >= 0.95 * len(sample) and marks


def _read_text(path: Path) -> str:
    return _decode_text(path.read_bytes(), str(path))[0]


def _decode_text(data: bytes, path: str) -> tuple[str, str]:
    text, encoding = decode(data, path)
    # Normalise line ends so offsets are stable.
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


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


def report_from_file(
    name: str, text: str, data: bytes, path: str, encoding: str = "", pages: tuple[int, ...] = ()
) -> Report:
    """A report read from a file: its identity is the hash of the file's bytes."""
    if not text or text.isspace():  # not strip(): no copy of a 20 MB text
        raise ReportError(path or name, "is empty (no text to index)")
    sha = hashlib.sha256(data).hexdigest()
    return Report(name, text, sha, path, encoding, original=data, pages=pages)


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
    data = path.read_bytes()  # once: a 20 MB file read twice costs every other user
    pages: tuple[int, ...] = ()
    if loader is _read_text:
        text, encoding = _decode_text(data, str(path))
    elif loader is load_pdf:  # the page each citation falls on is kept too
        (text, pages), encoding = load_pdf_pages(path), ""
    else:
        text, encoding = loader(path), ""
    return report_from_file(name or path.name, text, data, str(path), encoding, pages)
