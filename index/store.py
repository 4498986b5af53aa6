"""Chroma store for sentences and chunks, with a manifest of indexed reports.

Two collections per embedding model (so vectors of different models never mix):
- ``rb-<model>``: one record per sentence and per chunk (``kind`` metadata), with its
  report name, ``[start, end)`` offsets and, for sentences, the id of their chunk.
  Records are read and written through the chromadb collection itself: the question
  path needs ids and distances only, and importing langchain-chroma (and langchain-core)
  would add half a second to the first answer of every process. ``Store.vectors`` is
  langchain-chroma's ``Chroma`` over the same collection, for LangChain pipelines.
- ``rb-<model>-reports``: one record per report holding its full text (the text that all
  offsets index) and its sha256; this is the manifest.

Record ids derive from content (:func:`index.split.content_id`), so an unchanged sentence
keeps its id and its vector across re-indexing. New records are written *staged*
(``live=False``, invisible to queries) and made live only when the whole report is in,
so a failed run leaves the previous index answering as before.

The embedded ``PersistentClient`` is the default; ``REPORTBOT_CHROMA_URL`` switches to
a Chroma server (``HttpClient``), whose every request is bounded by
``REPORTBOT_CHROMA_TIMEOUT``. This module stores and fetches; it does not rank.

Several processes may share one index (a UI, a `reportbot index` in a terminal). The
embedded client caches the vector index in memory, so after another process writes, its
searches fail ("Error finding id") until it reopens. Every commit and removal rewrites a
version token; a store that reads a token it did not write, or meets that error, reopens
its client (fresh from disk) and tries once more. Writes across processes take a file
lock beside the index, and reopen first when another process wrote since.

Faults of the files themselves become one-line errors: a corrupt or emptied
``chroma.sqlite3`` is :class:`DamagedIndexError` (``reportbot index --rebuild``), a full
disk or a read-only folder a :class:`StoreError` that names the folder.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from index.errors import DamagedIndexError, StoreError
from index.settings import Settings

_BATCH = 256
_VERSION_ID = "version"  # in the manifest collection; report ids start with "report:"
_STAGED_MARGIN = 8  # nearest records fetched beyond k, so a few staged ones cost nothing
CONNECT_TIMEOUT = 5.0  # seconds to reach a Chroma server before giving up
DATABASE = "chroma.sqlite3"
# What chromadb (Python, SQLite or its Rust core) says when...
_STALE = ("error finding id", "nothing found on disk", "does not exist", "not found")
_DAMAGED = (
    "malformed",
    "file is not a database",
    "not a database",
    "database corrupt",
    "no such table",
    "hnsw segment reader",
    "error loading hnsw",
    "failed to load",
)
_FULL = ("no space left", "disk is full", "database or disk is full", "file too large")
_WRITE_FAILED = ("disk i/o error", "error in compaction", "failed to apply logs")
_READ_ONLY = ("readonly database", "read-only", "permission denied")


@dataclass(frozen=True)
class Record:
    """A stored sentence or chunk."""

    id: str
    kind: str  # "sentence" | "chunk"
    source: str
    start: int
    end: int
    text: str
    chunk_id: str = ""
    directive: bool = False  # addresses a reader or a model (index/directives.py)


@dataclass(frozen=True)
class ReportInfo:
    name: str
    sha256: str
    chars: int
    sentences: int
    chunks: int
    path: str = ""
    owner: str = ""  # the UI user whose upload it is; "" for a shared report
    size: int = 0  # bytes of its file (of its text without one)
    pages: tuple[int, ...] = ()  # where each page's text begins (PDF); () when unpaged


def _slug(model: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-").lower()[-40:].strip("-")
    return slug or "model"


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return _http_client(settings.chroma_url, settings.chroma_timeout, chroma_settings)
    where = settings.index_dir
    database = where / DATABASE
    # An emptied database would be taken for a new one: the user's reports would vanish
    # and the bundled report would quietly take their place.
    if database.exists() and database.stat().st_size == 0:
        raise DamagedIndexError(str(where), f"{DATABASE} is empty")
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_os_problem(str(where), "create the index", exc)) from None
    if not database.exists() and not os.access(where, os.W_OK):
        raise StoreError(f"cannot create the index at {where}: the folder is read-only")
    try:
        return chromadb.PersistentClient(path=str(where), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001
        error = _classify(str(where), "open the index", exc)
        if "read-only" not in str(error):
            raise error from exc
    # chromadb writes even to open an index, so a read-only one is opened as a copy
    # (questions only read; writes are refused by Store._writing).
    return _snapshot(where, chroma_settings)


def _snapshot(where: Path, chroma_settings):
    import atexit
    import shutil
    import tempfile

    import chromadb

    copy = Path(tempfile.mkdtemp(prefix="reportbot-readonly-")) / "chroma"
    atexit.register(shutil.rmtree, copy.parent, True)
    try:
        shutil.copytree(where, copy)
        for path in [copy, *copy.rglob("*")]:
            path.chmod(0o700 if path.is_dir() else 0o600)
        client = chromadb.PersistentClient(path=str(copy), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001
        raise _classify(str(where), "open the index", exc) from exc
    client._reportbot_read_only = True  # noqa: SLF001 - read by Store
    return client


def _http_client(address: str, timeout: float, chroma_settings):
    import chromadb
    import httpx

    url = urlparse(address)
    host = url.hostname or "localhost"
    port = url.port or (443 if url.scheme == "https" else 8000)
    # Chroma's client waits forever, to connect and to read: a server that is off,
    # firewalled or stuck must fail the call in seconds (and, once back, answer the
    # next one). Its constructor already asks the server something, so the server is
    # first asked for its heartbeat with our own bounds.
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
        probe = httpx.get(
            f"{address.rstrip('/')}/api/v2/heartbeat",
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
            verify=url.scheme == "https",
        )
        if probe.status_code >= 400:
            raise StoreError(
                f"the server at {address} is not a Chroma server (its heartbeat answered "
                f"HTTP {probe.status_code})"
            )
        client = _bounded(
            lambda: chromadb.HttpClient(
                host=host, port=port, ssl=url.scheme == "https", settings=chroma_settings
            ),
            timeout + CONNECT_TIMEOUT,
        )
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - connection errors vary by transport
        if _is_timeout(exc):
            raise StoreError(_silent(address, "connect", timeout)) from None
        raise StoreError(_unreachable(address, "connect", exc)) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
    return client


def _bounded(fn, seconds: float):
    """``fn()``, or TimeoutError after ``seconds``: chromadb's HttpClient asks the server
    for its identity and tenant with no timeout of its own. A stuck call is left to
    finish in its daemon thread."""
    done = threading.Event()
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="reportbot-chroma-connect", daemon=True).start()
    if not done.wait(seconds):
        raise TimeoutError(f"no answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _unreachable(address: str, what: str, exc: Exception) -> str:
    return (
        f"cannot reach the Chroma server at {address} to {what} "
        f"(is `chroma run` up and the URL right?): {exc}"
    )


def _silent(address: str, what: str, timeout: float) -> str:
    return (
        f"the Chroma server at {address} did not answer within {timeout:g} s "
        f"(REPORTBOT_CHROMA_TIMEOUT) when asked to {what}"
    )


def _is_timeout(exc: Exception) -> bool:
    import httpx

    return isinstance(exc, (httpx.TimeoutException, socket.timeout, TimeoutError))


def _is_connection_error(exc: Exception) -> bool:
    import httpx

    return isinstance(exc, (httpx.TransportError, ConnectionError, socket.timeout))


def _os_problem(where: str, what: str, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return f"cannot {what} at {where}: the disk is full ({exc.strerror})"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot {what} at {where}: the folder is read-only ({exc.strerror})"
    return f"cannot {what} at {where}: {exc.strerror or exc}"


def _disk_full(where: str) -> bool:
    """Is there no room left to write at ``where``? chromadb's compaction hides the
    reason a write failed, so this asks the file system itself."""
    import resource
    import shutil

    try:
        if shutil.disk_usage(where).free < (1 << 20):
            return True
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]  # "File too large" comes first
        largest = max((p.stat().st_size for p in Path(where).rglob("*") if p.is_file()), default=0)
        if limit != resource.RLIM_INFINITY and largest + (1 << 20) > limit:
            return True
        with open(Path(where) / ".space-probe", "wb") as fh:
            fh.write(b"\0" * (1 << 20))
    except OSError as exc:
        return exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    finally:
        with contextlib.suppress(OSError):
            (Path(where) / ".space-probe").unlink()
    return False


def _classify(where: str, what: str, exc: Exception) -> StoreError:
    """One line for a failure of the embedded store, naming what to do."""
    if isinstance(exc, OSError) and exc.errno:
        return StoreError(_os_problem(where, what, exc))
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = str(exc).lower()
    maybe_full = "write" in what or any(m in low for m in _WRITE_FAILED)
    if any(m in low for m in _FULL) or (maybe_full and _disk_full(where)):
        return StoreError(f"cannot {what} at {where}: the disk is full ({message})")
    if any(m in low for m in _READ_ONLY):
        return StoreError(f"cannot {what} at {where}: the folder is read-only ({message})")
    if any(m in low for m in _DAMAGED):
        return DamagedIndexError(where, message)
    return StoreError(f"Chroma store at {where} failed to {what}: {message}")


@contextlib.contextmanager
def _file_lock(path: Path):
    """An exclusive lock between processes (flock); a no-op where files cannot lock."""
    try:
        import fcntl

        fh = open(path, "a+b")  # noqa: SIM115 - held for the block
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield
    finally:
        fh.close()  # releases the lock


class Store:
    """The vector store for one embedding model. Build it with :func:`open_store`."""

    def __init__(self, settings: Settings, embeddings):
        self.writes = 0
        self.reopened = 0  # times this store reopened after another process wrote
        self.settings = settings
        self.where = settings.chroma_url or str(settings.index_dir)
        self._embeddings = embeddings
        self._vectors = None
        self.name = f"rb-{_slug(settings.embed_model)}"
        self._token: str | None = None  # the last index version this process saw
        self._lock = threading.RLock()
        self._open()

    def _open(self) -> None:
        self._client = _client(self.settings)
        self.read_only = getattr(self._client, "_reportbot_read_only", False)
        self._vectors = None
        self._disk = self._disk_id()
        try:
            self.collection = self._client.get_or_create_collection(
                self.name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "model": self.settings.embed_model},
            )
            self.manifest = self._client.get_or_create_collection(
                f"{self.name}-reports", embedding_function=None
            )
        except Exception as exc:  # noqa: BLE001
            raise self._error("open the collections", exc) from exc

    def _reopen(self) -> None:
        """Drop the client's in-memory state and read the index afresh from disk."""
        with self._lock:
            if not self.settings.chroma_url:
                _forget_system(self._client)
            self.reopened += 1
            self._open()

    def close(self) -> None:
        """Let go of the embedded index (the next store for the folder reads it afresh)."""
        if not self.settings.chroma_url:
            _forget_system(self._client)

    def _disk_id(self) -> tuple[int, int] | None:
        """Which database file is open: a rebuild replaces it."""
        if self.settings.chroma_url:
            return None
        try:
            st = (self.settings.index_dir / DATABASE).stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _error(self, what: str, exc: Exception) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        if self.settings.chroma_url:
            if _is_timeout(exc):
                return StoreError(_silent(self.where, what, self.settings.chroma_timeout))
            if _is_connection_error(exc):
                return StoreError(_unreachable(self.where, what, exc))
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            return StoreError(f"Chroma store at {self.where} failed to {what}: {message}")
        return _classify(self.where, what, exc)

    @property
    def vectors(self):
        """langchain-chroma's ``Chroma`` over this store's collection, embedding with the
        store's model: ``store.vectors.as_retriever()`` plugs the index into LangChain."""
        if self._vectors is None:
            from langchain_chroma import Chroma

            self._vectors = Chroma(
                collection_name=self.name,
                embedding_function=self._embeddings,
                client=self._client,
                collection_metadata=self.collection.metadata,
            )
        return self._vectors

    # -- reading -----------------------------------------------------------------
    def _call(self, what: str, fn, *args, **kwargs):
        """``fn`` (a method of ``self.collection`` or ``self.manifest``, looked up again
        after a reopen), with chromadb's errors turned into ours.

        An error that another process's write can cause (the in-memory index no longer
        matching the files, or a collection recreated by a rebuild) reopens the store
        and tries once more.
        """
        owner = "manifest" if getattr(fn, "__self__", None) is self.manifest else "collection"
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds
            if not any(m in str(exc).lower() for m in _STALE):
                raise self._error(what, exc) from exc
        try:
            self._reopen()
            fn = getattr(getattr(self, owner), fn.__name__)
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise self._error(what, exc) from exc

    def _writing(self):
        """Exclusive access for a write, across threads and processes; first catches up
        with any other process's write, so this one never overwrites what it did not see."""
        if self.read_only:
            raise StoreError(f"cannot write to the index at {self.where}: the folder is read-only")
        stack = contextlib.ExitStack()
        try:
            stack.enter_context(self._lock)
            if not self.settings.chroma_url:
                stack.enter_context(_file_lock(self.settings.index_dir / ".write.lock"))
                self._catch_up()
        except BaseException:
            stack.close()  # release what was taken: the caller's `with` never began
            raise
        return stack

    def reports(self) -> list[ReportInfo]:
        got = self._call("list reports", self.manifest.get, include=["metadatas"])
        infos = [_info(m) for i, m in zip(got["ids"], got["metadatas"]) if i != _VERSION_ID]
        return sorted(infos, key=lambda r: r.name)

    def report_info(self, name: str) -> ReportInfo | None:
        """One report's manifest entry (None when not indexed), without listing them all."""
        got = self._call(
            "read a report", self.manifest.get, ids=[_report_id(name)], include=["metadatas"]
        )
        return _info(got["metadatas"][0]) if got["ids"] else None

    def fingerprint(self) -> str:
        """Changes whenever a report is added, changed or removed, by any process.

        Checked before every question, so it is one small read: a token that every
        commit and removal rewrites, not a listing of the manifest (85 ms at 450
        reports). An index written before the token existed falls back to the listing.
        """
        token = self._catch_up()
        if token is not None:
            return token
        return "|".join(f"{r.name}:{r.sha256}" for r in self.reports())

    def _catch_up(self) -> str | None:
        """Read the index version; reopen when another process changed the index since
        this one last looked. None for an index without a version yet."""
        if self._disk is not None and self._disk_id() not in (self._disk, None):
            self._reopen()  # the database file was replaced (a rebuild)
        got = self._call(
            "read the index version", self.manifest.get, ids=[_VERSION_ID], include=["metadatas"]
        )
        if not got["ids"]:
            return None
        token = got["metadatas"][0]["token"]
        if self._token is not None and token != self._token:
            self._reopen()  # another process wrote: its records are not in our memory
        self._token = token
        return token

    def _new_version(self) -> None:
        self.writes += 1  # this process's own changes, seen at once without a read
        token = uuid.uuid4().hex
        self._call(
            "write the index version",
            self.manifest.upsert,
            ids=[_VERSION_ID],
            embeddings=[[1.0]],
            documents=[""],
            metadatas=[{"token": token}],
        )
        self._token = token

    def report_text(self, name: str) -> str:
        got = self._call("read a report", self.manifest.get, ids=[_report_id(name)])
        if not got["documents"]:
            raise StoreError(f"report {name!r} is not in the index at {self.where}")
        return got["documents"][0]

    def records(self, kind: str, sources: list[str] | None = None) -> list[Record]:
        """Live records of ``kind``, in document order (by report name, then offset).

        Chroma returns records in the order they were written, which is not document
        order: records are embedded and staged shortest first, and an edited report's
        new sentences are written after its unchanged ones.
        """
        got = self._call(
            "read records",
            self.collection.get,
            where=_where(kind, sources),
            include=["documents", "metadatas"],
        )
        rows = zip(got["ids"], got["documents"], got["metadatas"])
        return sorted((_record(i, d, m) for i, d, m in rows), key=lambda r: (r.source, r.start))

    def records_by_id(self, ids: list[str]) -> list[Record]:
        got = self._call(
            "read records", self.collection.get, ids=ids, include=["documents", "metadatas"]
        )
        by_id = {
            i: _record(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
        }
        return [by_id[i] for i in ids if i in by_id]

    def vectors_by_id(self, ids: list[str]) -> dict[str, list[float]]:
        got = self._call("read vectors", self.collection.get, ids=ids, include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def dense(
        self,
        vector: list[float],
        kind: str | None,
        k: int,
        sources: list[str] | None = None,
        known: Mapping[str, Record] | None = None,
    ) -> list[tuple[Record, float]]:
        """Nearest live records of ``kind`` (None: any) with cosine similarity (1 = same).

        ``known``: the live records the caller already holds, by id. Then only ids and
        distances come back from Chroma (half the time of fetching texts and metadata)
        and any id the caller does not hold (staged, or indexed since) is left out.

        Staged records are dropped here instead of by a ``live`` filter in Chroma: any
        metadata filter makes Chroma check every record (20 ms at 4,000 records against
        2 ms unfiltered, and growing), while staged records exist only during an
        indexing run. Only when they crowd the pool does the filtered query run.
        """
        fetch = k + _STAGED_MARGIN
        if known is not None:
            got = self._call(
                "search",
                self.collection.query,
                query_embeddings=[vector],
                n_results=fetch,
                where=_where(kind, sources, live=None),
                include=["distances"],
            )
            pairs = zip(got["ids"][0], got["distances"][0])
            live = [(known[i], 1.0 - float(d)) for i, d in pairs if i in known]
            if len(live) >= k or len(got["ids"][0]) < fetch:
                return live[:k]
        rows = self._nearest(vector, fetch, _where(kind, sources, live=None))
        live = [(r, cos) for r, cos, is_live in rows if is_live]
        if len(live) < k and len(rows) == fetch:
            rows = self._nearest(vector, k, _where(kind, sources))
            live = [(r, cos) for r, cos, _ in rows]
        return live[:k]

    def _nearest(self, vector: list[float], k: int, where: dict | None):
        got = self._call(
            "search",
            self.collection.query,
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        # Chroma returns cosine *distance*; langchain-chroma's "relevance" passes it through
        # unchanged, so we query the collection and convert here.
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])
        return [(_record(i, d, m), 1.0 - float(dist), bool(m["live"])) for i, d, m, dist in rows]

    # -- writing -----------------------------------------------------------------
    def existing(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), _BATCH):
            got = self._call(
                "read records", self.collection.get, ids=ids[i : i + _BATCH], include=[]
            )
            found.update(got["ids"])
        return found

    def stage(self, records: list[Record], vectors: list[list[float]]) -> None:
        """Write new records, invisible to queries until :meth:`commit`."""
        if not records:
            return
        with self._writing():
            self._write_staged(records, vectors)

    def _write_staged(self, records: list[Record], vectors: list[list[float]]) -> None:
        self._call(
            "write records",
            self.collection.upsert,
            ids=[r.id for r in records],
            embeddings=vectors,
            documents=[r.text for r in records],
            metadatas=[_meta(r, live=False) for r in records],
        )

    def commit(self, report, records: list[Record], path: str = "") -> None:
        """Make ``records`` the live content of ``report``; drop its old records."""
        with self._writing():
            old = self._call(
                "read records", self.collection.get, where={"source": report.name}, include=[]
            )["ids"]
            keep = {r.id for r in records}
            for i in range(0, len(records), _BATCH):
                part = records[i : i + _BATCH]
                self._call(
                    "update records",
                    self.collection.update,
                    ids=[r.id for r in part],
                    metadatas=[_meta(r, live=True) for r in part],
                )
            stale = [i for i in old if i not in keep]
            for i in range(0, len(stale), _BATCH):
                self._call("delete records", self.collection.delete, ids=stale[i : i + _BATCH])
            meta = {
                "name": report.name,
                "sha256": report.sha256,
                "chars": len(report.text),
                "sentences": sum(r.kind == "sentence" for r in records),
                "chunks": sum(r.kind == "chunk" for r in records),
                "path": path,
                "owner": getattr(report, "owner", ""),
                "size": getattr(report, "size", 0),
                "indexed_at": time.time(),
            }
            if getattr(report, "pages", ()):
                meta["pages"] = _pages_meta(report.pages)
            self._call(
                "write the manifest",
                self.manifest.upsert,
                ids=[_report_id(report.name)],
                embeddings=[[1.0]],
                documents=[report.text],
                metadatas=[meta],
            )
            self._new_version()

    def set_path(self, name: str, path: str) -> None:
        """Record that the (unchanged) report ``name`` is now read from ``path``."""
        with self._writing():
            self._call(
                "write the manifest",
                self.manifest.update,
                ids=[_report_id(name)],
                metadatas=[{"path": path}],
            )

    def set_pages(self, name: str, pages: tuple[int, ...]) -> None:
        """Record where the pages of the (unchanged) report ``name`` begin: a PDF indexed
        before page starts were kept gets them without being indexed again."""
        with self._writing():
            self._call(
                "write the manifest",
                self.manifest.update,
                ids=[_report_id(name)],
                metadatas=[{"pages": _pages_meta(pages)}],
            )

    def remove(self, name: str) -> bool:
        """Drop a report and its records; False when it was not indexed."""
        with self._writing():
            ids = self._call(
                "read records", self.collection.get, where={"source": name}, include=[]
            )["ids"]
            known = self.report_info(name) is not None
            for i in range(0, len(ids), _BATCH):
                self._call("delete records", self.collection.delete, ids=ids[i : i + _BATCH])
            if known:
                self._call("delete a report", self.manifest.delete, ids=[_report_id(name)])
            if known or ids:
                self._new_version()
            return bool(known or ids)


def _forget_system(client) -> None:
    """Make the next embedded client for the same folder load it afresh.

    chromadb keeps one system per folder for the whole process, holding the vector index
    in memory. It is dropped from that cache, not stopped: a search still running on it
    in another thread finishes, and the old system goes when its last client does.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = getattr(client, "_identifier", None)
    SharedSystemClient._identifier_to_system.pop(identifier, None)
    SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _report_id(name: str) -> str:
    return "report:" + name


def _where(kind: str | None, sources: list[str] | None, live: bool | None = True) -> dict | None:
    clauses: list[dict] = [{"live": live}] if live is not None else []
    if kind:
        clauses.append({"kind": kind})
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if len(clauses) > 1:
        return {"$and": clauses}
    return clauses[0] if clauses else None


def _info(m: dict) -> ReportInfo:
    return ReportInfo(
        name=m["name"],
        sha256=m["sha256"],
        chars=m["chars"],
        sentences=m["sentences"],
        chunks=m["chunks"],
        path=m.get("path", ""),
        owner=m.get("owner", ""),  # absent in indexes built before owners: shared
        size=int(m.get("size", 0)),
        pages=tuple(json.loads(m.get("pages") or "[]")),
    )


def _pages_meta(pages) -> str:
    # Chroma metadata values are scalars: the page starts are kept as a JSON list.
    return json.dumps(list(pages))


def _meta(r: Record, live: bool) -> dict:
    return {
        "kind": r.kind,
        "source": r.source,
        "start": r.start,
        "end": r.end,
        "chunk_id": r.chunk_id,
        "directive": r.directive,
        "live": live,
    }


def _record(id_: str, text: str, m: dict) -> Record:
    return Record(
        id=id_,
        kind=m["kind"],
        source=m["source"],
        start=int(m["start"]),
        end=int(m["end"]),
        text=text,
        chunk_id=m.get("chunk_id", ""),
        directive=bool(m.get("directive", False)),  # absent in indexes built before it
    )
