"""The indexed reports and the models behind them, built lazily, one per settings.

``get_library()`` returns the process-wide :class:`Library` for the current settings.
Nothing heavy happens until it is used: the embedding model is converted/loaded and the
store opened on first need, and the bundled default report is indexed on the first
question when the index holds no report yet.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from index import default_report_path
from index.embed import LangChainEmbeddings, get_embedder
from index.errors import ReportError, UnknownReportError
from index.load import LOADERS, Report, load_report
from index.pipeline import IndexResult, Progress, index_report
from index.settings import Settings
from index.store import ReportInfo, Store
from index.tokens import counter


@dataclass(frozen=True)
class FolderResult:
    """What :meth:`Library.index_folder` did."""

    results: list[IndexResult]  # one per report file now in the folder, unchanged ones too
    removed: list[str]  # reports dropped because their file left the folder


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

    def index_folder(self, folder: str | Path, progress: Progress | None = None) -> FolderResult:
        """Bring the index up to date with ``folder`` (and its subfolders).

        New and changed files are indexed, unchanged ones cost a read and a hash, and
        reports indexed from this folder whose file is gone are removed. Reports are
        named by their path inside the folder (``a.md``, ``library/os.html``), so equal
        file names in two subfolders stay apart. Every file is checked before anything
        is written. ``progress(done, total)`` counts files (fractions while embedding).
        """
        root = Path(folder).resolve()
        if not root.is_dir():
            raise ReportError(str(folder), "is not a folder")
        files = sorted(f for f in root.rglob("*") if f.suffix.lower() in LOADERS and f.is_file())
        limit = self.settings.max_report_mb
        reports = [load_report(f, max_mb=limit, name=f.relative_to(root).as_posix()) for f in files]
        n = len(reports)
        results: list[IndexResult] = []
        with self._lock:
            known = {r.name: r for r in self.store.reports()}
            for i, report in enumerate(reports):
                old = known.get(report.name)
                if old and old.sha256 == report.sha256:
                    # Not even split: re-checking 1,000 unchanged files should take seconds.
                    results.append(IndexResult(old.name, old.chunks, old.sentences, 0, True, 0))
                    if old.path != report.path:  # the folder moved: removals follow it
                        self.store.set_path(old.name, report.path)
                else:
                    step = _within(progress, i, n) if progress else None
                    results.append(self.index_report(report, step))
                if progress:
                    progress(i + 1, n)
            present = {str(f.resolve()) for f in files}
            gone = [r.name for r in known.values() if _gone_from(r.path, root, present)]
            for name in gone:
                self.store.remove(name)
        return FolderResult(results, gone)

    def remove(self, name: str) -> bool:
        with self._lock:
            return self.store.remove(name)

    def check_sources(self, names: list[str] | None) -> list[str] | None:
        if not names:
            return None
        # One read per name asked for, not a listing of every report on each question.
        unknown = [n for n in names if self.store.report_info(n) is None]
        if unknown:
            raise UnknownReportError(unknown, [r.name for r in self.store.reports()])
        return list(names)


def _within(progress: Progress, i: int, n: int) -> Progress:
    """Progress of file ``i`` of ``n`` as a fraction of the folder's files."""
    return lambda done, total: progress(i + done / max(total, 1), n)


def _gone_from(path: str, root: Path, present: set[str]) -> bool:
    """Was ``path`` indexed from ``root``, and is it no longer there?"""
    if not path:
        return False
    resolved = Path(path).resolve()
    return root in resolved.parents and str(resolved) not in present


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
