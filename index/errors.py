"""Exceptions that carry context: which file, which setting, which value.

Library code raises these; only the CLI and the UI turn them into messages for people.
Every error's ``str()`` is one line a user can act on.
"""

from __future__ import annotations


class ReportBotError(Exception):
    """Base class for every error this project raises on purpose."""


class SettingsError(ReportBotError):
    """A setting (environment variable) has a value we cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"setting {name}={value!r} is invalid: expected {expected}")


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


class ModelError(ReportBotError):
    """The embedding model could not be prepared or loaded."""


class StoreError(ReportBotError):
    """The vector store could not be opened or reached."""
