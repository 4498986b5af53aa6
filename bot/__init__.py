"""reportbot's public API: ask questions about indexed reports, get quoted answers.

>>> from bot import ask
>>> answer = ask("What was the revenue in the first half?")
>>> answer.text, answer.citations[0].quote
"""

from bot import normalize, numbers, terms
from bot.answer import Citation
from bot.ask import Answer, ask
from bot.chats import Chat, Turn, get_chats
from bot.chats import markdown as chat_markdown
from bot.library import get_library
from index.errors import ReportBotError


def index_reports(paths, progress=None):
    """Index report files; unchanged ones cost nothing. Returns one IndexResult each.

    ``progress(done, total)`` is called as embeddings are computed. Every file is checked
    before anything is written, so a bad file leaves the index as it was.
    """
    return get_library().index_paths(paths, progress)


def index_upload(path, name, owner="", progress=None, waiting=None):
    """Index an uploaded file as report ``name`` (or ``name (2)``…) of ``owner``.

    ``owner`` is the logged-in user ("" without a login: the report is shared). The
    file waits for its turn (``waiting(place)`` is told its place in line, 1 = next),
    counts against the owner's quota (``QuotaError``), and is not indexed again when a
    report the owner sees holds the same text. Returns an ``Upload``.
    """
    return get_library().index_upload(path, name, owner, progress, waiting)


def list_reports(user=None):
    """The indexed reports (``ReportInfo``: name, sha256, chars, sentences, chunks, owner).

    ``user``: a logged-in user sees the shared reports and their own; None (no login)
    sees all.
    """
    library = get_library()
    library.ensure_default()
    return library.reports(user)


def report_text(name: str, user=None) -> str:
    """The full text of an indexed report: the text every citation offset refers to."""
    return get_library().report_text(name, user)


def report_pages(name: str) -> tuple[int, ...]:
    """Where each page of report ``name`` begins in :func:`report_text` (PDFs); ``()``
    for a report without pages. ``Citation.page`` is the page a quote begins on."""
    return get_library().pages(name)


def example_questions(name: str, wait: bool = True) -> list[str]:
    """A few questions the bot answers from report ``name``, formed from its own key
    sentences; computed once per report content (``wait=False``: in the background,
    none until then). Raises ``ReportBotError`` when ``name`` is not indexed."""
    from bot.examples import example_questions as questions

    return questions(name, wait=wait)


def remove_report(name: str, user=None) -> bool:
    """Drop a report from the index; False when it was not there (or is another user's).

    A logged-in ``user`` removes only their own uploads (``NotYoursError`` for a shared
    report).
    """
    return get_library().remove(name, user)


def reindex_report(name: str, path, user=None):
    """Read report ``name`` again from its file ``path``; returns its ``IndexResult``."""
    return get_library().reindex(name, path, user)


def needs_conversion() -> bool:
    """Whether preparing converts the bundled model first (the first start only)."""
    from index.embed import needs_conversion as needed

    return needed(get_library().settings)


def prepare(progress=None) -> None:
    """Load the model and index the default report now instead of on the first question."""
    library = get_library()
    library.load_model()
    library.ensure_default(progress)
    library.embedder  # noqa: B018 - waits for the model
    library.retriever.query("warm up")  # builds (or reads) the keyword index; the dictionary
    terms.warm()  # and the tagger, tables and numeral reader a first Chinese question needs
    numbers.warm()
    normalize.warm()  # read from the cache, the keyword index folded no Chinese text


__all__ = [
    "ask",
    "Answer",
    "Citation",
    "ReportBotError",
    "index_reports",
    "list_reports",
    "report_text",
    "report_pages",
    "example_questions",
    "remove_report",
    "reindex_report",
    "index_upload",
    "prepare",
    "needs_conversion",
    "get_chats",
    "chat_markdown",
    "Chat",
    "Turn",
]
