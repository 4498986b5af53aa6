"""Library.index_folder: a folder kept in step with the index, computing only what is new.

The real embedded Chroma with the word-hash ``FakeEmbedder`` (counts what it embeds).
"""

import pytest

from bot.library import get_library
from index.errors import ReportError
from index.settings import Settings
from index.store import Store
from tests.conftest import FakeEmbedder


@pytest.fixture
def library(tmp_path, monkeypatch):
    fake = FakeEmbedder()
    monkeypatch.setattr("bot.library.get_embedder", lambda settings: fake)
    settings = Settings.from_env(
        {
            "REPORTBOT_DATA_DIR": str(tmp_path / "data"),
            "REPORTBOT_EMBED_MODEL": "fake",
            "REPORTBOT_DEFAULT_REPORT": "0",
        }
    )
    lib = get_library(settings)
    lib.fake = fake
    return lib


@pytest.fixture
def shelf(tmp_path):
    root = tmp_path / "shelf"
    (root / "sub").mkdir(parents=True)
    (root / "a.md").write_text("Alpha grew 5%. Beta fell.\n", encoding="utf-8")
    (root / "b.txt").write_text("营收增长14%。利润下降。\n", encoding="utf-8")
    (root / "sub" / "a.md").write_text("A different a.md in a subfolder.\n", encoding="utf-8")
    (root / "notes.bin").write_bytes(b"\x00\x01 not a report type, ignored")
    return root


def names(library) -> list[str]:
    return [r.name for r in library.reports()]


def test_first_run_indexes_every_report_named_by_its_path_in_the_folder(library, shelf):
    out = library.index_folder(shelf)
    assert [r.name for r in out.results] == ["a.md", "b.txt", "sub/a.md"]
    assert names(library) == ["a.md", "b.txt", "sub/a.md"]
    assert sum(r.embedded for r in out.results) == library.fake.embedded > 0
    assert out.removed == []
    texts = {r.source: r.text for r in library.store.records("sentence")}
    assert texts["sub/a.md"] == "A different a.md in a subfolder."


def test_second_run_computes_nothing(library, shelf):
    library.index_folder(shelf)
    before = library.fake.embedded
    out = library.index_folder(shelf)
    assert all(r.unchanged for r in out.results) and library.fake.embedded == before
    assert [(r.sentences, r.chunks) for r in out.results] == [(2, 1), (2, 1), (1, 1)]


def test_changed_new_and_removed_files(library, shelf, tmp_path):
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("Indexed on its own, not from the shelf.\n", encoding="utf-8")
    library.index_paths([elsewhere])
    library.index_folder(shelf)
    before = library.fake.embedded

    (shelf / "a.md").write_text("Alpha grew 5%. Gamma rose.\n", encoding="utf-8")  # 1 new sentence
    (shelf / "c.md").write_text("Brand new.\n", encoding="utf-8")  # 1 sentence
    (shelf / "b.txt").unlink()
    out = library.index_folder(shelf)

    by_name = {r.name: r for r in out.results}
    assert not by_name["a.md"].unchanged and by_name["a.md"].embedded == 2  # sentence + chunk
    assert by_name["c.md"].embedded == 2 and by_name["sub/a.md"].unchanged
    assert library.fake.embedded - before == 4
    assert out.removed == ["b.txt"]
    assert names(library) == ["a.md", "c.md", "elsewhere.md", "sub/a.md"]
    assert all(r.source != "b.txt" for r in library.store.records("sentence"))


def test_a_moved_folder_costs_nothing_and_removals_follow_it(library, shelf, tmp_path):
    library.index_folder(shelf)
    before = library.fake.embedded
    moved = shelf.rename(tmp_path / "moved")
    assert all(r.unchanged for r in library.index_folder(moved).results)
    assert library.fake.embedded == before
    (moved / "b.txt").unlink()
    assert library.index_folder(moved).removed == ["b.txt"]


def test_a_bad_file_changes_nothing(library, shelf):
    library.index_folder(shelf)
    (shelf / "a.md").write_text("Alpha changed.\n", encoding="utf-8")
    (shelf / "broken.txt").write_bytes(b"\xff\xfe bad utf-8")
    with pytest.raises(ReportError, match="broken.txt"):
        library.index_folder(shelf)
    assert library.store.report_text("a.md") == "Alpha grew 5%. Beta fell.\n"


def test_progress_counts_files(library, shelf):
    seen = []
    library.index_folder(shelf, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3) and {t for _, t in seen} == {3}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_not_a_folder(library, shelf):
    with pytest.raises(ReportError, match="is not a folder"):
        library.index_folder(shelf / "a.md")


def test_texts_are_saved_and_a_damaged_index_is_rebuilt_from_them(library, shelf):
    from index import saved
    from index.errors import DamagedIndexError

    library.index_folder(shelf)
    data = library.settings.data_dir
    kept = {r.name: r for r in saved.saved(data)}
    assert set(kept) == {"a.md", "b.txt", "sub/a.md"}
    assert kept["b.txt"].original == (shelf / "b.txt").read_bytes()
    assert kept["b.txt"].text == library.store.report_text("b.txt")

    db = library.settings.index_dir / "chroma.sqlite3"
    db.write_bytes(b"")  # truncated to zero: not a new, empty index
    with pytest.raises(DamagedIndexError, match=r"\(chroma.sqlite3 is empty\); run `reportbot"):
        Store(library.settings, None)
    results = library.rebuild()
    assert sorted(r.name for r in results) == ["a.md", "b.txt", "sub/a.md"]
    assert library.store.report_text("b.txt") == kept["b.txt"].text
    assert {r.sha256 for r in library.reports()} == {r.sha256 for r in kept.values()}

    library.remove("a.md")
    assert "a.md" not in {r.name for r in saved.saved(data)}


def test_an_emptied_index_beside_saved_reports_is_reported(library, shelf, tmp_path):
    from index.errors import DamagedIndexError

    library.index_folder(shelf)
    settings = Settings.from_env(
        {
            "REPORTBOT_DATA_DIR": str(library.settings.data_dir),
            "REPORTBOT_EMBED_MODEL": "fake",
            "REPORTBOT_DEFAULT_REPORT": "1",
            "REPORTBOT_CHUNK_TOKENS": "201",  # another Library over the same folder
        }
    )
    import shutil

    library.store.close()  # as if another process: chromadb caches the folder per process
    shutil.rmtree(settings.index_dir)
    with pytest.raises(DamagedIndexError, match="its reports are gone from it"):
        get_library(settings).ensure_default()


def test_a_report_past_the_embeddings_limit_is_refused_before_embedding(library, tmp_path):
    from dataclasses import replace

    from index.load import report_from_text

    lib = get_library(replace(library.settings, max_report_embeddings=20))
    lib.fake = library.fake
    with pytest.raises(ReportError, match="would need at least 99 embeddings, over the limit"):
        lib.index_report(report_from_text("run.txt", "字" * 40_000))
    with pytest.raises(ReportError, match=r"would need \d+ embeddings, over the limit of 20"):
        lib.index_report(report_from_text("many.txt", "短句。" * 30))
    assert library.fake.embedded == 0
