"""Run Rasa's command line with cross-validation folds drawn from a fixed seed.

Usage, from bot/: ``../.venv-rasa/bin/python nlu_cv.py SEED test nlu --nlu data --cross-validation …``
(everything after SEED is ``rasa``'s own command line).

Rasa 3.6 splits the examples with ``StratifiedKFold(shuffle=True)`` and no seed, so two runs on
the same data score differently (about ±0.005 weighted F1 here) and a change to the data cannot be
told from a new split. With a seed the split depends only on the data, so a figure can be repeated
and two versions of the data compared on the same kind of split.
"""

from __future__ import annotations

import sys
from typing import Any


def seeded_stratified_kfold(seed: int) -> type:
    """Build a ``StratifiedKFold`` whose shuffle always uses ``seed``.

    Args:
        seed: The random state of every split made with the returned class.

    Returns:
        A subclass of ``sklearn.model_selection.StratifiedKFold`` that ignores the caller's
        ``random_state`` and shuffles with ``seed``.
    """
    # From where it is defined: sklearn.model_selection's own name may already be a seeded class.
    from sklearn.model_selection._split import StratifiedKFold

    class SeededStratifiedKFold(StratifiedKFold):
        def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state: Any = None) -> None:
            super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=seed if shuffle else None)

    return SeededStratifiedKFold


def main() -> None:
    """Fix the fold seed from ``argv[1]``, then hand the rest of the command line to ``rasa``."""
    import sklearn.model_selection
    from rasa.__main__ import main as rasa_main

    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        sys.exit("usage: nlu_cv.py SEED RASA-ARGS…  (SEED: a non-negative integer)")
    seed = int(sys.argv.pop(1))
    # rasa.nlu.test.generate_folds imports StratifiedKFold when it is called, so it gets this one.
    sklearn.model_selection.StratifiedKFold = seeded_stratified_kfold(seed)
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
