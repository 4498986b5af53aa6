"""Markup for the page: an answer as a chat message, its citations as the sources panel.

Pure functions of what :mod:`bot` returns; no Gradio, no I/O, no ranking. Report text,
questions and file names are untrusted: a report may contain ``<script>``, ``<img
onerror>`` or Markdown links. Gradio's ``gr.HTML`` does not sanitize at all, and the
Chatbot sanitizes but still renders Markdown, so every such string goes through
:func:`text_html`, which escapes HTML and neutralises Markdown syntax, before it is
placed in markup. Only the tags built here reach the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol

from ui.text import t

# One table, one pass: html.escape's five characters, then everything Markdown, Gradio's
# LaTeX ($) or autolinking (:) would interpret, all as numeric entities; newlines as <br>.
_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~$:"}
_ESCAPES[ord("\n")] = "<br>"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n")
_MARKER = re.compile(r"\[(\d{1,2})\]")
# Shown around a quote when its paragraph is long (a PDF page, an unbroken text file).
CONTEXT_CHARS = 500
# The reader shows a longer report this many characters at a time (a page stays light).
READER_CHARS = 300_000


class CitationLike(Protocol):
    source: str
    start: int
    end: int
    quote: str


def text_html(text: str) -> str:
    """``text`` as inert markup: every character that HTML or Markdown would interpret
    becomes a numeric entity (the browser shows it unchanged), newlines become ``<br>``.

    >>> text_html("<b>*x*</b>")
    '&#60;b&#62;&#42;x&#42;&#60;/b&#62;'
    """
    return text.translate(_ESCAPES)


def source_id(turn: int, n: int) -> str:
    """The element id of citation ``n`` of answer ``turn`` in the sources panel."""
    return f"src-{turn}-{n}"


def reader_id(turn: int, n: int) -> str:
    """The element id where citation ``n`` of answer ``turn`` begins in the reader."""
    return f"rd-{turn}-{n}"


def _marker_html(n: int, turn: int) -> str:
    return f'<a class="rb-marker" href="#{source_id(turn, n)}" data-turn="{turn}">[{n}]</a>'


def _lead_html(lead: str, count: int, turn: int) -> str:
    """Escape ``lead`` and link each marker ``[1]`` … ``[count]`` in it."""
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(lead):
        if 1 <= int(m.group(1)) <= count:
            out += [text_html(lead[pos : m.start()]), _marker_html(int(m.group(1)), turn)]
            pos = m.end()
    out.append(text_html(lead[pos:]))
    return "".join(out)


def _linked_markers(text: str, citations: list[CitationLike], turn: int) -> str:
    """Escape ``text`` and turn the marker after each quote into a link to its source.

    The answer reads ``… “quote 1” [1] “quote 2” [2]``; a marker is looked for only after
    its own quote, so a ``[1]`` inside a quoted footnote stays text. Before the first
    quote, an LLM answer has the model's reply, its markers renumbered to the citations:
    they link too. ``text`` may be a prefix of the answer while it streams.
    """
    out: list[str] = []
    pos = 0
    # The quotes come last, each in “”: a reply that copies a quote is still the lead.
    first = text.rfind(f"“{citations[0].quote}”") if citations and citations[0].quote else -1
    if first > 0:
        out.append(_lead_html(text[:first], len(citations), turn))
        pos = first
    for n, citation in enumerate(citations, 1):
        found = text.find(citation.quote, pos) if citation.quote else -1
        after = found + len(citation.quote) if found >= 0 else pos
        marker = text.find(f"[{n}]", after)
        if marker < 0:
            break
        out.append(text_html(text[pos:marker]))
        out.append(_marker_html(n, turn))
        pos = marker + len(f"[{n}]")
    out.append(text_html(text[pos:]))
    return "".join(out)


def answer_html(
    text: str,
    answered: bool,
    citations: list[CitationLike],
    language: str = "en",
    streaming: bool = False,
    turn: int = 0,
) -> str:
    """A chat message for answer number ``turn`` (from 0), or a prefix of it while ``streaming``.

    Grounded answers and "not found" answers get different classes, and "not found"
    a badge, so the two never look alike. A streaming message ends in a caret. Its
    markers link to this answer's own sources (``#src-<turn>-<n>``).
    """
    body = _linked_markers(text, citations, turn)
    if streaming:
        body += '<span class="rb-caret"></span>'
    if answered:
        # The bot leads with the figure or name asked for, then a blank line, the quotes.
        lead, sep, rest = body.partition("<br><br>")
        if sep and rest:
            lead, rest = _bullets(lead), _bullets(rest)
            tag = "div" if "<ul" in lead else "p"
            body = f'<{tag} class="rb-lead">{lead}</{tag}><div class="rb-quotes">{rest}</div>'
        else:
            body = _bullets(body)
        return f'<div class="rb-answer">{body}</div>'
    badge = t(language, "not_found")
    return (
        f'<div class="rb-notfound"><span class="rb-badge">{text_html(badge)}</span>'
        f'<span class="rb-notfound-text">{body}</span></div>'
    )


_ITEM = "&#45; "  # "- " as text_html writes it


def _bullets(html: str) -> str:
    """Runs of two or more lines that start with "- " (a summary's key points, a list's
    items, each with its marker) as a bulleted list; other lines as they were."""
    lines = html.split("<br>")
    if sum(line.startswith(_ITEM) for line in lines) < 2:
        return html
    out: list[str] = []
    items: list[str] = []
    for line in lines + [""]:
        if line.startswith(_ITEM):
            items.append(f"<li>{line[len(_ITEM):]}</li>")
            continue
        if items:
            out.append(f'<ul class="rb-items">{"".join(items)}</ul>')
            items = []
        out.append(line)
    return "<br>".join(x for x in out if x) if out else ""


def question_html(question: str) -> str:
    return f'<div class="rb-question">{text_html(question)}</div>'


def thinking_html(language: str = "en") -> str:
    return f'<div class="rb-thinking">{t(language, "thinking")}</div>'


def sources_pending_html(lang: str = "en") -> str:
    return f'<div class="rb-sources-empty rb-sources-pending">{t(lang, "pending")}</div>'


def status_html(text: str, seconds: float, failed: bool = False) -> str:
    """The page's line while the bot prepares: what it does and for how long; or the error."""
    if failed:
        return f'<div class="rb-status rb-status-failed" role="alert">{text_html(text)}</div>'
    return (
        f'<div class="rb-status" role="status">'
        f'{text_html(text)} <span class="rb-status-time">{seconds:.0f} s</span></div>'
    )


def error_html(message: str) -> str:
    return f'<div class="rb-error">{text_html(message)}</div>'


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int, int]:
    """The blank-line-delimited block(s) of ``text`` holding ``[start, end)``.

    Returns ``(para_start, para_end, number)``; ``number`` counts non-empty blocks from 1.

    >>> paragraph_span("a\\n\\nbb cc\\n\\nd", 5, 7)
    (3, 8, 2)
    """
    para_start, number = 0, 1
    para_end = len(text)
    for sep in _PARAGRAPH_BREAK.finditer(text):
        if sep.end() <= start:
            if text[para_start : sep.start()].strip():
                number += 1
            para_start = sep.end()
        elif sep.start() >= end:
            para_end = sep.start()
            break
    return para_start, para_end, number


def source_html(
    n: int, citation: CitationLike, text: str | None, turn: int = 0, lang: str = "en"
) -> str:
    """One cited passage: its paragraph with the quote marked by the citation's offsets.

    ``text`` is the full report text the offsets index; when it is missing (the report
    was removed since) the quote alone is shown.
    """
    name = text_html(citation.source)
    start, end = citation.start, citation.end
    if text is None or not 0 <= start <= end <= len(text):
        position = t(lang, "gone")
        before, quote, after = "", citation.quote, ""
    else:
        p_start, p_end, number = paragraph_span(text, start, end)
        lead = "…" if start - p_start > CONTEXT_CHARS else ""
        tail = "…" if p_end - end > CONTEXT_CHARS else ""
        p_start, p_end = max(p_start, start - CONTEXT_CHARS), min(p_end, end + CONTEXT_CHARS)
        before = lead + text[p_start:start].lstrip()
        quote = text[start:end]
        after = text[end:p_end].rstrip() + tail
        position = t(lang, "position", p=number, start=f"{start:,}", end=f"{end:,}")
        page = getattr(citation, "page", None)
        if page:
            position = f"{t(lang, 'page', n=page)} · {position}"
    # "Open in report" (and a click on the quote) shows the whole report at this passage.
    opener = "" if text is None else (
        f'<button type="button" class="rb-open" data-target="{reader_id(turn, n)}">'
        f"{t(lang, 'open_in_report')}</button>"
    )  # fmt: skip
    return (
        f'<article class="rb-source" id="{source_id(turn, n)}" data-source="{name}" '
        f'data-start="{start}" data-end="{end}">'
        f'<div class="rb-source-head"><span class="rb-num">[{n}]</span> '
        f'<span class="rb-doc">{name}</span> <span class="rb-pos">{position}</span>'
        f"{opener}</div>"
        f'<p class="rb-para">{text_html(before)}<mark class="rb-quote">{text_html(quote)}</mark>'
        f"{text_html(after)}</p></article>"
    )


class TurnLike(Protocol):
    question: str
    answered: bool
    citations: list[CitationLike]


def sources_html(
    turns: list[TurnLike],
    texts: Mapping[str, str],
    lang: str = "en",
    shown: int | None = None,
) -> str:
    """The sources panel: every answer's sources, each answer's in its own section.

    Only section ``shown`` (default: the latest answer's) is visible; clicking a marker
    [n] of any answer shows that answer's section (the page's script). ``texts`` maps
    report name -> full text.
    """
    if not turns:
        return f'<div class="rb-sources-empty">{t(lang, "sources_empty")}</div>'
    shown = len(turns) - 1 if shown is None else shown
    sections = []
    for k, turn in enumerate(turns):
        title = t(lang, "source_of", n=k + 1, question="")
        head = f'<h3 class="rb-turn-title">{text_html(title)}{text_html(turn.question)}</h3>'
        if turn.citations:
            body = "".join(
                source_html(n, c, texts.get(c.source), k, lang)
                for n, c in enumerate(turn.citations, 1)
            )
        else:
            note = t(lang, "sources_none")
            body = f'<div class="rb-sources-empty rb-sources-none">{note}</div>'
        hidden = "" if k == shown else " hidden"
        sections.append(f'<section class="rb-turn" data-turn="{k}"{hidden}>{head}{body}</section>')
    return f'<div class="rb-sources">{"".join(sections)}</div>'


def reader_html(
    name: str,
    text: str,
    turns: list[TurnLike],
    pages: tuple[int, ...] = (),
    lang: str = "en",
    focus: tuple[int, int] | None = None,
    limit: int = READER_CHARS,
) -> str:
    """The whole report ``name`` as escaped text, every span the chat cites marked.

    Each marked span carries the citations covering it (``data-cites="<turn>-<n> …"``);
    each citation's start has an anchor ``#rd-<turn>-<n>``, and each page of a paged
    report (``pages``: start offsets) a divider. A report over ``limit`` characters
    is shown ``limit`` characters at a time, around the citation ``focus`` (turn, n)
    or else the first one cited, with a note saying which part this is.
    """
    cites = [
        (k, n, c.start, c.end, getattr(c, "page", None))
        for k, turn in enumerate(turns)
        for n, c in enumerate(turn.citations, 1)
        if c.source == name and 0 <= c.start < c.end <= len(text)
    ]
    lo, hi = 0, len(text)
    if hi > limit:
        at = next((c[2] for c in cites if focus == (c[0], c[1])), cites[0][2] if cites else 0)
        lo = max(0, min(at - limit // 3, hi - limit))
        hi = lo + limit
    cuts = {lo, hi} | {x for c in cites for x in c[2:4] if lo < x < hi}
    cuts |= {p for p in pages if lo < p < hi}
    starts = {}
    for k, n, start, _, _ in cites:
        starts.setdefault(max(start, lo), []).append(reader_id(k, n))
    page_of = {p: i for i, p in enumerate(pages, 1)}  # the last of equal starts: a page with text
    out: list[str] = []
    bounds = sorted(cuts)
    for a, b in zip(bounds, bounds[1:]):
        if a in page_of and a > 0:
            label = text_html(t(lang, "page", n=page_of[a]))
            out.append(f'<span class="rb-page" data-label="{label}"></span>')
        out += [f'<span class="rb-anchor" id="{i}"></span>' for i in starts.get(a, [])]
        covering = [c for c in cites if c[2] < b and c[3] > a]
        piece = text_html(text[a:b])
        if covering:
            refs = " ".join(f"{k}-{n}" for k, n, *_ in covering)
            title = ", ".join(_cite_label(k, n, page, lang) for k, n, _, _, page in covering)
            piece = f'<mark class="rb-cited" data-cites="{refs}" title="{title}">{piece}</mark>'
        out.append(piece)
    head = t(lang, "reader_head", chars=f"{len(text):,}", n=len({c[:2] for c in cites}))
    if pages:
        head += " · " + t(lang, "reader_pages", n=len(pages))
    if (lo, hi) != (0, len(text)):
        head += " · " + t(lang, "reader_part", lo=f"{lo:,}", hi=f"{hi:,}")
    first = f'<span class="rb-page" data-label="{text_html(t(lang, "page", n=1))}"></span>'
    return (
        f'<div class="rb-reader" data-source="{text_html(name)}">'
        f'<div class="rb-reader-head"><span class="rb-doc">{text_html(name)}</span> '
        f'<span class="rb-pos">{head}</span></div>'
        f'<div class="rb-reader-text">{first if pages and lo == 0 else ""}{"".join(out)}</div>'
        "</div>"
    )


def _cite_label(turn: int, n: int, page: int | None, lang: str) -> str:
    label = t(lang, "reader_cite", n=n, turn=turn + 1)
    return f"{label} · {t(lang, 'page', n=page)}" if page else label


def reader_empty_html(lang: str = "en") -> str:
    return f'<div class="rb-sources-empty">{t(lang, "reader_empty")}</div>'


class ReportLike(Protocol):
    name: str
    chars: int
    sentences: int
    chunks: int
    path: str


def reports_html(reports: Iterable[ReportLike], lang: str = "en") -> str:
    """The indexed reports as a small table: name, size, chunks, and the file it came from."""
    rows = "".join(
        f"<tr><td>{text_html(r.name)}</td><td>{r.chars:,}</td><td>{r.chunks:,}</td>"
        f"<td>{text_html(r.path.rsplit('/', 1)[-1] if r.path else '—')}</td></tr>"
        for r in reports
    )
    if not rows:
        return f'<div class="rb-sources-empty">{t(lang, "no_reports")}</div>'
    heads = "".join(f"<th>{t(lang, k)}</th>" for k in ("col_report", "col_size", "col_chunks"))
    return (
        f'<table class="rb-reports"><thead><tr>{heads}<th>{t(lang, "col_file")}</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def notices_html(notices: Iterable[tuple[str, str]]) -> str:
    """Upload outcomes: ``(kind, message)`` with kind ``ok``, ``same`` or ``error``."""
    items = "".join(
        f'<li class="rb-notice rb-notice-{kind}">{text_html(message)}</li>'
        for kind, message in notices
    )
    return f'<ul class="rb-notices">{items}</ul>' if items else ""
