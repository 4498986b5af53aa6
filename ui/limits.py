"""A bound on every request body the web server reads, checked before it is read.

Gradio bounds each uploaded file (``max_file_size``) but neither an upload request's
total (one request may carry a thousand files) nor any other body: a multi-gigabyte
JSON body would be read and parsed whole. :class:`BodyLimit` is plain ASGI middleware
that answers 413 with a one-line message when ``Content-Length`` says the body is too
large, and counts the bytes of a body sent without one (chunked), stopping at the limit.

It limits sizes only; how often a user may ask is not bounded here.
"""

from __future__ import annotations

import json

MB = 1024 * 1024


class _TooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: request bodies over ``request_mb`` (``upload_mb`` on Gradio's
    upload route) are refused with 413 and a message naming the limit."""

    def __init__(self, app, request_mb: float, upload_mb: float):
        self.app = app
        self.request_mb, self.upload_mb = request_mb, upload_mb

    def message(self, upload: bool) -> str:
        if upload:
            return (f"the upload is over this server's limit of {self.upload_mb:g} MB per "
                    "request; upload fewer or smaller files at a time")  # fmt: skip
        return (f"the request is over this server's limit of {self.request_mb:g} MB; "
                "start a new chat if this one is very long")  # fmt: skip

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        upload = scope.get("path", "").rstrip("/").endswith("/upload")
        limit = (self.upload_mb if upload else self.request_mb) * MB
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0"))
        except ValueError:
            declared = 0
        if declared > limit:
            return await self._refuse(send, upload)
        seen = 0
        started = False

        async def bounded_receive():
            nonlocal seen
            event = await receive()
            if event["type"] == "http.request":
                seen += len(event.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return event

        async def watched_send(event):
            nonlocal started
            started = started or event["type"] == "http.response.start"
            await send(event)

        try:
            await self.app(scope, bounded_receive, watched_send)
        except _TooLarge:
            if not started:
                await self._refuse(send, upload)

    async def _refuse(self, send, upload: bool) -> None:
        body = json.dumps({"detail": self.message(upload)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
