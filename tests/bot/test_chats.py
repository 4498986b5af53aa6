"""bot.chats: saved conversations in SQLite, per user, with citations and feedback."""

from __future__ import annotations

from bot import Citation, Turn, chat_markdown, get_chats


def turn(question: str, quote: str = "Alpha rose 5%.", start: int = 10) -> Turn:
    c = Citation("notes.md", start, start + len(quote), quote, 0.9)
    return Turn(question, f"5%\n\nFrom the report: “{quote}” [1]", True, "en", [c])


def test_a_chat_keeps_its_turns_citations_scope_and_title():
    chats = get_chats()
    chat = chats.create("alice", scope=["notes.md"])
    assert chats.add_turn(chat.id, "alice", turn("How much did alpha rise?")) == 0
    assert chats.add_turn(chat.id, "alice", turn("And beta?", "Beta fell 3%.", 40)) == 1
    saved = chats.get(chat.id, "alice")
    assert saved.title == "How much did alpha rise?" and saved.scope == ["notes.md"]
    assert [t.question for t in saved.turns] == ["How much did alpha rise?", "And beta?"]
    assert saved.turns[1].citations[0] == Citation("notes.md", 40, 53, "Beta fell 3%.", 0.9)

    chats.rename(chat.id, "alice", "  Alpha and beta  ")
    chats.set_scope(chat.id, "alice", [])
    again = chats.get(chat.id, "alice")
    assert again.title == "Alpha and beta" and again.scope == []


def test_chats_belong_to_their_user():
    chats = get_chats()
    mine = chats.create("alice")
    chats.add_turn(mine.id, "alice", turn("q?"))
    assert chats.get(mine.id, "bob") is None
    assert [c.id for c in chats.list("alice")] == [mine.id] and chats.list("bob") == []
    assert chats.delete(mine.id, "bob") is False and chats.delete(mine.id, "alice") is True
    assert chats.get(mine.id, "alice") is None and chats.list("alice") == []


def test_feedback_is_stored_and_exported_with_the_answer():
    chats = get_chats()
    chat = chats.create("")
    chats.add_turn(chat.id, "", turn("How much did alpha rise?"))
    chats.add_turn(chat.id, "", turn("unrated?"))
    assert chats.set_feedback(chat.id, "", 0, 1) and not chats.set_feedback(chat.id, "", 5, 1)
    assert not chats.set_feedback(chat.id, "mallory", 1, -1)
    (item,) = chats.feedback()
    assert item["question"] == "How much did alpha rise?" and item["feedback"] == 1
    assert item["citations"][0]["start"] == 10 and item["citations"][0]["quote"] == "Alpha rose 5%."
    assert chats.get(chat.id, "").turns[0].feedback == 1


def test_markdown_export_has_each_quote_with_its_offsets():
    chats = get_chats()
    chat = chats.create("", scope=["notes.md"])
    chats.add_turn(chat.id, "", turn("How much did alpha rise?"))
    md = chat_markdown(chats.get(chat.id, ""))
    assert md.startswith("# How much did alpha rise?")
    assert "Reports: notes.md" in md and "## How much did alpha rise?" in md
    assert "[1] notes.md, characters [10, 24):" in md and "> Alpha rose 5%." in md
