"""A real Chroma server for the store and ask() tests: ``chroma run`` on a free port.

``chroma_server`` (session) is one ``chroma run --path <tmp> --port <free>`` on 127.0.0.1,
started once and stopped at the end. :class:`ChromaServer` can also be used directly by a
test that needs to stop and restart its own server on the same port and path. The
``chroma`` command comes with the chromadb package, beside this Python.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.servers import Process, free_port

CHROMA = Path(sys.executable).with_name("chroma")


class ChromaServer(Process):
    """``chroma run`` in a subprocess; ``url`` answers once :meth:`start` returns."""

    name = "chroma run"
    start_timeout = 60.0  # seconds; the server answers in 1-2 s on an idle machine

    def __init__(self, path: Path, port: int | None = None):
        self.path = path
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["run", "--path", path, "--host", "127.0.0.1", "--port", self.port]
        super().__init__(
            [CHROMA, *args], path.with_name(path.name + ".log"), f"{self.url}/api/v2/heartbeat",
            env=dict(os.environ, ANONYMIZED_TELEMETRY="False"),
        )  # fmt: skip

    def launch(self) -> ChromaServer:
        if not CHROMA.exists():
            pytest.fail(f"{CHROMA} is missing: the chromadb package should install it")
        return super().launch()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    with ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db").start() as server:
        yield server
