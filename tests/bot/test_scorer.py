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
