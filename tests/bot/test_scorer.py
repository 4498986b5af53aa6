"""The answer scorer: weights learned from labelled candidates, and its threshold."""

import numpy as np

from bot import scorer
from bot.checks import FEATURES


def _example(i, answerable, good_at=None, strength=1.0):
    rng = np.random.default_rng(i)
    X = rng.normal(0, 0.05, size=(6, len(FEATURES)))
    y = np.zeros(6)
    if good_at is not None:
        X[good_at, FEATURES.index("dense")] += strength
        X[good_at, FEATURES.index("cover")] += strength
        y[good_at] = 1.0
    return scorer.Example(f"q{i}", f"r{i % 3}", answerable, X, y)


def test_fit_learns_what_marks_an_answer_and_refuses_below_its_threshold(tmp_path):
    examples = [_example(i, True, good_at=i % 6) for i in range(30)]
    examples += [_example(100 + i, False) for i in range(15)]
    s = scorer.fit(examples)
    assert s.coef[FEATURES.index("dense")] > 0 and s.coef[FEATURES.index("cover")] > 0
    # Answerable: the marked candidate is the best and clears the threshold.
    fresh = _example(999, True, good_at=2)
    p = s.probabilities(fresh.X)
    assert int(np.argmax(p)) == 2 and p[2] >= s.threshold
    # Unanswerable: nothing clears it.
    assert s.probabilities(_example(998, False).X).max() < s.threshold
    # Saved and loaded, it scores the same.
    path = tmp_path / "w.json"
    s.save(path)
    again = scorer.load(path)
    assert np.allclose(again.probabilities(fresh.X), p, atol=1e-4)


def test_the_shipped_weights_cover_every_named_check():
    shipped = scorer.load()
    assert set(shipped.features) == set(FEATURES)
    assert 0.0 < shipped.threshold < 1.0
    assert shipped.about.get("questions", 0) > 0  # says what it was fitted on


def test_ranking_weights_learn_what_makes_a_sentence_better_than_its_neighbours():
    # "keyword" is high for every candidate of an answerable question and low for an
    # unanswerable one, so a probability learns it as a mark of answering; but within a
    # question the answer has the least of it. Ranked by probability the answer comes
    # last; ranked listwise it comes first, and its probability still clears the threshold.
    kw = FEATURES.index("keyword")

    def example(i, answerable):
        X = np.zeros((6, len(FEATURES)))
        y = np.zeros(6)
        if answerable:
            X[:, kw] = 3.0 + np.arange(6) * 0.1 + (i % 7) * 0.01
            y[0] = 1.0
        return scorer.Example(f"q{i}", f"r{i % 3}", answerable, X, y)

    examples = [example(i, i % 3 == 0) for i in range(90)]
    s = scorer.fit(examples)
    fresh = example(1002, True)
    assert s.top(fresh.X) == 0
    assert int(np.argmax(s.probabilities(fresh.X))) == 5  # what ranking by probability did
    assert s.probabilities(fresh.X)[0] >= s.threshold
    assert s.probabilities(example(1001, False).X).max() < s.threshold


def test_weights_saved_before_the_ranking_weights_rank_by_probability(tmp_path):
    examples = [_example(i, True, good_at=i % 6) for i in range(30)]
    s = scorer.fit(examples)
    old = scorer.Scorer(s.features, s.coef, s.intercept, s.mean, s.scale, s.threshold)
    X = _example(5, True, good_at=4).X
    assert np.allclose(old.ranking(X), old.probabilities(X))
    path = tmp_path / "old.json"
    old.save(path)
    assert scorer.load(path).top(X) == 4
