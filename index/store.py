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
a Chroma server (``HttpClient``). This module stores and fetches; it does not rank.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from index.errors import StoreError
from index.settings import Settings

_BATCH = 256
_VERSION_ID = "version"  # in the manifest collection; report ids start with "report:"
_STAGED_MARGIN = 8  # nearest records fetched beyond k, so a few staged ones cost nothing
CONNECT_TIMEOUT = 5.0  # seconds to reach a Chroma server before giving up


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


@dataclass(frozen=True)
class ReportInfo:
    name: str
    sha256: str
    chars: int
    sentences: int
    chunks: int
    path: str = ""


def _slug(model: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-").lower()[-40:].strip("-")
    return slug or "model"


def _client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return _http_client(settings.chroma_url, chroma_settings)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"cannot open the index at {settings.index_dir}: {exc}") from exc


def _http_client(address: str, chroma_settings):
    import chromadb
    import httpx

    url = urlparse(address)
    host = url.hostname or "localhost"
    port = url.port or (443 if url.scheme == "https" else 8000)
    # Chroma's client waits forever to connect; a server that is off or firewalled
    # should fail the call in seconds (and, once back, answer the next one).
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
        client = chromadb.HttpClient(
            host=host, port=port, ssl=url.scheme == "https", settings=chroma_settings
        )
    except Exception as exc:  # noqa: BLE001 - connection errors vary by transport
        raise StoreError(_unreachable(address, "connect", exc)) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(None, connect=CONNECT_TIMEOUT)
    return client


def _unreachable(address: str, what: str, exc: Exception) -> str:
    return (
        f"cannot reach the Chroma server at {address} to {what} "
        f"(is `chroma run` up and the URL right?): {exc}"
    )


def _is_connection_error(exc: Exception) -> bool:
    import httpx

    return isinstance(exc, (httpx.TransportError, ConnectionError, socket.timeout))


class Store:
    """The vector store for one embedding model. Build it with :func:`open_store`."""

    def __init__(self, settings: Settings, embeddings):
        self.writes = 0
        self.settings = settings
        self.where = settings.chroma_url or str(settings.index_dir)
        self._client = _client(settings)
        self._embeddings = embeddings
        self._vectors = None
        self.name = f"rb-{_slug(settings.embed_model)}"
        try:
            self.collection = self._client.get_or_create_collection(
                self.name,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "model": settings.embed_model},
            )
            self.manifest = self._client.get_or_create_collection(
                f"{self.name}-reports", embedding_function=None
            )
        except Exception as exc:  # noqa: BLE001
            if settings.chroma_url and _is_connection_error(exc):
                raise StoreError(_unreachable(self.where, "open the collections", exc)) from exc
            raise StoreError(f"cannot open the Chroma store at {self.where}: {exc}") from exc
        self._lock = threading.Lock()

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
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - chromadb raises many kinds
            if self.settings.chroma_url and _is_connection_error(exc):
                raise StoreError(_unreachable(self.where, what, exc)) from exc
            raise StoreError(f"Chroma store at {self.where} failed to {what}: {exc}") from exc

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
        got = self._call(
            "read the index version", self.manifest.get, ids=[_VERSION_ID], include=["metadatas"]
        )
        if got["ids"]:
            return got["metadatas"][0]["token"]
        return "|".join(f"{r.name}:{r.sha256}" for r in self.reports())

    def _new_version(self) -> None:
        self.writes += 1  # this process's own changes, seen at once without a read
        self._call(
            "write the index version",
            self.manifest.upsert,
            ids=[_VERSION_ID],
            embeddings=[[1.0]],
            documents=[""],
            metadatas=[{"token": uuid.uuid4().hex}],
        )

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
        with self._lock:
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
                "indexed_at": time.time(),
            }
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
        self._call(
            "write the manifest",
            self.manifest.update,
            ids=[_report_id(name)],
            metadatas=[{"path": path}],
        )

    def remove(self, name: str) -> bool:
        """Drop a report and its records; False when it was not indexed."""
        with self._lock:
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
    )


def _meta(r: Record, live: bool) -> dict:
    return {
        "kind": r.kind,
        "source": r.source,
        "start": r.start,
        "end": r.end,
        "chunk_id": r.chunk_id,
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
    )
