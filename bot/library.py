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
        self._model: _Background | None = None

    def load_model(self) -> None:
        """Start loading the embedding model in a background thread (once).

        A fresh process spends most of its first answer importing torch and loading the
        model; meanwhile the store opens and the keyword index builds on the other core.
        """
        with self._lock:
            if self._model is None:
                self._model = _Background(get_embedder, self.settings)

    @property
    def embedder(self):
        self.load_model()
        return self._model.result()

    @cached_property
    def store(self) -> Store:
        return Store(self.settings, LangChainEmbeddings(lambda: self.embedder))

    @cached_property
    def retriever(self):
        from bot.retrieve import Retriever

        return Retriever(self.store, lambda: self.embedder)

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


class _Background:
    """Run ``fn(*args)`` in a daemon thread; ``result()`` waits and re-raises errors."""

    def __init__(self, fn, *args):
        self._done = threading.Event()
        self._value = self._error = None

        def run() -> None:
            try:
                self._value = fn(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller of result()
                self._error = exc
            finally:
                self._done.set()

        threading.Thread(target=run, name="reportbot-model", daemon=True).start()

    def result(self):
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value


_libraries: dict[Settings, Library] = {}
_lock = threading.Lock()


def get_library(settings: Settings | None = None) -> Library:
    settings = settings or Settings.from_env()
    with _lock:
        if settings not in _libraries:
            _libraries[settings] = Library(settings)
        return _libraries[settings]
