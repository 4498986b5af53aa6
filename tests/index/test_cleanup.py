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
