"""The indexed reports and the models behind them, built lazily, one per settings.

``get_library()`` returns the process-wide :class:`Library` for the current settings.
Nothing heavy happens until it is used: the embedding model is converted/loaded and the
store opened on first need, and the bundled default report is indexed on the first
question when the index holds no report yet.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from index import default_report_path
from index.embed import LangChainEmbeddings, get_embedder
from index.errors import UnknownReportError
from index.load import Report, load_report
from index.pipeline import IndexResult, Progress, index_report
from index.settings import Settings
from index.store import ReportInfo, Store
from index.tokens import counter


class Library:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.RLock()
        self._checked_default = False

    @cached_property
    def embedder(self):
        return get_embedder(self.settings)

    @cached_property
    def store(self) -> Store:
        return Store(self.settings, LangChainEmbeddings(self.embedder))

    @cached_property
    def retriever(self):
        from bot.retrieve import Retriever

        return Retriever(self.store, self.embedder)

    @cached_property
    def count_tokens(self):
        return counter(self.settings.data_dir / "tiktoken")

    def reports(self) -> list[ReportInfo]:
        return self.store.reports()

    def ensure_default(self, progress: Progress | None = None) -> None:
        """Index the bundled report when the index holds no report at all."""
        with self._lock:
            if self._checked_default:
                return
            if self.settings.default_report and not self.store.reports():
                self.index_report(load_report(default_report_path()), progress)
            self._checked_default = True

    def index_report(self, report: Report, progress: Progress | None = None) -> IndexResult:
        with self._lock:
            return index_report(
                report,
                self.store,
                self.embedder,
                self.count_tokens,
                self.settings.chunk_tokens,
                progress,
            )

    def index_paths(
        self, paths: Iterable[str | Path], progress: Progress | None = None
    ) -> list[IndexResult]:
        """Check every file first, then index them; a bad file changes nothing."""
        reports = [load_report(p, max_mb=self.settings.max_report_mb) for p in paths]
        return [self.index_report(r, progress) for r in reports]

    def remove(self, name: str) -> bool:
        with self._lock:
            return self.store.remove(name)

    def check_sources(self, names: list[str] | None) -> list[str] | None:
        if not names:
            return None
        known = [r.name for r in self.store.reports()]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise UnknownReportError(unknown, known)
        return list(names)


_libraries: dict[Settings, Library] = {}
_lock = threading.Lock()


def get_library(settings: Settings | None = None) -> Library:
    settings = settings or Settings.from_env()
    with _lock:
        if settings not in _libraries:
            _libraries[settings] = Library(settings)
        return _libraries[settings]
