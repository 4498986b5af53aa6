"""Exceptions that carry context: which file, which setting, which value.

Library code raises these; only the CLI and the UI turn them into messages for people.
Every error's ``str()`` is one line a user can act on.
"""

from __future__ import annotations

import re

# Settings whose values are secrets, and values that look like one whatever their name
# (a key pasted under a mistyped name is still a key).
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL", re.IGNORECASE)
_SECRET_VALUE = re.compile(r"^((sk|pk|rk|hf|ghp|gho|xox[a-z])[-_]|AKIA)")


def mask(name: str, value: str) -> str:
    """``value`` as it may be shown: a secret keeps its first three characters (``sk-…``).

    >>> mask("REPORTBOT_LLM_APIKEY", "sk-abcdef123")
    'sk-…'
    """
    if value and (_SECRET_NAME.search(name) or _SECRET_VALUE.match(value)):
        return value[:3] + "…" if len(value) > 6 else "…"
    return value


class ReportBotError(Exception):
    """Base class for every error this project raises on purpose."""


class SettingsError(ReportBotError):
    """A setting (environment variable) has a value we cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        # The value is kept masked: a secret must not reach a message or a traceback.
        self.name, self.value, self.expected = name, mask(name, value), expected
        super().__init__(f"setting {name}={self.value!r} is invalid: expected {expected}")


class ReportError(ReportBotError):
    """A report file is missing, empty, binary, not UTF-8 or of an unsupported type."""

    def __init__(self, path: str, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"report {path}: {problem}")


class QuestionError(ReportBotError):
    """The question itself is unusable (empty, too long, wrong type)."""


class UnknownReportError(ReportBotError):
    """A question was scoped to a report name that is not in the index."""

    def __init__(self, names: list[str], known: list[str]):
        self.names, self.known = names, known
        shown = ", ".join(known) if known else "none"
        super().__init__(f"unknown report(s): {', '.join(names)} (indexed: {shown})")


class QuotaError(ReportBotError):
    """An upload would take a user's reports past their quota (REPORTBOT_UI_QUOTA_MB)."""

    def __init__(self, user: str, used: int, adding: int, limit_mb: float):
        self.user, self.used, self.adding, self.limit_mb = user, used, adding, limit_mb
        super().__init__(
            f"{size_text(adding)} more would take your reports to {size_text(used + adding)}, "
            f"over your quota of {limit_mb:g} MB (REPORTBOT_UI_QUOTA_MB); remove one of yours "
            "first"
        )


class NotYoursError(ReportBotError):
    """A logged-in user tried to change a report that is shared or another user's."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"{name} is shared with every user; only the server's operator removes or "
            "re-indexes it (reportbot reports --remove, reportbot index)"
        )


def size_text(size: int) -> str:
    """``size`` bytes for people: ``"2.5 MB"``, or ``"0.7 KB"`` below a tenth of a MB."""
    if size >= 104_858:
        return f"{size / 1048576:.1f} MB"
    return f"{size / 1024:.1f} KB"


class ModelError(ReportBotError):
    """The embedding model could not be prepared or loaded."""


class StoreError(ReportBotError):
    """The vector store could not be opened or reached."""


class DamagedIndexError(StoreError):
    """The index on disk cannot be read (or vanished): ``reportbot index --rebuild``."""

    def __init__(self, where: str, detail: str = ""):
        self.where, self.detail = where, detail
        super().__init__(
            f"the index at {where} is damaged{f' ({detail})' if detail else ''}; run "
            "`reportbot index --rebuild`, which re-indexes the reports from their saved text"
        )
