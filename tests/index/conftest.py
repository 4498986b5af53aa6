"""A real Chroma server for the store and ask() tests: ``chroma run`` on a free port.

``chroma_server`` (session) is one ``chroma run --path <tmp> --port <free>`` on 127.0.0.1,
started once and stopped at the end. :class:`ChromaServer` can also be used directly by a
test that needs to stop and restart its own server on the same port and path. The
``chroma`` command comes with the chromadb package, beside this Python.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).with_name("chroma")
START_TIMEOUT = 60  # seconds; the server answers in 1-2 s on an idle machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """``chroma run`` in a subprocess; ``url`` answers once :meth:`start` returns."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = path.with_name(path.name + ".log")
        self.proc: subprocess.Popen | None = None

    def start(self) -> ChromaServer:
        if not CHROMA.exists():
            pytest.fail(f"{CHROMA} is missing: the chromadb package should install it")
        env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
        args = ["run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)]
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [str(CHROMA), *args], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait()
        return self

    def _wait(self) -> None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < START_TIMEOUT:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited early:\n{self.log.read_text()}")
            if self.alive():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"chroma run did not answer in {START_TIMEOUT} s:\n{self.log.read_text()}"
        )

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

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


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db").start()
    try:
        yield server
    finally:
        server.stop()
