"""reportbot's public API: ask questions about indexed reports, get quoted answers.

>>> from bot import ask
>>> answer = ask("What was the revenue in the first half?")
>>> answer.text, answer.citations[0].quote
"""

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


def list_reports():
    """The indexed reports (``ReportInfo``: name, sha256, chars, sentences, chunks)."""
    library = get_library()
    library.ensure_default()
    return library.reports()


def report_text(name: str) -> str:
    """The full text of an indexed report: the text every citation offset refers to."""
    return get_library().store.report_text(name)


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


def remove_report(name: str) -> bool:
    """Drop a report from the index; False when it was not there."""
    return get_library().remove(name)


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
    library.retriever.query("warm up")  # builds the keyword index and the dictionary


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
    "prepare",
    "needs_conversion",
    "get_chats",
    "chat_markdown",
    "Chat",
    "Turn",
]
