"""Prompt templates for an LLM answerer, as files beside this module.

Empty for now: the default answerer is extractive and needs no prompt. The LLM answerer
(a later issue) keeps its system, answer and follow-up-rewriting templates here.
"""
