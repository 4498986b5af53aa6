"""Fit the answer scorer's shipped weights and measure what each named check is worth.

    python eval/fit_scorer.py              # fit on every suite report + the default set
    python eval/fit_scorer.py --ablation   # held-out figures without each check in turn

The shipped weights (bot/weights.json) are fitted on all labelled questions: round 1 of
the multi-report suite (eval/suite/) and the default report's set (eval/questions.jsonl).
The published suite scores are not those of the shipped weights: `reportbot eval
--manifest` fits again for each held-out report on the others only.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bot import ask, evaluate, scorer, suite  # noqa: E402
from bot.checks import FEATURES  # noqa: E402
from bot.library import get_library  # noqa: E402
from index import default_report_path  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--manifest", default=str(HERE / "suite" / "manifest.json"))
    p.add_argument("--default-set", default=str(HERE / "questions.jsonl"))
    p.add_argument("--rounds", default="1")
    p.add_argument("--ablation", action="store_true")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args()

    library = get_library()
    library.ensure_default()
    entries = suite.load_manifest(args.manifest)
    library.index_paths([e.report for e in entries])
    rounds = {int(r) for r in args.rounds.split(",")}
    items = suite.items_of(entries, rounds)
    default = evaluate.load_items(args.default_set)
    for item in default:
        item.report = default_report_path().name
    texts = {r.name: library.store.report_text(r.name) for r in library.reports()}
    print(f"asking {len(items)} suite questions and {len(default)} default-set questions")
    asked = scorer.collect(items, ask)
    extra = scorer.collect(default, ask)
    cfg = library.settings

    def ex(i, a):
        return scorer.example(i, a, texts, cfg.min_support, cfg.min_support_cross)

    examples = [ex(i, a) for i, a, _ in asked + extra]
    if not args.no_save:
        fitted = scorer.fit(
            examples,
            about={
                "questions": len(examples),
                "fitted_on": sorted({i.report for i in items}) + [default_report_path().name],
                "rounds": sorted(rounds),
                "date": datetime.date.today().isoformat(),
                "by": "eval/fit_scorer.py",
            },
        )
        fitted.save()
        print(f"saved {scorer.WEIGHTS} (threshold {fitted.threshold:.3f})")
        for f, c in sorted(zip(fitted.features, fitted.coef), key=lambda x: -abs(x[1])):
            print(f"  {f:16} {c:+.3f}")
    held = scorer.fold_outcomes(asked, cfg, texts, FEATURES, extra)
    forms = {e.name: e.form for e in entries}
    for o in held:
        o.form = forms.get(o.report, "")
    print("\nheld-out (leave-one-report-out) figures:")
    print(evaluate.table(evaluate.report(held, ("form", "lang", "kind", "round"))))
    if args.ablation:
        rows = [("(all checks)", FEATURES)] + [
            (f"- {f}", tuple(g for g in FEATURES if g != f)) for f in FEATURES
        ]
        print(f"\n{'held-out suite, round ' + args.rounds:28} answer  refusal  wrongly-refused")
        for name, feats in rows:
            out = scorer.fold_outcomes(asked, cfg, texts, feats, extra)
            fig = evaluate.summarise(out)
            print(
                f"{name:28} {fig['answer_accuracy']!s:>6}  {fig['refusal_recall']!s:>7}"
                f"  {fig['wrongly_refused']:>6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
