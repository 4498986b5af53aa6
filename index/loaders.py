"""Loaders for report formats that are not plain text: PDF, Word (.docx) and HTML.

Each loader is ``(path) -> str`` and returns the plain text that citation offsets will
index, with blank lines between paragraphs (the sources panel shows a quote inside its
paragraph) and one sentence per line where the format only gives visual lines. A file
that cannot be read raises :class:`index.errors.ReportError` with a one-line reason.
Size, emptiness and suffix are checked by :func:`index.load.load_report` before a loader
runs; this module only extracts text. It does not split, embed or store.

HTML goes through BeautifulSoup (``html.parser``, no C dependency): it tolerates broken
markup, detects the declared charset, and yields plain text without the Markdown syntax
that converters such as html2text add (which would end up inside quotes).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from index.errors import ReportError

# A .docx is a zip: refuse one that would inflate past this (a "zip bomb").
MAX_UNZIPPED_MB = 200

_SENTENCE_END = tuple("。！？!?.;；:：…”」』)）")
_CJK_CHARS = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_CJK = re.compile(f"[{_CJK_CHARS}]")
# A source line break between two Chinese characters is no space at all.
_CJK_WRAP = re.compile(f"(?<=[{_CJK_CHARS}])[ \\t]*\\r?\\n\\s*(?=[{_CJK_CHARS}])")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(blocks: list[str]) -> str:
    """Join text blocks as paragraphs; collapse runs of spaces and blank lines."""
    lines = []
    for block in blocks:
        block = "\n".join(_SPACES.sub(" ", line).strip() for line in block.splitlines())
        block = block.strip("\n")
        if block.strip():
            lines.append(block)
    return _BLANK_RUNS.sub("\n\n", "\n\n".join(lines))


def _unwrap(page: str) -> str:
    """Join the visual lines of a PDF page into sentences.

    PDF text comes as one line per printed line, and the splitter ends a sentence at
    every line break; so a line is joined to the next unless it ends a sentence.
    Chinese lines join without a space, others with one.
    """
    out: list[str] = []
    for raw in page.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            if out and out[-1] != "\n\n":
                out.append("\n\n")
            continue
        if out and out[-1] not in ("\n", "\n\n"):
            prev = out[-1]
            if prev.endswith(_SENTENCE_END):
                out.append("\n")
            elif not (_CJK.match(prev[-1]) and _CJK.match(line[0])):
                out.append(" ")
        out.append(line)
    return "".join(out).strip()


def load_pdf(path: Path) -> str:
    """Text of every page (pypdf), pages separated by a blank line."""
    return load_pdf_pages(path)[0]


def load_pdf_pages(path: Path) -> tuple[str, tuple[int, ...]]:
    """``(text, page starts)``: :func:`load_pdf`'s text and the offset where each page's
    text begins (a page without text starts where the next one does)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    with path.open("rb") as fh:
        if not fh.read(1024).lstrip().startswith(b"%PDF"):
            raise ReportError(str(path), "is not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReportError(str(path), "is a password-protected PDF")
        pages = [_unwrap(page.extract_text() or "") for page in reader.pages]
    except ReportError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReportError(str(path), f"is not a readable PDF ({type(exc).__name__})") from None
    # Tidied page by page and joined as _tidy joins blocks: the same text as _tidy(pages)
    # (a tidied block neither starts nor ends with a newline), with each page's offset.
    text, starts = "", []
    for page in pages:
        block = _tidy([page])
        starts.append(len(text) + 2 if text else 0)
        if block:
            text = f"{text}\n\n{block}" if text else block
    if not text:
        raise ReportError(str(path), "has no extractable text (a scanned PDF needs OCR first)")
    return text, tuple(starts)


def load_docx(path: Path) -> str:
    """Paragraphs and table rows of a Word document, in document order (python-docx)."""
    from docx import Document
    from docx.table import Table

    try:
        with zipfile.ZipFile(path) as zf:
            unzipped = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        raise ReportError(str(path), "is not a Word .docx file (not a zip package)") from None
    if unzipped > MAX_UNZIPPED_MB * 1024 * 1024:
        raise ReportError(str(path), f"unpacks to over {MAX_UNZIPPED_MB} MB; refusing to read it")
    try:
        doc = Document(str(path))
        blocks = []
        for item in doc.iter_inner_content():
            if isinstance(item, Table):
                rows = [" | ".join(c.text.strip() for c in row.cells) for row in item.rows]
                blocks.append("\n".join(rows))
            else:
                blocks.append(item.text)
    # PackageNotFoundError, KeyError, BadZipFile, and lxml's XMLSyntaxError for garbage XML
    except Exception as exc:  # noqa: BLE001
        raise ReportError(str(path), f"is not a readable .docx ({type(exc).__name__})") from None
    text = _tidy(blocks)
    if not text:
        raise ReportError(str(path), "has no text (is it only images?)")
    return text


# Elements whose text is never part of the report, and elements that start a new block.
_DROP = ("script", "style", "noscript", "template", "head", "svg", "canvas", "iframe", "object")
_BLOCKS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "hr",
    "address",
    "form",
)


def load_html(path: Path) -> str:
    """Visible text of an HTML page (BeautifulSoup), one block element per paragraph."""
    from bs4 import BeautifulSoup

    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise ReportError(str(path), "looks like a binary file, not HTML")
    soup = BeautifulSoup(data, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    # Control characters mark structure (text has none worth keeping): \x01 a line break
    # (<br>), \x00 a block boundary. Newlines in the HTML source are just spaces.
    for br in soup.find_all("br"):
        br.replace_with("\x01")
    for row in soup.find_all("tr"):
        for cell in row.find_all(("td", "th"))[1:]:
            cell.insert_before(" | ")
        row.insert_after("\x01")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\x00")
        tag.insert_after("\x00")
    text = _CJK_WRAP.sub("", soup.get_text())
    text = re.sub(r"\s+", " ", text).replace("\x01", "\n")
    text = _tidy(text.split("\x00"))
    if not text:
        raise ReportError(str(path), "has no visible text")
    return text
