"""Indexing: report files -> sentences and chunks -> vectors -> Chroma.

Nothing in this package knows about questions; :mod:`bot` builds on it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_REPORT = "kuaishou-2024h1.txt"


def default_report_path() -> Path:
    """The report that ships with the project and is indexed on first use."""
    return Path(str(resources.files("index") / "corpus" / DEFAULT_REPORT))
