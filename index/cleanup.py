"""Remove what an interrupted run left behind, once per process start.

- ``models/.<name>.tmp-*`` and ``.old-*``: a model conversion killed midway (225 MB each);
- ``reportbot-upload-*`` in the temporary folder: an upload's working copy, left when
  the UI process was killed while indexing it;
- ``.<file>.*.tmp`` in ``reports/``: a saved text whose write was cut short;
- ``tmp/<pid>-*``: the private temporary folder (:func:`private_temp`) of a process that
  ended, however it ended: the web page's uploads (a rejected one too) land there.

Only leftovers older than ``AGE`` seconds go: another process may be converting or
indexing right now, and its files are young. Failures are ignored (a read-only data
folder keeps its leftovers and still answers). Nothing else is touched.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

AGE = 15 * 60  # seconds; a conversion takes ~10 s, indexing a 20 MB upload minutes
UPLOADS = "reportbot-upload-"


def _stale(path: Path, now: float) -> bool:
    try:
        return now - path.stat().st_mtime > AGE
    except OSError:
        return False


def remove_leftovers(data_dir: Path, temp_dir: Path | None = None) -> list[Path]:
    """Delete stale leftovers; returns what was removed."""
    now = time.time()
    temp_dir = Path(temp_dir or tempfile.gettempdir())
    candidates = [
        *(data_dir / "models").glob(".*.tmp-*"),
        *(data_dir / "models").glob(".*.old-*"),
        *temp_dir.glob(UPLOADS + "*"),
        *(data_dir / "reports").glob(".*.tmp"),
    ]
    removed = []
    for path in candidates:
        if not _stale(path, now):
            continue
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


TEMP = "tmp"
_held: list[int] = []  # the lock files of this process's private folders, kept open


def private_temp(data_dir: Path) -> Path:
    """A new temporary folder for this process under ``data_dir/tmp``, removed at exit.

    Folders there whose process has ended (killed, or the machine stopped) are removed
    first. A live process holds an ``flock`` on its folder's ``.lock`` (the kernel drops
    it when the process dies, however it dies), so a lock that can be taken marks a
    leftover; a folder without one is left alone until it is ``AGE`` old. Raises OSError
    (a read-only data folder: the caller uses the system's temporary folder).
    """
    root = data_dir / TEMP
    root.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for folder in root.iterdir():
        lock = folder / ".lock"
        if lock.exists() and not _taken(lock):
            shutil.rmtree(folder, ignore_errors=True)
        elif not lock.exists() and _stale(folder, now):
            shutil.rmtree(folder, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
    # Locked under a name no other process reads, then renamed: a lock is never seen
    # untaken between its creation and its flock.
    fd = os.open(folder / ".lock.new", os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.rename(folder / ".lock.new", folder / ".lock")
    _held.append(fd)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _taken(lock: Path) -> bool:
    """Does a live process hold ``lock``? (Taking it to find out, then letting go.)"""
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return True  # gone meanwhile, or unreadable: not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing lets go of a lock we took
    return False
