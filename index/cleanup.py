"""Remove what an interrupted run left behind, once per process start.

- ``models/.<name>.tmp-*`` and ``.old-*``: a model conversion killed midway (225 MB each);
- ``reportbot-upload-*`` in the temporary folder: an upload's working copy, left when
  the UI process was killed while indexing it;
- ``.<file>.*.tmp`` in ``reports/``: a saved text whose write was cut short.

Only leftovers older than ``AGE`` seconds go: another process may be converting or
indexing right now, and its files are young. Failures are ignored (a read-only data
folder keeps its leftovers and still answers). Nothing else is touched.
"""

from __future__ import annotations

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
