"""The indexed reports and the models behind them, built lazily, one per settings.

``get_library()`` returns the process-wide :class:`Library` for the current settings.
Nothing heavy happens until it is used: the embedding model is converted/loaded and the
store opened on first need, and the bundled default report is indexed on the first
question when the index holds no report yet.

Every indexed report's text and bytes are also kept as files (:mod:`index.saved`): an
empty store beside saved reports is a vanished index, reported as damaged rather than
refilled with the bundled report, and :meth:`Library.rebuild` re-indexes from them.

Owners. With a login (the web UI's ``--auth``) every report a user uploads is theirs
(``ReportInfo.owner``); the bundled report and reports indexed from the command line
are shared (owner ""). Every method that reads or changes reports takes ``user``:
``None`` (no login: one local user owns everything) sees all; a user name sees the
shared reports and their own, and changes only their own; "" (logged in as nobody)
sees the shared ones. Another user's report behaves as one that is not indexed.
Uploads wait in one line (``REPORTBOT_INDEX_JOBS`` at a time), and with a login count
against their owner's quota (``REPORTBOT_UI_QUOTA_MB``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from index import default_report_path, saved
from index.cleanup import remove_leftovers
from index.embed import LangChainEmbeddings, get_embedder
from index.errors import (
    DamagedIndexError,
    NotYoursError,
    QuotaError,
    ReportError,
    StoreError,
    UnknownReportError,
)
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


@dataclass(frozen=True)
class Upload:
    """What :meth:`Library.index_upload` did with one uploaded file."""

    name: str  # the report the file now is: a new one, or the one already holding its text
    same: bool  # its text was already in a report this user sees: nothing was indexed
    result: IndexResult | None  # None when ``same``
    chars: int  # characters of its text


def visible(info: ReportInfo, user: str | None) -> bool:
    """Whether ``user`` sees the report: no login (None) sees all; a user, the shared
    reports and their own."""
    return user is None or not info.owner or info.owner == user


def unused_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when a different report already has it.

    >>> unused_name("notes.md", {"notes.md", "notes (2).md"})
    'notes (3).md'
    """
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    stem, suffix = (stem, dot + suffix) if dot else (name, "")
    n = 2
    while f"{stem} ({n}){suffix}" in taken:
        n += 1
    return f"{stem} ({n}){suffix}"


class Line:
    """First come, first served: at most ``slots`` jobs at once, the others wait.

    A waiting job hears its place (1 = next) each time it changes, so a page can say
    "2nd in line" instead of looking stuck behind another user's large upload.
    """

    def __init__(self, slots: int):
        self.slots = slots
        self._cond = threading.Condition()
        self._waiting: deque[object] = deque()
        self._running = 0

    @contextlib.contextmanager
    def turn(self, waiting: Callable[[int], None] | None = None) -> Iterator[None]:
        me = object()
        told = 0
        with self._cond:
            self._waiting.append(me)
        try:
            while True:
                with self._cond:
                    if self._running < self.slots and self._waiting[0] is me:
                        self._waiting.popleft()
                        self._running += 1
                        self._cond.notify_all()  # those behind moved up: tell them
                        break
                    place = self._waiting.index(me) + 1
                    if place == told or waiting is None:
                        self._cond.wait()
                        continue
                told = place
                waiting(place)  # outside the lock: it may be slow (a page update)
        except BaseException:
            with self._cond:
                if me in self._waiting:
                    self._waiting.remove(me)
                    self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()


class Library:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.RLock()
        self._checked_default = False
        self._model: _Background | None = None
        self.line = Line(settings.index_jobs)
        remove_leftovers(settings.data_dir)

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

        # One cache file per store (a model's collections, embedded or on a server).
        where = hashlib.sha256(f"{self.store.where}|{self.store.name}".encode()).hexdigest()
        cache = self.settings.cache_dir / f"keywords-{where[:16]}.marshal"
        return Retriever(self.store, lambda: self.embedder, cache)

    @cached_property
    def count_tokens(self):
        return counter(self.settings.data_dir / "tiktoken")

    def reports(self, user: str | None = None) -> list[ReportInfo]:
        """The indexed reports ``user`` sees (see the module's docstring)."""
        return [r for r in self.store.reports() if visible(r, user)]

    def report_text(self, name: str, user: str | None = None) -> str:
        if user is not None:
            info = self.store.report_info(name)
            if info is None or not visible(info, user):
                raise StoreError(f"report {name!r} is not in the index at {self.store.where}")
        return self.store.report_text(name)

    def ensure_default(self, progress: Progress | None = None) -> None:
        """Index the bundled report when the index holds no report at all.

        An index that holds none while reports were saved has lost them: that is
        reported (:class:`DamagedIndexError`), never papered over with the bundled one.
        """
        with self._lock:
            if self._checked_default:
                return
            if not self.store.reports():
                if not self.settings.chroma_url and saved.any_saved(self.settings.data_dir):
                    raise DamagedIndexError(
                        str(self.settings.index_dir), "its reports are gone from it"
                    )
                if self.settings.default_report:
                    self.index_report(load_report(default_report_path()), progress)
            self._checked_default = True

    def index_report(self, report: Report, progress: Progress | None = None) -> IndexResult:
        """Index one report and save its text and bytes for a rebuild."""
        cfg = self.settings
        with self._lock:
            if getattr(self.store, "read_only", False):  # before embedding in vain
                raise StoreError(
                    f"cannot write to the index at {self.store.where}: the folder is read-only"
                )
            result = index_report(
                report,
                self.store,
                self.embedder,
                self.count_tokens,
                cfg.chunk_tokens,
                progress,
                max_embeddings=cfg.max_report_embeddings,
                max_chars=cfg.max_sentence_chars,
            )
            if not (result.unchanged and saved.is_saved(cfg.data_dir, report)):
                self._save(report)
            return result

    def _save(self, report: Report) -> None:
        try:
            saved.save(self.settings.data_dir, report)
        except OSError as exc:
            where = saved.folder(self.settings.data_dir)
            raise StoreError(f"cannot save the text of {report.name} in {where}: "
                             f"{exc.strerror or exc}") from None  # fmt: skip

    def rebuild(self, progress: Progress | None = None) -> list[IndexResult]:
        """Re-create the index from the saved reports (after it was damaged).

        The old index folder is moved aside (``chroma.damaged-<time>``), not deleted:
        whatever could still be recovered from it stays on disk.
        """
        cfg = self.settings
        if cfg.chroma_url:
            raise StoreError("--rebuild re-creates the embedded index; with a Chroma "
                             "server (REPORTBOT_CHROMA_URL), rebuild on the server")  # fmt: skip
        reports = saved.saved(cfg.data_dir)
        if not reports:
            raise StoreError(f"no saved reports in {saved.folder(cfg.data_dir)} to rebuild from")
        with self._lock:
            store = self.__dict__.pop("store", None)
            if store is not None:
                store.close()
            self.__dict__.pop("retriever", None)
            where = cfg.index_dir
            if where.exists():
                aside = where.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
                try:
                    os.rename(where, aside)
                except OSError as exc:
                    raise StoreError(f"cannot move the damaged index at {where} aside: "
                                     f"{exc.strerror or exc}") from None  # fmt: skip
            results = [self.index_report(r, progress) for r in reports]
            self._checked_default = True
            return results

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
                    if report.pages and old.pages != report.pages:  # indexed before pages
                        self.store.set_pages(old.name, report.pages)
                    if old.path != report.path:  # the folder moved: removals follow it
                        self.store.set_path(old.name, report.path)
                    if not saved.is_saved(self.settings.data_dir, report):
                        self._save(report)  # indexed before texts were kept
                else:
                    step = _within(progress, i, n) if progress else None
                    results.append(self.index_report(report, step))
                if progress:
                    progress(i + 1, n)
            present = {str(f.resolve()) for f in files}
            gone = [r.name for r in known.values() if _gone_from(r.path, root, present)]
            for name in gone:
                self.remove(name)
        return FolderResult(results, gone)

    def index_upload(
        self,
        path: str | Path,
        name: str,
        owner: str = "",
        progress: Progress | None = None,
        waiting: Callable[[int], None] | None = None,
    ) -> Upload:
        """Index an uploaded file as ``owner``'s report (``""``: no login, shared).

        The upload waits for its turn in :attr:`line` (``waiting(place)`` meanwhile).
        Its text, when a report this user sees already holds it, is not indexed again;
        else it gets ``name``, or ``name (2)``… when any report has that name (names are
        unique across users: citations name their report). With an owner, the file
        must fit their quota, checked before it is read and again in its turn.
        """
        size = Path(path).stat().st_size
        self._check_quota(owner, size)
        with self.line.turn(waiting):
            self._check_quota(owner, size)
            report = load_report(path, max_mb=self.settings.max_report_mb, name=name)
            with self._lock:
                reports = self.store.reports()
                user = owner or None
                same = next(
                    (r for r in reports if visible(r, user) and r.sha256 == report.sha256), None
                )
                if same is not None:
                    return Upload(same.name, True, None, len(report.text))
                report = replace(
                    report, name=unused_name(name, {r.name for r in reports}), path="", owner=owner
                )
                result = self.index_report(report, progress)
        return Upload(result.name, False, result, len(report.text))

    def _check_quota(self, owner: str, adding: int) -> None:
        if not owner:
            return
        used = sum(r.size for r in self.store.reports() if r.owner == owner)
        limit = self.settings.ui_quota_mb
        if used + adding > limit * 1024 * 1024:
            raise QuotaError(owner, used, adding, limit)

    def remove(self, name: str, user: str | None = None) -> bool:
        """Drop a report; False when it was not indexed (or is another user's)."""
        with self._lock:
            if user is not None and not self._may_change(name, user):
                return False
            removed = self.store.remove(name)
            saved.remove(self.settings.data_dir, name)
            return removed

    def pages(self, name: str) -> tuple[int, ...]:
        """Where each page of report ``name`` begins (PDF); () when unpaged or unknown."""
        info = self.store.report_info(name)
        return info.pages if info else ()

    def _may_change(self, name: str, user: str) -> bool:
        """False for a report ``user`` does not see; raises for a shared one."""
        info = self.store.report_info(name)
        if info is None or not visible(info, user):
            return False
        if info.owner != user:
            raise NotYoursError(name)
        return True

    def reindex(self, name: str, path: str | Path, user: str | None = None) -> IndexResult:
        """Read the report ``name`` again from ``path`` (its file)."""
        if user is not None and not self._may_change(name, user):
            raise UnknownReportError([name], [r.name for r in self.reports(user)])
        return self.index_paths([path])[0]

    def check_sources(self, names: list[str] | None, user: str | None = None) -> list[str] | None:
        """The reports a question may read: ``names`` checked, or all (None) that ``user``
        sees (then a list, possibly empty: with a login, never another user's)."""
        if user is not None:
            seen = [r.name for r in self.reports(user)]
            unknown = [n for n in names or [] if n not in seen]
            if unknown:
                raise UnknownReportError(unknown, seen)
            return list(names) if names else seen
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
