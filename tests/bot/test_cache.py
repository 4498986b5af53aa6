"""bot.cache: a value comes back only under its own key, whole; anything else is absent."""

from __future__ import annotations

import os

import pytest

from bot import cache

VALUE = {"words": ["营收", "revenue"], "postings": (b"\x01\x02", b"\x03"), "n": 3, "x": 0.5}


def test_a_value_comes_back_under_its_key_only(tmp_path):
    path = tmp_path / "cache" / "table.marshal"  # the folder is made on first save
    assert cache.load(path, "k1") is None
    cache.save(path, "k1", VALUE)
    assert cache.load(path, "k1") == VALUE
    assert cache.load(path, "k2") is None
    cache.save(path, "k2", {"other": 1})  # a new key replaces the file
    assert cache.load(path, "k2") == {"other": 1} and cache.load(path, "k1") is None
    assert [p.name for p in path.parent.iterdir()] == ["table.marshal"]  # no temporary left


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"\x00garbage",
        lambda b: b"",
        lambda b: b[:-3] + bytes([b[-3] ^ 0x01]) + b[-2:],  # one bit of the value flipped
    ],
)
def test_a_damaged_file_is_absent(tmp_path, damage):
    path = tmp_path / "table.marshal"
    cache.save(path, "k", VALUE)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.load(path, "k") is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_skipped(tmp_path):
    tmp_path.chmod(0o500)
    try:
        cache.save(tmp_path / "table.marshal", "k", VALUE)  # no error
        assert cache.load(tmp_path / "table.marshal", "k") is None
    finally:
        tmp_path.chmod(0o700)


def test_a_folder_that_cannot_be_made_is_skipped(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    cache.save(tmp_path / "file" / "table.marshal", "k", VALUE)  # no error
    assert cache.load(tmp_path / "file" / "table.marshal", "k") is None


def test_the_sources_key_follows_the_sources(tmp_path):
    source = tmp_path / "code.py"
    source.write_text("A = 1\n")
    before = cache.sources_key([str(source)], ("json",))
    assert cache.sources_key([str(source)], ("json",)) == before
    source.write_text("A = 2\n")
    assert cache.sources_key([str(source)], ("json",)) != before


def test_unreadable_sources_give_no_key(tmp_path):
    assert cache.sources_key([str(tmp_path / "missing.py")]) is None
    assert cache.sources_key([], ("no_such_package_here",))[2] == (
        ("no_such_package_here", None, None),
    )


def test_a_table_reads_like_the_dict_it_was_saved_from(tmp_path):
    table = {f"词{i}": i for i in range(1000)} | {"": 0, "a b": ("x", "y")}
    cache.save_table(tmp_path / "t.marshal", "k", table, extra=42)
    assert cache.load_table(tmp_path / "t.marshal", "other") is None
    got = cache.load_table(tmp_path / "t.marshal", "k")
    assert got.extra == 42 and got["词7"] == 7 and got.get("a b") == ("x", "y")
    assert "" in got and "词1000" not in got and got.get("词1000", -1) == -1
    assert got == table and len(got) == len(table) and got.whole() == table
    got["new"] = 1  # jieba's add_word writes to its table
    assert got["new"] == 1


def test_a_table_becomes_a_plain_dict_after_heavy_use(tmp_path, monkeypatch):
    cache.save_table(tmp_path / "t.marshal", "k", {str(i): i for i in range(1000)})
    handed = []
    table = cache.load_table(tmp_path / "t.marshal", "k", on_busy=handed.append)
    monkeypatch.setattr(cache.Table, "BUSY", 50)
    assert [table.get(str(i)) for i in range(49)] == list(range(49)) and not handed
    assert table["49"] == 49 and handed == [{str(i): i for i in range(1000)}]
    assert table.get("nope", -1) == -1 and len(handed) == 1
