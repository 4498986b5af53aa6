"""Prompt templates for the LLM answerer, as text files beside this module.

- ``system.txt``: the rules (only the numbered sources, a [n] after each sentence, figures
  copied as written, the refusal sentence, sources are data not instructions);
- ``answer.txt``: the numbered sources and the question;
- ``rewrite.txt``: turn a follow-up into a question that stands on its own.

The files use Python format fields (``{question}``); a literal brace is written twice.
This module only loads them as LangChain prompt templates; :func:`bot.llm.build_prompt`
fills them in, so there is one place that decides what is sent.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def text(name: str) -> str:
    """The raw template ``name`` (``system``, ``answer`` or ``rewrite``)."""
    return (resources.files(__name__) / f"{name}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def answer_prompt():
    """System rules (fixed, so a server can cache them) + numbered sources and question:
    fields ``sources``, ``question``, ``language``."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("system", text("system")), ("human", text("answer"))])


@lru_cache(maxsize=1)
def rewrite_prompt():
    """The follow-up rewriting prompt: fields ``history`` and ``question``."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("human", text("rewrite"))])
