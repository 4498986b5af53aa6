import os
import time

from index.cleanup import AGE, remove_leftovers


def test_only_stale_leftovers_are_removed(tmp_path):
    data, temp = tmp_path / "data", tmp_path / "tmp"
    (data / "models" / "e5").mkdir(parents=True)
    old_model = data / "models" / ".e5.tmp-abc"
    new_model = data / "models" / ".e5.tmp-def"
    upload = temp / "reportbot-upload-x1"
    other = temp / "someone-elses"
    for path in (old_model, new_model, upload, other):
        path.mkdir(parents=True)
        (path / "f").write_bytes(b"x")
    past = time.time() - AGE - 60
    for path in (old_model, upload, other):
        os.utime(path, (past, past))
    removed = remove_leftovers(data, temp)
    assert sorted(removed) == sorted([old_model, upload])
    assert new_model.exists() and other.exists() and (data / "models" / "e5").exists()


def test_a_private_temp_folder_outlives_nothing_but_its_process(tmp_path):
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from index.cleanup import private_temp

    data = tmp_path / "data"
    code = (
        "import sys, time; from pathlib import Path; from index.cleanup import private_temp;"
        "d = private_temp(Path(sys.argv[1])); (d / 'upload.pdf').write_bytes(b'x');"
        "print(d, flush=True); time.sleep(60)"
    )
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(data)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    try:
        theirs = Path(child.stdout.readline().strip())
        mine = private_temp(data)  # another process starting: the live one's folder stays
        assert (theirs / "upload.pdf").exists() and mine.exists() and mine != theirs
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    again = private_temp(data)  # the next start: the killed one's leftovers are gone
    assert not theirs.exists() and mine.exists() and again.exists()
