"""The page's functions over Gradio's API, as a gradio_client user calls them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.conftest import Server

pytestmark = pytest.mark.slow
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
gradio_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def client(server):
    return gradio_client.Client(server.url, verbose=False, analytics_enabled=False)


def test_only_the_documented_endpoints_are_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask", "/reports", "/report_text", "/index_reports"}


def test_ask_returns_answer_and_exact_citations(client):
    result = client.predict("How much did UAX lift ARPU?", api_name="/ask")
    assert result["answered"] and "196%" in result["answer"]
    assert result["citations"], result
    for c in result["citations"]:
        text = client.predict(c["source"], api_name="/report_text")
        assert text[c["start"] : c["end"]] == c["quote"]


def test_ask_with_history_and_scope(client):
    first = client.predict("快手上半年营收多少?", api_name="/ask")
    follow = client.predict(
        "同比增长多少?",
        [[first["question"], first["answer"]]],
        ["kuaishou-2024h1.txt"],
        api_name="/ask",
    )
    assert "14%" in follow["answer"]
    refusal = client.predict("What is the stock price of Kuaishou?", api_name="/ask")
    assert refusal["answered"] is False and refusal["citations"] == []


def test_errors_come_back_as_messages(client):
    with pytest.raises(gradio_client.exceptions.AppError, match="unknown report"):
        client.predict("anything", None, ["no-such-report.txt"], api_name="/ask")
    with pytest.raises(gradio_client.exceptions.AppError, match="question is empty"):
        client.predict("  ", api_name="/ask")
    with pytest.raises(gradio_client.exceptions.AppError, match="unknown mode 'fast'"):
        client.predict("快手上半年营收多少?", mode="fast", api_name="/ask")


def test_mode_defaults_to_extractive_without_a_model_server(client):
    params = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/ask"]
    mode = next(p for p in params["parameters"] if p["parameter_name"] == "mode")
    assert mode["parameter_has_default"] and mode["parameter_default"] is None
    result = client.predict("快手上半年营收多少?", api_name="/ask")
    assert result["mode"] == "extractive" and result["llm"] is None
    with pytest.raises(gradio_client.exceptions.AppError, match="REPORTBOT_LLM_BASE_URL"):
        client.predict("快手上半年营收多少?", mode="llm", api_name="/ask")


def test_index_reports_then_list_them(client, tmp_path):
    report = tmp_path / "api-report.txt"
    report.write_text("The Turku plant made 4,321 boats in 2024.\n", encoding="utf-8")
    bad = tmp_path / "api-bad.exe"
    bad.write_bytes(b"MZ")
    result = client.predict(
        files=[gradio_client.handle_file(str(report)), gradio_client.handle_file(str(bad))],
        api_name="/index_reports",
    )
    assert result["reports"] == ["api-report.txt"]
    kinds = [n["kind"] for n in result["notices"]]
    assert kinds == ["ok", "error"] and "not supported" in result["notices"][1]["message"]
    names = [r["name"] for r in client.predict(api_name="/reports")]
    assert "api-report.txt" in names and "kuaishou-2024h1.txt" in names
    answer = client.predict(
        question="How many boats did the Turku plant make?",
        reports=["api-report.txt"],
        api_name="/ask",
    )
    assert "4,321" in answer["answer"]
    c = answer["citations"][0]
    text = client.predict(name="api-report.txt", api_name="/report_text")
    assert text[c["start"] : c["end"]] == c["quote"]


def _listening_addresses(port: int) -> set[str]:
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                addresses.add(address)
    return addresses


def test_binds_to_loopback_by_default(server):
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux /proc/net/tcp")
    assert _listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1


def test_login_from_environment(tmp_path):
    env = {"REPORTBOT_UI_AUTH": "ann:s3cret", "REPORTBOT_DEFAULT_REPORT": "0"}
    with Server(tmp_path, **env).start() as srv:
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            gradio_client.Client(srv.url, verbose=False, analytics_enabled=False)
        client = gradio_client.Client(
            srv.url, auth=("ann", "s3cret"), verbose=False, analytics_enabled=False
        )
        assert client.predict(api_name="/reports") == []
        assert "(login required)" in srv.log.read_text()


def test_a_request_body_over_the_limit_is_refused_and_the_server_answers_on(server, client):
    import httpx

    join = f"{server.url}gradio_api/queue/join"
    out = httpx.post(join, content=b"{" + b" " * (5 * 1024 * 1024) + b"}", timeout=60)
    assert out.status_code == 413
    assert out.json()["detail"] == (
        "the request is over this server's limit of 4 MB; start a new chat if this one is very long"
    )
    assert "196%" in client.predict("How much did UAX lift ARPU?", api_name="/ask")["answer"]


# --- several logins: each user's uploads are theirs ------------------------------------


@pytest.fixture(scope="module")
def users_server(tmp_path_factory, indexed_data):
    env = {"REPORTBOT_UI_AUTH": "alice:pw-a,bob:pw-b", "REPORTBOT_UI_QUOTA_MB": "0.001"}
    with Server(tmp_path_factory.mktemp("ui-users"), data=indexed_data, **env).start() as srv:
        yield srv


def _login(srv, user: str, password: str):
    return gradio_client.Client(
        srv.url, auth=(user, password), verbose=False, analytics_enabled=False
    )


def test_bob_neither_sees_nor_gets_answers_from_alices_upload(users_server, tmp_path):
    alice, bob = _login(users_server, "alice", "pw-a"), _login(users_server, "bob", "pw-b")
    report = tmp_path / "depot.txt"
    report.write_text("The Tromso depot stores 7,654 crates.\n", encoding="utf-8")
    question = "How many crates does the Tromso depot store?"

    up = alice.predict(files=[gradio_client.handle_file(str(report))], api_name="/index_reports")
    assert up["reports"] == ["depot.txt"], up
    mine = alice.predict(question=question, api_name="/ask")
    assert "7,654" in mine["answer"] and {c["source"] for c in mine["citations"]} == {"depot.txt"}

    assert [r["name"] for r in bob.predict(api_name="/reports")] == ["kuaishou-2024h1.txt"]
    theirs = bob.predict(question=question, api_name="/ask")
    assert "7,654" not in theirs["answer"]
    assert all(c["source"] == "kuaishou-2024h1.txt" for c in theirs["citations"])
    with pytest.raises(
        gradio_client.exceptions.AppError,
        match=r"unknown report\(s\): depot.txt \(indexed: kuaishou-2024h1.txt\)",
    ):
        bob.predict(question, None, ["depot.txt"], api_name="/ask")
    with pytest.raises(gradio_client.exceptions.AppError, match="'depot.txt' is not in the index"):
        bob.predict(name="depot.txt", api_name="/report_text")

    # Bob uploads the same file: his own copy, under a name of its own.
    his = bob.predict(files=[gradio_client.handle_file(str(report))], api_name="/index_reports")
    assert his["reports"] == ["depot (2).txt"], his
    answer = bob.predict(question=question, api_name="/ask")
    assert "7,654" in answer["answer"]
    assert {c["source"] for c in answer["citations"]} == {"depot (2).txt"}
    names = [r["name"] for r in alice.predict(api_name="/reports")]
    assert names == ["depot.txt", "kuaishou-2024h1.txt"]

    # Past alice's quota (0.001 MB): refused with one line, her report still answers.
    big = tmp_path / "big.txt"
    big.write_text("Filler sentence number one. " * 40, encoding="utf-8")  # 1,120 bytes
    over = alice.predict(files=[gradio_client.handle_file(str(big))], api_name="/index_reports")
    assert over["reports"] == [] and over["notices"] == [
        {
            "kind": "error",
            "message": "big.txt: 1.1 KB more would take your reports to 1.1 KB, over your "
            "quota of 0.001 MB; remove one of yours first.",
        }
    ]
    assert "7,654" in alice.predict(question=question, api_name="/ask")["answer"]
    # Uploads landed in this process's folder inside the data folder (removed at the next
    # start once the process has ended: tests/index/test_cleanup.py), not in /tmp.
    landed = list((users_server.cwd / "data" / "tmp").glob("*/gradio/*/big.txt"))
    assert len(landed) == 1, landed
