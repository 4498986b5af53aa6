"""ui.limits.BodyLimit: a body over the limit is refused with 413 before it is read."""

from __future__ import annotations

import pytest

starlette = pytest.importorskip("starlette")

from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.responses import PlainTextResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from ui.limits import BodyLimit  # noqa: E402

read: list[int] = []


async def echo(request):
    body = await request.body()
    read.append(len(body))
    return PlainTextResponse(f"{len(body)} bytes")


@pytest.fixture
def client():
    read.clear()
    routes = [Route("/gradio_api/queue/join", echo, methods=["POST"]),
              Route("/gradio_api/upload", echo, methods=["POST"])]  # fmt: skip
    limit = Middleware(BodyLimit, request_mb=0.001, upload_mb=0.002)  # 1,048 / 2,097 bytes
    return TestClient(Starlette(routes=routes, middleware=[limit]))


def test_bodies_within_the_limits_pass(client):
    assert client.post("/gradio_api/queue/join", content=b"x" * 1000).text == "1000 bytes"
    assert client.post("/gradio_api/upload", content=b"x" * 2000).text == "2000 bytes"


def test_a_declared_length_over_the_limit_is_refused_unread(client):
    out = client.post("/gradio_api/queue/join", content=b"x" * 1100)
    assert out.status_code == 413 and read == []
    assert out.json()["detail"] == (
        "the request is over this server's limit of 0.001 MB; start a new chat if this one "
        "is very long"
    )
    out = client.post("/gradio_api/upload", content=b"x" * 2200)
    assert out.status_code == 413 and out.json()["detail"] == (
        "the upload is over this server's limit of 0.002 MB per request; upload fewer or "
        "smaller files at a time"
    )


def test_a_chunked_body_is_cut_at_the_limit(client):
    def pieces():
        for _ in range(100):
            yield b"y" * 100  # 10,000 bytes, no Content-Length

    out = client.post("/gradio_api/queue/join", content=pieces())
    assert out.status_code == 413 and read == []
    assert out.json()["detail"].startswith("the request is over this server's limit")
