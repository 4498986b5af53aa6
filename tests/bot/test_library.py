"""Library.index_folder: a folder kept in step with the index, computing only what is new.

The real embedded Chroma with the word-hash ``FakeEmbedder`` (counts what it embeds).
"""

import pytest

from bot.library import get_library
from index.errors import ReportError, StoreError
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


# --- owners: with a login, each user's uploads are theirs -----------------------------


@pytest.fixture
def uploads(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    (folder / "plan.md").write_text(
        "Alice's plan: the Oslo depot opens in May.\n", encoding="utf-8"
    )
    (folder / "ships.md").write_text("Bob's fleet has 12 ships.\n", encoding="utf-8")
    return folder


def test_a_users_uploads_are_seen_and_changed_by_that_user_alone(library, shelf, uploads):
    from index.errors import NotYoursError, UnknownReportError

    library.index_paths([shelf / "a.md"])  # from the command line: shared
    plan = library.index_upload(uploads / "plan.md", "plan.md", owner="alice")
    assert plan.name == "plan.md" and not plan.same
    library.index_upload(uploads / "ships.md", "ships.md", owner="bob")

    assert [r.name for r in library.reports("alice")] == ["a.md", "plan.md"]
    assert [r.name for r in library.reports("bob")] == ["a.md", "ships.md"]
    assert [r.name for r in library.reports("")] == ["a.md"]  # nobody logged in yet
    assert names(library) == ["a.md", "plan.md", "ships.md"]  # no login: everything
    assert {r.name: r.owner for r in library.reports()}["plan.md"] == "alice"

    # A question's scope: the shared reports and the user's own, never another's.
    assert library.check_sources(None, "bob") == ["a.md", "ships.md"]
    with pytest.raises(UnknownReportError) as err:
        library.check_sources(["plan.md"], "bob")
    assert str(err.value) == "unknown report(s): plan.md (indexed: a.md, ships.md)"
    with pytest.raises(StoreError, match="'plan.md' is not in the index"):
        library.report_text("plan.md", "bob")
    assert library.report_text("plan.md", "alice").startswith("Alice's plan")

    assert library.remove("plan.md", "bob") is False  # as if it were not there
    with pytest.raises(NotYoursError, match="a.md is shared with every user"):
        library.remove("a.md", "bob")
    with pytest.raises(NotYoursError):
        library.reindex("a.md", shelf / "a.md", "bob")
    assert names(library) == ["a.md", "plan.md", "ships.md"]
    assert library.remove("plan.md", "alice") is True
    assert names(library) == ["a.md", "ships.md"]


def test_the_same_file_uploaded_by_two_users_is_each_ones_own(library, uploads):
    first = library.index_upload(uploads / "plan.md", "plan.md", owner="alice")
    again = library.index_upload(uploads / "plan.md", "plan.md", owner="alice")
    assert (again.name, again.same) == ("plan.md", True)  # her own text: not indexed twice
    bobs = library.index_upload(uploads / "plan.md", "plan.md", owner="bob")
    # Bob gets his own copy (names are unique: citations name their report).
    assert (bobs.name, bobs.same) == ("plan (2).md", False) and first.name == "plan.md"
    assert [r.name for r in library.reports("bob")] == ["plan (2).md"]
    library.remove("plan.md", "alice")
    assert [r.name for r in library.reports("bob")] == ["plan (2).md"]
    # Without a login one local user owns everything: the same text is found as it was.
    shared = library.index_upload(uploads / "plan.md", "plan.md")
    assert (shared.name, shared.same) == ("plan (2).md", True)


def test_owners_survive_a_rebuild(library, uploads):
    library.index_upload(uploads / "plan.md", "plan.md", owner="alice")
    library.rebuild()
    assert [(r.name, r.owner) for r in library.reports()] == [("plan.md", "alice")]


def test_an_upload_past_the_users_quota_is_refused_before_reading(library, uploads, tmp_path):
    from dataclasses import replace

    from index.errors import QuotaError

    lib = get_library(replace(library.settings, ui_quota_mb=0.0001))  # 104 bytes
    library.fake.embedded = 0
    lib.index_upload(uploads / "plan.md", "plan.md", owner="alice")
    big = tmp_path / "big.md"
    big.write_text("Enough bytes of text to push alice over her quota of 104 bytes.\n")
    with pytest.raises(QuotaError) as err:
        lib.index_upload(big, "big.md", owner="alice")
    assert str(err.value) == (
        "0.1 KB more would take your reports to 0.1 KB, over your quota of 0.0001 MB "
        "(REPORTBOT_UI_QUOTA_MB); remove one of yours first"
    )
    sizes = ((uploads / "plan.md").stat().st_size, big.stat().st_size)
    assert (err.value.used, err.value.adding) == sizes and sum(sizes) > 104
    lib.index_upload(big, "big.md", owner="bob")  # a quota is per user
    other = tmp_path / "other.md"
    other.write_text("Without a login there is no quota. " * 10, encoding="utf-8")
    lib.index_upload(other, "other.md")
    assert [r.name for r in lib.reports("alice")] == ["other.md", "plan.md"]


def test_uploads_wait_in_line_and_hear_their_place(library):
    import threading

    from bot.library import Line

    line, events, release = Line(1), [], threading.Event()
    started = threading.Event()

    def first() -> None:
        with line.turn():
            started.set()
            release.wait(10)
            events.append("first done")

    def later(name: str) -> None:
        with line.turn(lambda place: events.append(f"{name} {place}")):
            events.append(f"{name} runs")
            for _ in range(500):  # b works until c, next now, has heard so
                if name == "c" or "c 1" in events:
                    break
                threading.Event().wait(0.01)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    started.wait(10)
    for name in ("b", "c"):
        threads.append(threading.Thread(target=later, args=(name,)))
        threads[-1].start()
        while f"{name} {len(threads) - 1}" not in events:  # each has said its place
            threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert events[:3] == ["b 1", "c 2", "first done"]  # in line behind the running one
    # Then b runs and c, next now, hears it (in whichever order the threads get there).
    assert sorted(events[3:]) == ["b runs", "c 1", "c runs"] and events[-1] == "c runs"


def test_a_later_process_reads_the_keyword_side_of_the_index_as_it_is_now(library, shelf):
    """The keyword side is kept on disk per index version (bot.cache): a later process
    reads it instead of the records, and any change to the index makes it build anew."""
    from bot.library import Library

    def later(records_read: bool):
        lib = Library(library.settings)  # what a fresh `reportbot ask` builds
        if not records_read:
            lib.store.records = lambda *a, **k: pytest.fail("read the records again")
        lib.retriever.query("alpha")
        return lib.retriever

    def texts(retriever) -> set[str]:
        return {r.text for r in retriever.sentences.records}

    library.index_folder(shelf)
    library.retriever.query("alpha")  # built and kept
    assert texts(later(records_read=False)) == {r.text for r in library.store.records("sentence")}

    (shelf / "a.md").write_text("Alpha grew 7%. Beta fell.\n", encoding="utf-8")  # re-indexed
    library.index_folder(shelf)
    assert "Alpha grew 7%." in texts(later(records_read=True))
    assert "Alpha grew 7%." in texts(later(records_read=False))

    library.remove("b.txt")  # removed
    assert "营收增长14%。" not in texts(later(records_read=True))
    assert "营收增长14%。" not in texts(later(records_read=False))

    extra = shelf.parent / "extra.md"
    extra.write_text("Gamma rose.\n", encoding="utf-8")
    library.index_paths([extra])  # added
    assert "Gamma rose." in texts(later(records_read=True))
    assert "Gamma rose." in texts(later(records_read=False))
