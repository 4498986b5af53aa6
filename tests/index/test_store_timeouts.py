"""Every call to a Chroma server is bounded: a server that accepts and never answers,
one that answers its heartbeat and then nothing, and a working server that goes silent
between two reads each give one line naming the URL within the timeout."""

import socket
import threading
import time

import pytest

from index.errors import StoreError
from index.settings import Settings
from index.store import Store

pytestmark = pytest.mark.slow


class Silent:
    """A TCP server on loopback that accepts connections; ``answer`` (bytes or None) is
    sent once to each request for a heartbeat, and nothing to anything else."""

    def __init__(self, heartbeat: bytes | None = None):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.heartbeat = heartbeat
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(65536):
                if self.heartbeat and b"/heartbeat" in data:
                    conn.sendall(self.heartbeat)
        except OSError:
            return

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


class StallingProxy:
    """Forwards loopback TCP to ``target`` until :meth:`stall`; then drops the answers."""

    def __init__(self, target_port: int):
        self.target = target_port
        self.stalled = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def stall(self) -> None:
        self.stalled.set()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, answers: bool) -> None:
        try:
            while data := src.recv(65536):
                if answers and self.stalled.is_set():
                    continue  # the server "answered", the client never hears it
                dst.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self.sock.close()


def _settings(tmp_path, url: str) -> Settings:
    return Settings.from_env(
        {
            "REPORTBOT_DATA_DIR": str(tmp_path),
            "REPORTBOT_EMBED_MODEL": f"fake-{tmp_path.name}",
            "REPORTBOT_CHROMA_URL": url,
            "REPORTBOT_CHROMA_TIMEOUT": "1",
        }
    )


def test_a_server_that_never_answers(tmp_path):
    server = Silent()
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        Store(_settings(tmp_path, server.url), None)
    server.close()
    assert str(err.value) == (
        f"the Chroma server at {server.url} did not answer within 1 s "
        "(REPORTBOT_CHROMA_TIMEOUT) when asked to connect"
    )
    assert time.monotonic() - t0 < 8


def test_a_server_that_answers_only_its_heartbeat(tmp_path):
    ok = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
    server = Silent(heartbeat=ok)
    t0 = time.monotonic()
    with pytest.raises(StoreError, match="did not answer within 1 s"):
        Store(_settings(tmp_path, server.url), None)
    server.close()
    assert time.monotonic() - t0 < 10


def test_a_server_that_goes_silent_between_reads(tmp_path, chroma_server):
    proxy = StallingProxy(chroma_server.port)
    store = Store(_settings(tmp_path, proxy.url), None)
    assert store.reports() == []
    proxy.stall()
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        store.reports()
    proxy.close()
    assert str(err.value) == (
        f"the Chroma server at {proxy.url} did not answer within 1 s "
        "(REPORTBOT_CHROMA_TIMEOUT) when asked to list reports"
    )
    assert time.monotonic() - t0 < 5
