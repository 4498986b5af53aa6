"""Every string the page shows, in English and Chinese, and plain messages for errors.

The page follows the browser's language (``navigator.language``) until the user picks
one with the switch. Setting names (``REPORTBOT_…``) never reach the page: errors are
reworded by :func:`plain_error`; the full message goes to the log.
"""

from __future__ import annotations

import re

LANGUAGES = {"en": "English", "zh": "中文"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "intro": "Ask about the reports in English or Chinese. Every answer quotes them "
        "exactly; click a marker like <b>[1]</b> to see the quote in its paragraph.",
        "placeholder": "Ask a question below, or pick an example. Answers quote the report; "
        "when it has no answer, the bot says so.",
        "question": "Ask about the reports…",
        "scope": "Reports to ask about",
        "scope_all": "All reports",
        "new_chat": "New chat",
        "chats": "Saved chats",
        "rename": "New name for this chat",
        "rename_btn": "Rename",
        "delete_btn": "Delete chat",
        "export_btn": "Export as Markdown",
        "untitled": "New chat",
        "examples": "Examples",
        "summarize": "Summarize",
        "summarize_question": "Summarize the report",
        "sources": "Sources",
        "llm": "LLM answer (checked against the quotes; falls back to them)",
        "reports_title": "Your reports: upload .txt, .md, .pdf, .docx or .html",
        "upload": "Upload reports",
        "report_pick": "Report",
        "remove_btn": "Remove",
        "reindex_btn": "Re-index",
        "language": "Language",
        "thinking": "Searching the report…",
        "not_found": "Not found in the report",
        "pending": "Finding the quoted passages…",
        "sources_empty": "The passages quoted by an answer appear here, each in its "
        "paragraph. Click a marker like [1] in any answer to see its source.",
        "sources_none": "No passage of the report answers this question, so none is quoted.",
        "source_of": "Sources of answer {n}: {question}",
        "gone": "report no longer indexed",
        "position": "paragraph {p} · characters {start}–{end}",
        "copy": "Copy",
        "copied": "Copied",
        "no_reports": "No report is indexed yet.",
        "col_report": "Report",
        "col_size": "Characters",
        "col_chunks": "Chunks",
        "col_file": "File",
        "indexing": "Indexing {name}",
        "waiting": "Waiting to index {name}: {place} in line",
        "quota": "{adding} more would take your reports to {total}, over your quota of "
        "{limit} MB; remove one of yours first.",
        "not_yours": "{name}: it is shared with every user, so only the server's operator "
        "can remove or re-index it.",
        "removed": "{name}: removed.",
        "not_indexed": "{name}: not indexed.",
        "reindexed": "{name}: re-indexed ({n} passages computed).",
        "uploaded_only": "{name}: it was uploaded in the page, so there is no file to read "
        "again; upload the changed file instead.",
        "too_long": "The question is too long: {n} characters, the limit is {limit}.",
        "empty_q": "The question is empty.",
        "unknown": "These reports are not indexed (any more): {names}.",
        "too_big": "{name}: {mb} MB is over the {limit} MB limit.",
        "error": "Something went wrong: {message}",
        "page": "page {n}",
        "open_in_report": "Open in report",
        "reader_title": "Read a report",
        "reader_pick": "Report to read",
        "reader_empty": "Pick a report to read it whole, or click “Open in report” on a "
        "source: every passage this chat quotes is highlighted.",
        "reader_head": "{chars} characters · {n} passage(s) quoted in this chat",
        "reader_pages": "{n} pages",
        "reader_part": "showing characters {lo}–{hi}",
        "reader_cite": "[{n}] of answer {turn}",
        "prepare_starting": "Starting…",
        "prepare_converting": "Preparing the model (converting it: the first start only)…",
        "prepare_loading": "Preparing the model…",
        "prepare_indexing": "Indexing the bundled report: {done}/{total} passages",
        "prepare_warming": "Almost ready: building the keyword index…",
        "prepare_failed": "The bot could not get ready: {message}",
        "prepare_wait": "Still preparing; ask again once the status above is gone.",
        "prepare_reports": "The reports are listed once the bot is ready.",
    },
    "zh": {
        "intro": "用中文或英文提问。每个回答都逐字引用报告；点击 <b>[1]</b> 这样的标记，"
        "即可在原段落中查看引文。",
        "placeholder": "在下方提问，或点击示例问题。回答引用报告原文；报告中没有答案时会直接说明。",
        "question": "向报告提问…",
        "scope": "提问范围（报告）",
        "scope_all": "全部报告",
        "new_chat": "新对话",
        "chats": "已保存的对话",
        "rename": "对话的新名称",
        "rename_btn": "重命名",
        "delete_btn": "删除对话",
        "export_btn": "导出为 Markdown",
        "untitled": "新对话",
        "examples": "示例问题",
        "summarize": "总结要点",
        "summarize_question": "总结这份报告的要点",
        "sources": "出处",
        "llm": "大模型回答（与引文核对；不符时改用引文）",
        "reports_title": "你的报告：上传 .txt、.md、.pdf、.docx 或 .html",
        "upload": "上传报告",
        "report_pick": "报告",
        "remove_btn": "删除",
        "reindex_btn": "重新索引",
        "language": "语言",
        "thinking": "正在查找报告…",
        "not_found": "报告中未找到",
        "pending": "正在查找引用的段落…",
        "sources_empty": "回答引用的段落会显示在这里，并标出其所在段落。点击任一回答中的 [1] "
        "等标记即可查看出处。",
        "sources_none": "报告中没有段落回答这个问题，因此没有引文。",
        "source_of": "第 {n} 个回答的出处：{question}",
        "gone": "报告已不在索引中",
        "position": "第 {p} 段 · 字符 {start}–{end}",
        "copy": "复制",
        "copied": "已复制",
        "no_reports": "还没有索引任何报告。",
        "col_report": "报告",
        "col_size": "字符数",
        "col_chunks": "文本块",
        "col_file": "文件",
        "indexing": "正在索引 {name}",
        "waiting": "排队等待索引 {name}：第 {place} 位",
        "quota": "再加 {adding}，你的报告将达到 {total}，超过了你的 {limit} MB 配额；"
        "请先删除你的一份报告。",
        "not_yours": "{name}：这是所有用户共享的报告，只有服务器的管理员可以删除或重新索引。",
        "removed": "{name}：已删除。",
        "not_indexed": "{name}：不在索引中。",
        "reindexed": "{name}：已重新索引（计算了 {n} 个段落）。",
        "uploaded_only": "{name}：该报告是在网页中上传的，没有可重新读取的文件；"
        "请上传修改后的文件。",
        "too_long": "问题太长：{n} 个字符，上限为 {limit}。",
        "empty_q": "问题是空的。",
        "unknown": "这些报告不在索引中：{names}。",
        "too_big": "{name}：{mb} MB，超过了 {limit} MB 的上限。",
        "error": "出错了：{message}",
        "page": "第 {n} 页",
        "open_in_report": "在报告中打开",
        "reader_title": "阅读报告",
        "reader_pick": "要阅读的报告",
        "reader_empty": "选择一份报告即可阅读全文，或点击出处中的“在报告中打开”：本对话引用的"
        "每一段都会高亮显示。",
        "reader_head": "{chars} 个字符 · 本对话引用了 {n} 段",
        "reader_pages": "共 {n} 页",
        "reader_part": "显示字符 {lo}–{hi}",
        "reader_cite": "第 {turn} 个回答的 [{n}]",
        "prepare_starting": "正在启动…",
        "prepare_converting": "正在准备模型（正在转换，仅首次启动）…",
        "prepare_loading": "正在准备模型…",
        "prepare_indexing": "正在索引内置报告：{done}/{total} 个段落",
        "prepare_warming": "即将就绪：正在建立关键词索引…",
        "prepare_failed": "无法就绪：{message}",
        "prepare_wait": "仍在准备中；请在上方的状态消失后再提问。",
        "prepare_reports": "就绪后会列出报告。",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (English when unknown), filled with ``values``."""
    table = TEXT.get(lang, TEXT["en"])
    return table.get(key, TEXT["en"][key]).format(**values)


def ordinal(n: int, lang: str) -> str:
    """A place in line: ``2nd`` in English, ``2`` in Chinese (the string says 第…位).

    >>> ordinal(2, "en"), ordinal(11, "en"), ordinal(23, "en"), ordinal(2, "zh")
    ('2nd', '11th', '23rd', '2')
    """
    if lang == "zh":
        return str(n)
    end = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{end}"


def pick(lang: str | None, accept: str = "") -> str:
    """``lang`` if it is one of ours, else the first of the browser's languages we have."""
    if lang in TEXT:
        return lang
    return "zh" if (accept or "").lower().startswith("zh") else "en"


_TOO_LONG = re.compile(r"question is (\d+) characters, over the limit of (\d+)")
_SETTING = re.compile(r"\s*\(?\bREPORTBOT_[A-Z_]+\b\)?")


def plain_error(exc: Exception, lang: str) -> str:
    """A message for the page: no setting names, in the page's language where known."""
    from index.errors import QuestionError, UnknownReportError

    message = str(exc)
    if isinstance(exc, QuestionError):
        if m := _TOO_LONG.search(message):
            return t(lang, "too_long", n=m.group(1), limit=m.group(2))
        if "empty" in message:
            return t(lang, "empty_q")
    if isinstance(exc, UnknownReportError):
        return t(lang, "unknown", names=", ".join(exc.names))
    return t(lang, "error", message=plain_message(exc))


def plain_message(exc: Exception) -> str:
    """The error's message without setting names (they mean nothing on the page)."""
    return _SETTING.sub("", str(exc))
