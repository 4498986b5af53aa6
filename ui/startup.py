"""Getting ready to answer while the page is already up: the model, then the default report.

The web server starts first; :func:`prepare_in_background` then loads (on the first
start: converts) the embedding model and indexes the bundled report, and records how
far it has come in a :class:`Startup`. The page reads that each second (its status line
and a disabled question box until ``ready``); the terminal hears the same status at
least every :data:`HEARTBEAT` seconds, then "ready in N s" or the error.

Deliberately not here: anything that answers. The page decides what to show while
``ready`` is false; this module only knows where the preparation stands.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from dataclasses import dataclass

from bot import ReportBotError, list_reports, needs_conversion, prepare
from ui.text import plain_message, t

log = logging.getLogger("reportbot.ui")
HEARTBEAT = 3.0  # seconds: the terminal never stays silent longer while the bot prepares

# What a Startup can be doing; "ready" and "failed" are final.
PHASES = ("starting", "converting", "loading", "indexing", "warming", "ready", "failed")


@dataclass(frozen=True)
class Progress:
    """One look at a :class:`Startup`: read once, so its parts agree with each other."""

    phase: str
    done: int = 0  # passages of the bundled report embedded, while "indexing"
    total: int = 0
    error: str = ""  # one line, when "failed"
    seconds: float = 0.0  # since the preparation began (until it ended)


class Startup:
    """Where the preparation stands: written by the thread preparing, read by the page.

    >>> s = Startup()
    >>> s.indexing(40, 87); s.status("en")
    'Indexing the bundled report: 40/87 passages'
    >>> s.finish(); s.ready, s.status("en")
    (True, '')
    """

    def __init__(self, phase: str = "starting"):
        self._lock = threading.Lock()
        self._t0 = time.perf_counter()
        self._now = Progress(phase)

    def _set(self, phase: str, **parts) -> None:
        with self._lock:
            if self._now.phase in ("ready", "failed"):
                return  # final: a late progress call changes nothing
            self._now = Progress(phase, seconds=time.perf_counter() - self._t0, **parts)

    def model(self, converting: bool) -> None:
        self._set("converting" if converting else "loading")

    def indexing(self, done: int, total: int) -> None:
        # The last passage embedded: what remains is warming the keyword index up.
        self._set("warming" if total and done >= total else "indexing", done=done, total=total)

    def finish(self) -> None:
        self._set("ready")

    def fail(self, error: str) -> None:
        self._set("failed", error=" ".join(error.split()))

    @property
    def now(self) -> Progress:
        with self._lock:
            now = self._now
        if now.phase in ("ready", "failed"):
            return now
        return Progress(now.phase, now.done, now.total, now.error, time.perf_counter() - self._t0)

    @property
    def ready(self) -> bool:
        return self.now.phase == "ready"

    @property
    def failed(self) -> bool:
        return self.now.phase == "failed"

    def status(self, lang: str = "en") -> str:
        """The status line in ``lang``: "" once ready, the error once failed."""
        now = self.now
        if now.phase == "ready":
            return ""
        if now.phase == "failed":
            return t(lang, "prepare_failed", message=now.error)
        if now.phase == "indexing":
            return t(lang, "prepare_indexing", done=now.done, total=now.total)
        return t(lang, f"prepare_{now.phase}")


class Ticker:
    """Status lines on stderr, and a repeat of the current one every HEARTBEAT seconds."""

    def __init__(self, status: str):
        self.t0 = time.perf_counter()
        self.status, self.said = status, 0.0
        self._lock, self._stop = threading.Lock(), threading.Event()

    def say(self, text: str) -> None:
        with self._lock:
            self.said = time.monotonic()
            print(f"reportbot: {text}", file=sys.stderr, flush=True)

    def start(self) -> Ticker:
        if self.status:  # else the first status set says itself
            self.say(self.status)
        threading.Thread(target=self._beat, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def __enter__(self) -> Ticker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT / 4):
            if time.monotonic() - self.said >= HEARTBEAT:
                self.say(f"{self.status} ({time.perf_counter() - self.t0:.0f} s)")


def prepare_with_progress(startup: Startup | None = None, ticker: Ticker | None = None) -> None:
    """Prepare the model and the index; ``startup`` and the terminal follow each step.

    The terminal hears a line at least every HEARTBEAT seconds (``ticker``'s beat, or
    its own), then "ready in N s". Errors are recorded in ``startup`` and raised.
    """
    startup = startup or Startup()
    own = Ticker("") if ticker is None else contextlib.nullcontext(ticker)
    with own as tick:

        def show(loud: bool = True) -> None:
            tick.status = startup.status("en")
            if loud:
                tick.say(tick.status)

        def step(done: int, total: int) -> None:
            before = startup.now.phase
            startup.indexing(done, total)
            # Each new phase at once, then the passages at most once a second.
            show(startup.now.phase != before or time.monotonic() - tick.said >= 1)

        try:
            startup.model(needs_conversion())
            show()
            prepare(step)
            n = len(list_reports())
        except Exception as exc:
            startup.fail(plain_message(exc))
            tick.say(f"preparing failed: {exc}")
            raise
        startup.finish()
        tick.say(f"ready in {time.perf_counter() - tick.t0:.1f} s ({n} report(s) indexed)")


def prepare_in_background(startup: Startup, ticker: Ticker) -> threading.Thread:
    """:func:`prepare_with_progress` in a daemon thread; ``ticker`` (started by the
    caller, so the terminal heard of the server meanwhile) stops when it ends."""

    def run() -> None:
        try:
            prepare_with_progress(startup, ticker)
        except ReportBotError:
            pass  # recorded in startup and said in the terminal: the page shows it
        except Exception:  # noqa: BLE001 - a bug: its traceback, and the page says so
            log.exception("preparing failed")
        finally:
            ticker.stop()

    thread = threading.Thread(target=run, name="reportbot-prepare", daemon=True)
    thread.start()
    return thread
