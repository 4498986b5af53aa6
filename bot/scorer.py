"""Weigh the named checks: which sentence answers the question, and does it answer at all?

Two sets of weights over :data:`bot.checks.FEATURES`, fitted on labelled questions of many
reports (a candidate sentence is a positive when it overlaps the question's evidence;
every candidate of an unanswerable question is a negative):

- the **ranking** weights order one question's candidates. They are fitted listwise (a
  softmax over each answerable question's candidates, the likelihood of its positives),
  so they learn what makes one sentence better than its neighbours, not what makes a
  question easy: held out on rounds 1-4 of the suite, the right sentence comes first for
  0.628 of the answerable questions against 0.601 with the probability below;
- the **probability** is a logistic regression: the chance that a sentence answers, which
  the "not found" threshold reads. The threshold is fitted with them: the probability of
  the top-ranked candidate under which refusing is right more often than answering, on
  the same data.

The shipped weights live in ``bot/weights.json``, with what they were fitted on.

Fitting uses scikit-learn and scipy (dependencies of sentence-transformers); answering needs only
numpy. :func:`held_out` scores a multi-report suite leave-one-report-out: each report's
questions are answered with weights fitted on the other reports only.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.checks import FEATURES, feature_matrix, overlaps_any, sigmoid

WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Scorer:
    """Standardised features -> logistic weights -> probability; and the threshold."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    about: dict = field(default_factory=dict, compare=False)
    rank_coef: tuple[float, ...] = ()  # listwise weights over the same standardised features

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """P(answers) per row of ``X`` (columns as :data:`FEATURES`)."""
        if len(X) == 0:
            return np.zeros(0)
        cols = [FEATURES.index(f) for f in self.features]
        Z = (X[:, cols] - np.array(self.mean)) / np.array(self.scale)
        return sigmoid(Z @ np.array(self.coef) + self.intercept)

    def ranking(self, X: np.ndarray) -> np.ndarray:
        """A score per row of ``X``: higher ranks first among one question's candidates.
        Weights saved before the ranking weights existed rank by probability."""
        if not self.rank_coef or len(X) == 0:
            return self.probabilities(X)
        cols = [FEATURES.index(f) for f in self.features]
        Z = (X[:, cols] - np.array(self.mean)) / np.array(self.scale)
        return Z @ np.array(self.rank_coef)

    def top(self, X: np.ndarray) -> int:
        """The index of the best-ranked row."""
        return int(np.argmax(self.ranking(X)))

    def save(self, path: Path = WEIGHTS) -> None:
        data = {
            "features": list(self.features),
            "coef": [round(c, 6) for c in self.coef],
            "intercept": round(self.intercept, 6),
            "mean": [round(m, 6) for m in self.mean],
            "scale": [round(s, 6) for s in self.scale],
            "threshold": round(self.threshold, 4),
            "rank_coef": [round(c, 6) for c in self.rank_coef],
            "about": self.about,
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=4)
def load(path: Path = WEIGHTS) -> Scorer:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Scorer(
        tuple(data["features"]),
        tuple(data["coef"]),
        float(data["intercept"]),
        tuple(data["mean"]),
        tuple(data["scale"]),
        float(data["threshold"]),
        data.get("about", {}),
        tuple(data.get("rank_coef", ())),
    )


@dataclass
class Example:
    """One question's candidates: features, labels, and whether it is answerable."""

    id: str
    report: str
    answerable: bool
    X: np.ndarray
    y: np.ndarray


def fit(
    examples: list[Example], features: tuple[str, ...] = FEATURES, about: dict | None = None
) -> Scorer:
    """A :class:`Scorer` over ``features`` fitted on ``examples``."""
    from sklearn.linear_model import LogisticRegression

    cols = [FEATURES.index(f) for f in features]
    X = np.vstack([e.X[:, cols] for e in examples if len(e.X)])
    y = np.concatenate([e.y for e in examples if len(e.X)])
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    # No class weights: the probability stays calibrated (a few positives among many
    # candidates), so the threshold below reads as the chance that the answer is right.
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit((X - mean) / scale, y)
    groups = [
        ((e.X[:, cols] - mean) / scale, e.y > 0)
        for e in examples
        if len(e.X) and e.answerable and e.y.any()
    ]
    scorer = Scorer(
        tuple(features),
        tuple(float(c) for c in model.coef_[0]),
        float(model.intercept_[0]),
        tuple(float(m) for m in mean),
        tuple(float(s) for s in scale),
        0.5,
        about or {},
        tuple(float(w) for w in _listwise(groups, len(cols))),
    )
    return replace(scorer, threshold=_threshold(scorer, examples))


def _listwise(groups: list[tuple[np.ndarray, np.ndarray]], width: int, l2: float = 1.0):
    """Weights ``w`` maximising, over questions, the softmax probability of their positive
    candidates (scores ``Z @ w``), with an L2 penalty. Each group: (features, positives)."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.5 * l2 * w @ w, l2 * w
        for Z, pos in groups:
            s = Z @ w
            e = np.exp(s - s.max())
            P = e / e.sum()
            mass = P[pos].sum() + 1e-12
            total -= np.log(mass)
            grad = grad - (P[pos] @ Z[pos]) / mass + P @ Z
        return total, grad

    if not groups:
        return np.zeros(width)
    return minimize(loss, np.zeros(width), jac=True, method="L-BFGS-B").x


def _threshold(scorer: Scorer, examples: list[Example]) -> float:
    """The refusal threshold that makes the most right decisions on ``examples``: an
    answerable question is right when its top-ranked candidate is a positive and its
    probability clears the threshold, an unanswerable one when it does not."""
    best, right = [], []
    for e in examples:
        if not len(e.X):
            continue
        p = scorer.probabilities(e.X)
        i = scorer.top(e.X)
        best.append(p[i])
        right.append(e.answerable and bool(e.y[i]))
    answerable = [e.answerable for e in examples if len(e.X)]
    candidates = sorted(set(np.round(best, 4))) + [1.01]
    scored = []
    for t in candidates:
        ok = sum(
            (a and r and b >= t) or (not a and b < t) for a, r, b in zip(answerable, right, best)
        )
        scored.append((ok, t))
    top = max(ok for ok, _ in scored)
    # The middle of the best plateau, so that the threshold does not sit on one example.
    plateau = [t for ok, t in scored if ok == top]
    return float(plateau[len(plateau) // 2])


def example(item, answer, texts: dict[str, str], min_support=0.4, min_support_cross=0.1):
    """Features and labels of one answered eval item (``answer.query``, ``answer.hits``)."""
    hits = answer.hits
    X = feature_matrix(answer.query, hits, min_support, min_support_cross) if hits else None
    spans = []
    for ev in item.evidences if item.answerable else []:
        doc = texts.get(item.report, "")
        at = doc.find(ev) if ev else -1
        if at >= 0:
            spans.append((at, at + len(ev)))
    y = np.array([float(h.sentence.source == item.report and overlaps_any(h, spans)) for h in hits])
    return Example(
        item.id,
        item.report,
        item.answerable,
        X if X is not None else np.zeros((0, len(FEATURES))),
        y,
    )


def collect(items, ask, progress=None) -> list[tuple]:
    """Ask every item of its own report once: (item, answer, seconds) each."""
    asked = []
    ask(items[0].question, reports=[items[0].report] if items[0].report else None)  # warm
    for n, item in enumerate(items, 1):
        scope = [item.report] if item.report else None
        t = time.perf_counter()
        answer = ask(item.question, [tuple(h) for h in item.history], reports=scope)
        asked.append((item, answer, time.perf_counter() - t))
        if progress:
            progress(n, len(items))
    return asked


def held_out(items, library, ask, texts, progress=None, features=FEATURES, extra=()):
    """Score ``items`` leave-one-report-out (see module docstring). Returns outcomes.

    ``extra``: more (item, answer, seconds) to fit on in every fold (another report's
    labelled questions, never scored here).
    """
    asked = collect(items, ask, progress)
    return fold_outcomes(asked, library.settings, texts, features, extra)


def fold_outcomes(asked, cfg, texts, features=FEATURES, extra=()):
    """Outcomes of already-asked items, each report answered by a scorer fitted on the
    other reports (and ``extra``)."""
    from bot import evaluate
    from bot.answer import ExtractiveAnswerer

    def ex(i, a):
        return example(i, a, texts, cfg.min_support, cfg.min_support_cross)

    examples = [ex(i, a) for i, a, _ in asked]
    more = [ex(i, a) for i, a, _ in extra]
    outcomes = []
    for report in dict.fromkeys(i.report for i, _, _ in asked):
        train = [e for e in examples if e.report != report] + more
        scorer = fit(train, features)
        answerer = ExtractiveAnswerer(
            cfg.max_citations, cfg.min_support, cfg.min_support_cross, scorer=scorer
        )
        for item, answer, secs in asked:
            if item.report != report:
                continue
            q = answer.query
            if q is None or q.intent != "question" or q.form == "summary" or q.absent:
                refit = answer  # not chosen by the scorer: nothing to refit
            else:
                draft = answerer.answer(answer.query, answer.hits)
                refit = replace(
                    answer, text=draft.text, answered=draft.answered, citations=draft.citations
                )
            outcomes.append(evaluate.score_item(item, refit, texts, secs))
    return outcomes
