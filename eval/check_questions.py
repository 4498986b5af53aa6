#!/usr/bin/env python3
"""Validate eval/questions.jsonl against the question-set schema.

Usage: python3 eval/check_questions.py [REPORT_PATH] [--questions PATH]

REPORT_PATH defaults to index/corpus/kuaishou-2024h1.txt relative to the repo root.
Prints a summary; exits 1 on any problem. Standard library only.
"""

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REPORT = ROOT / "index" / "corpus" / "kuaishou-2024h1.txt"
DEFAULT_QUESTIONS = ROOT / "eval" / "questions.jsonl"

LANGS = {"zh", "en"}
KINDS = {"fact", "arithmetic", "followup", "unanswerable"}
MATCHES = {"any", "all"}
REQUIRED = {"id": str, "lang": str, "question": str, "answerable": bool, "kind": str}
OPTIONAL = {"history": list, "answers": list, "match": str, "evidence": str}
MIN_FOLLOWUPS = 10
MIN_UNANSWERABLE = 12
MIN_QUESTIONS = 64
LONG_EVIDENCE = 60


def norm(s):
    """Scoring normalisation: NFKC, lower case, no whitespace, no thousands separators."""
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub(r"\s+", "", s)
    return re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)


def check_record(obj, report, nreport, errors, warnings, where):
    def err(msg):
        errors.append(f"{where}: {msg}")

    if not isinstance(obj, dict):
        err("not a JSON object")
        return
    for key, typ in REQUIRED.items():
        if key not in obj:
            err(f"missing field {key!r}")
        elif not isinstance(obj[key], typ):
            err(f"field {key!r} must be {typ.__name__}")
    for key, typ in OPTIONAL.items():
        if key in obj and obj[key] is not None and not isinstance(obj[key], typ):
            err(f"field {key!r} must be {typ.__name__}")
    unknown = set(obj) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        err(f"unknown fields {sorted(unknown)}")
    if errors and errors[-1].startswith(where):
        return

    if not obj["id"].strip():
        err("empty id")
    if obj["lang"] not in LANGS:
        err(f"lang must be one of {sorted(LANGS)}")
    if not obj["question"].strip():
        err("empty question")
    if obj["kind"] not in KINDS:
        err(f"kind must be one of {sorted(KINDS)}")
    match = obj.get("match", "any")
    if match not in MATCHES:
        err(f"match must be one of {sorted(MATCHES)}")

    hist = obj.get("history")
    if hist is not None:
        for t in hist:
            if not (
                isinstance(t, list)
                and len(t) == 2
                and all(isinstance(x, str) and x.strip() for x in t)
            ):
                err("history must be a list of [question, answer] string pairs")
                break
        if not 1 <= len(hist) <= 2:
            warnings.append(f"{where}: history has {len(hist)} turns (expected 1-2)")
    if obj["kind"] == "followup" and not hist:
        err("kind 'followup' needs a non-empty history")

    if obj["answerable"]:
        if obj["kind"] == "unanswerable":
            err("kind 'unanswerable' but answerable is true")
        answers = obj.get("answers")
        evidence = obj.get("evidence")
        if not answers:
            err("answerable question needs a non-empty answers list")
            return
        if not all(isinstance(a, str) and norm(a) for a in answers):
            err("answers must be non-empty strings")
            return
        if len({norm(a) for a in answers}) != len(answers):
            warnings.append(f"{where}: duplicate answers after normalisation")
        if not evidence:
            err("answerable question needs evidence")
            return
        if evidence not in report:
            err(f"evidence is not an exact substring of the report: {evidence!r}")
            return
        if report.count(evidence) > 1:
            warnings.append(
                f"{where}: evidence occurs {report.count(evidence)} times in the report"
            )
        if len(evidence) > LONG_EVIDENCE:
            warnings.append(f"{where}: evidence is {len(evidence)} chars (> {LONG_EVIDENCE})")
        nev = norm(evidence)
        in_ev = [norm(a) in nev for a in answers]
        in_rep = [norm(a) in nreport for a in answers]
        if match == "all":
            for a, ok in zip(answers, in_ev):
                if not ok:
                    err(f"match 'all' answer {a!r} not in evidence")
        else:
            if not any(in_ev):
                err("no answer string appears in the evidence")
            for a, e, r in zip(answers, in_ev, in_rep):
                if e or r:
                    continue
                # Only English questions may carry English alternatives that are
                # not in the Chinese report, and only next to a report form.
                if obj["lang"] == "en":
                    warnings.append(f"{where}: English alternative {a!r} is not in the report (ok)")
                else:
                    err(f"answer {a!r} appears neither in the evidence nor in the report")
        if obj["kind"] == "arithmetic" and not all(in_rep):
            err("arithmetic answers must appear literally in the report")
    else:
        if obj["kind"] not in ("unanswerable",):
            err("answerable false requires kind 'unanswerable'")
        if obj.get("answers"):
            err("unanswerable question must not have answers")
        if obj.get("evidence"):
            err("unanswerable question must not have evidence")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", nargs="?", default=str(DEFAULT_REPORT))
    ap.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    ap.add_argument("-v", "--verbose", action="store_true", help="print warnings in full")
    args = ap.parse_args()

    try:
        report = Path(args.report).read_text(encoding="utf-8")
    except OSError as e:
        print(f"cannot read report: {e}", file=sys.stderr)
        return 1
    nreport = norm(report)

    errors, warnings = [], []
    records, ids = [], Counter()
    with open(args.questions, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                errors.append(f"line {lineno}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {lineno}: invalid JSON: {e}")
                continue
            where = f"line {lineno} ({obj.get('id', '?') if isinstance(obj, dict) else '?'})"
            check_record(obj, report, nreport, errors, warnings, where)
            if isinstance(obj, dict):
                records.append(obj)
                ids[obj.get("id")] += 1

    for i, n in ids.items():
        if n > 1:
            errors.append(f"duplicate id {i!r} ({n} times)")
    qs = Counter(
        (r.get("lang"), norm(r.get("question", ""))) for r in records if not r.get("history")
    )
    for (lang, q), n in qs.items():
        if n > 1:
            errors.append(f"duplicate question ({lang}): {q!r}")

    by_lang = Counter(r.get("lang") for r in records)
    by_kind = Counter(r.get("kind") for r in records)
    by_both = Counter((r.get("lang"), r.get("kind")) for r in records)
    n_fu = by_kind["followup"]
    n_un = sum(1 for r in records if r.get("answerable") is False)
    if len(records) < MIN_QUESTIONS:
        errors.append(f"only {len(records)} questions (need >= {MIN_QUESTIONS})")
    if n_fu < MIN_FOLLOWUPS:
        errors.append(f"only {n_fu} followups (need >= {MIN_FOLLOWUPS})")
    if n_un < MIN_UNANSWERABLE:
        errors.append(f"only {n_un} unanswerable (need >= {MIN_UNANSWERABLE})")
    for lang in sorted(LANGS):
        if records and not 0.35 <= by_lang[lang] / len(records) <= 0.65:
            errors.append(f"language balance off: {lang}={by_lang[lang]} of {len(records)}")

    print(f"report: {args.report} ({len(report)} chars)")
    n_hist = sum(1 for r in records if r.get("history"))
    print(
        f"questions: {len(records)}  answerable: {len(records) - n_un}  "
        f"unanswerable: {n_un}  with history: {n_hist}"
    )
    print(
        "by lang: "
        + ", ".join(f"{k}={v}" for k, v in sorted(by_lang.items(), key=lambda kv: str(kv[0])))
    )
    print(
        "by kind: "
        + ", ".join(f"{k}={v}" for k, v in sorted(by_kind.items(), key=lambda kv: str(kv[0])))
    )
    for lang in sorted(LANGS):
        print(f"  {lang}: " + ", ".join(f"{k}={by_both[(lang, k)]}" for k in sorted(KINDS)))
    if warnings:
        print(f"warnings: {len(warnings)}")
        if args.verbose:
            for w in warnings:
                print("  " + w)
    if errors:
        print(f"ERRORS: {len(errors)}")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
