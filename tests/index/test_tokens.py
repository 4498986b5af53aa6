import socket

import pytest

from index.tokens import counter


def test_real_tiktoken_works_without_network(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    import tiktoken

    count = counter(tmp_path / "cache")
    enc = tiktoken.get_encoding("cl100k_base")
    assert enc.decode(enc.encode("营收603.8亿元")) == "营收603.8亿元"
    assert count("hello world") == 2
    assert tiktoken.get_encoding("o200k_base").encode("hello") == [24912]


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_seeded_files_pass_tiktokens_own_hash_check(tmp_path, name, monkeypatch):
    from tiktoken.load import read_file_cached
    from tiktoken_ext.openai_public import ENCODING_CONSTRUCTORS

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    from index.tokens import seed_cache

    seed_cache(tmp_path)
    assert ENCODING_CONSTRUCTORS[name]()["name"] == name  # loads, hash verified
    assert read_file_cached  # the function tiktoken used
