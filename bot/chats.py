"""Saved conversations: SQLite (Python's ``sqlite3``) in the data folder.

A chat belongs to one user (the login name, ``""`` without ``--auth``) and keeps its
title, its report scope and its turns. A turn keeps what is needed to show it again
exactly as it was answered: the question, the answer text, whether the report answered,
the language, its citations (report, offsets, quote) and the user's thumbs up/down.

>>> chats = get_chats()
>>> chat = chats.create("alice", scope=["notes.md"])
>>> chats.add_turn(chat.id, "alice", Turn("How many?", "12 [1]", True, "en", []))
0

Deliberately not done: no search across chats, no sharing between users, no storing of
the report text (a citation whose report was removed shows its quote alone).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.answer import Citation
from index.settings import Settings

FILE_NAME = "chats.sqlite3"
TITLE_CHARS = 40

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    answered INTEGER NOT NULL,
    language TEXT NOT NULL,
    citations TEXT NOT NULL,
    feedback INTEGER,
    created REAL NOT NULL,
    PRIMARY KEY (chat_id, n)
);
CREATE INDEX IF NOT EXISTS chats_by_user ON chats (user, updated);
"""


@dataclass
class Turn:
    """One question and its answer as shown; ``feedback`` is 1 (up), -1 (down) or None."""

    question: str
    text: str
    answered: bool
    language: str
    citations: list[Citation]
    feedback: int | None = None


@dataclass
class Chat:
    id: str
    user: str
    title: str
    scope: list[str]
    created: float
    updated: float
    turns: list[Turn] = field(default_factory=list)


class Chats:
    """The saved chats in one SQLite file; every method opens its own connection, so one
    object serves the page's worker threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:  # commits, or rolls back on an error
                yield db
        finally:
            db.close()

    def create(self, user: str, scope: list[str] | None = None, title: str = "") -> Chat:
        now = time.time()
        chat = Chat(uuid.uuid4().hex, user, title, list(scope or []), now, now)
        with self._db() as db:
            db.execute(
                "INSERT INTO chats VALUES (?, ?, ?, ?, ?, ?)",
                (chat.id, user, title, json.dumps(chat.scope), now, now),
            )
        return chat

    def list(self, user: str) -> list[Chat]:
        """The user's chats, the most recently used first (without their turns)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, user, title, scope, created, updated FROM chats "
                "WHERE user = ? ORDER BY updated DESC",
                (user,),
            ).fetchall()
        return [_chat(row) for row in rows]

    def get(self, chat_id: str, user: str) -> Chat | None:
        """The chat with its turns; None when it does not exist or is another user's."""
        with self._db() as db:
            row = db.execute(
                "SELECT id, user, title, scope, created, updated FROM chats "
                "WHERE id = ? AND user = ?",
                (chat_id or "", user),
            ).fetchone()
            if row is None:
                return None
            turns = db.execute(
                "SELECT question, answer, answered, language, citations, feedback FROM turns "
                "WHERE chat_id = ? ORDER BY n",
                (chat_id,),
            ).fetchall()
        chat = _chat(row)
        chat.turns = [_turn(t) for t in turns]
        return chat

    def add_turn(self, chat_id: str, user: str, turn: Turn) -> int:
        """Append ``turn``; returns its index. A chat without a title takes the question."""
        now = time.time()
        cites = json.dumps([asdict(c) for c in turn.citations], ensure_ascii=False)
        with self._db() as db:
            if not self._owns(db, chat_id, user):
                raise KeyError(chat_id)
            (n,) = db.execute("SELECT COUNT(*) FROM turns WHERE chat_id = ?", (chat_id,)).fetchone()
            db.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_id, n, turn.question, turn.text, int(turn.answered), turn.language,
                 cites, turn.feedback, now),
            )  # fmt: skip
            title = _title(turn.question)
            db.execute(
                "UPDATE chats SET updated = ?, title = CASE title WHEN '' THEN ? ELSE title END "
                "WHERE id = ?",
                (now, title, chat_id),
            )
        return n

    def set_scope(self, chat_id: str, user: str, scope: list[str] | None) -> None:
        self._update(chat_id, user, "scope", json.dumps(list(scope or [])))

    def rename(self, chat_id: str, user: str, title: str) -> None:
        self._update(chat_id, user, "title", title.strip()[:200])

    def delete(self, chat_id: str, user: str) -> bool:
        with self._db() as db:
            gone = db.execute("DELETE FROM chats WHERE id = ? AND user = ?", (chat_id, user))
            return gone.rowcount > 0

    def set_feedback(self, chat_id: str, user: str, n: int, value: int | None) -> bool:
        """Thumbs up (1), down (-1) or none (None) for turn ``n``; False if there is none."""
        with self._db() as db:
            if not self._owns(db, chat_id, user):
                return False
            done = db.execute(
                "UPDATE turns SET feedback = ? WHERE chat_id = ? AND n = ?", (value, chat_id, n)
            )
            return done.rowcount > 0

    def feedback(self) -> list[dict]:
        """Every rated turn, for the eval set: user, chat, question, answer, citations."""
        with self._db() as db:
            rows = db.execute(
                "SELECT c.user, c.id, c.scope, t.n, t.question, t.answer, t.answered, "
                "t.language, t.citations, t.feedback, t.created FROM turns t "
                "JOIN chats c ON c.id = t.chat_id WHERE t.feedback IS NOT NULL "
                "ORDER BY t.created"
            ).fetchall()
        keys = ("user", "chat", "scope", "turn", "question", "answer", "answered", "language",
                "citations", "feedback", "time")  # fmt: skip
        out = []
        for row in rows:
            item = dict(zip(keys, row))
            item["scope"] = json.loads(item["scope"])
            item["citations"] = json.loads(item["citations"])
            item["answered"] = bool(item["answered"])
            out.append(item)
        return out

    def _owns(self, db: sqlite3.Connection, chat_id: str, user: str) -> bool:
        found = db.execute("SELECT 1 FROM chats WHERE id = ? AND user = ?", (chat_id, user))
        return found.fetchone() is not None

    def _update(self, chat_id: str, user: str, column: str, value: str) -> None:
        with self._db() as db:
            db.execute(
                f"UPDATE chats SET {column} = ?, updated = ? WHERE id = ? AND user = ?",
                (value, time.time(), chat_id, user),
            )


def markdown(chat: Chat) -> str:
    """The chat as Markdown: each question, its answer, and its quotes with their offsets."""
    scope = ", ".join(chat.scope) if chat.scope else "all reports"
    lines = [f"# {chat.title or 'Chat'}", "", f"Reports: {scope}", ""]
    for turn in chat.turns:
        lines += [f"## {turn.question}", "", turn.text, ""]
        for n, c in enumerate(turn.citations, 1):
            quote = c.quote.replace("\n", " ")
            page = f", page {c.page}" if c.page else ""
            where = f"[{n}] {c.source}{page}, characters [{c.start}, {c.end}):"
            lines += [where, "", f"> {quote}", ""]
    return "\n".join(lines)


def _title(question: str) -> str:
    one_line = " ".join(question.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1] + "…"


def _chat(row: tuple) -> Chat:
    chat_id, user, title, scope, created, updated = row
    return Chat(chat_id, user, title, json.loads(scope), created, updated)


def _turn(row: tuple) -> Turn:
    question, text, answered, language, cites, feedback = row
    citations = [Citation(**c) for c in json.loads(cites)]
    return Turn(question, text, bool(answered), language, citations, feedback)


_chats: dict[Path, Chats] = {}
_lock = threading.Lock()


def get_chats(settings: Settings | None = None) -> Chats:
    """The saved chats of the data folder (``REPORTBOT_DATA_DIR``)."""
    path = (settings or Settings.from_env()).data_dir / FILE_NAME
    with _lock:
        if path not in _chats:
            _chats[path] = Chats(path)
        return _chats[path]
