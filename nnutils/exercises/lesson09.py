"""Auto-checks for lesson 9 (the MNIST capstone).

    check_ce_grad(ce_grad)                       ce_grad(a, t) -> dE/da of the MEAN softmax
                                                 cross-entropy, a (N, 10) scores, t (N,) labels
    check_per_digit_accuracy(per_digit_accuracy) per_digit_accuracy(cm) -> (10,) fraction right
                                                 per TRUE digit (rows of cm are the truth)
    check_most_confused_pair(most_confused_pair) most_confused_pair(cm) -> (a, b), a < b, the
                                                 pair mixed up most often in either direction
"""

from __future__ import annotations

import numpy as np

from ..i18n import tr
from ..losses import one_hot, softmax
from . import Result, attempt, check_close, failed, passed

__all__ = ["ce_grad_reference", "per_digit_accuracy_reference", "most_confused_pair_reference",
           "check_ce_grad", "check_per_digit_accuracy", "check_most_confused_pair", "EXAMPLE_CM"]


# ------------------------------------------------------------------ 1. cross-entropy gradient
def ce_grad_reference(a, t):
    return (softmax(a) - one_hot(t, a.shape[1])) / len(a)


def check_ce_grad(ce_grad) -> Result:
    rng = np.random.default_rng(9)
    for n in (1, 5):
        a = rng.normal(0.0, 2.0, size=(n, 10))
        t = rng.integers(0, 10, size=n)
        got, error = attempt(ce_grad, a.copy(), t.copy(),
                             what=tr("ce_grad(a of shape {shape}, t)", shape=a.shape))
        if error is not None:
            return error
        expected = ce_grad_reference(a, t)
        result = check_close(got, expected, tr("ce_grad for a batch of {n}", n=n))
        if result:
            continue
        g = np.asarray(got, dtype=float)
        y, oh = softmax(a), one_hot(t, 10)
        guesses = {
            "this is the gradient of the SUM over the batch; the loss is the mean, so divide by N":
                y - oh,
            "the sign is flipped: the gradient is y − t (prediction minus target)":
                (oh - y) / n,
            "softmax is missing: the gradient is softmax(a) − t, not a − t":
                (a - oh) / n,
            "that is the gradient with respect to the probabilities y, not the scores a; the chain "
            "rule through softmax turns it into y − t":
                -oh / np.where(y > 0, y, 1) / n,
            "that is the MSE-on-softmax gradient; cross-entropy's is simply y − t":
                y * ((y - oh) - np.sum((y - oh) * y, axis=1, keepdims=True)) / n,
        }
        for text, wrong in guesses.items():
            if g.shape == wrong.shape and np.allclose(g, wrong, rtol=1e-5, atol=1e-8):
                return failed(f"{result.message} — {tr(text)}.")
        return result
    return passed(tr("∂E/∂a = (softmax(a) − one_hot(t)) / N: prediction minus target, averaged."))


# ---------------------------------------------------------------- confusion-matrix questions
# rows: true digit, columns: predicted digit (built so that every classic slip gives another answer)
EXAMPLE_CM = np.array([
    [95, 0, 1, 0, 0, 1, 2, 0, 1, 0],
    [0, 107, 1, 0, 0, 0, 0, 2, 0, 0],
    [2, 1, 88, 3, 1, 0, 1, 3, 1, 0],
    [0, 0, 2, 84, 0, 5, 0, 2, 6, 1],
    [0, 0, 1, 0, 89, 0, 2, 0, 1, 7],
    [1, 0, 0, 4, 1, 90, 2, 0, 2, 0],
    [1, 0, 0, 0, 1, 2, 86, 0, 0, 0],
    [0, 3, 4, 0, 1, 0, 0, 90, 0, 2],
    [1, 1, 3, 2, 0, 2, 1, 0, 89, 1],
    [0, 0, 0, 2, 0, 1, 0, 3, 2, 92],
])


def per_digit_accuracy_reference(cm):
    cm = np.asarray(cm, dtype=float)
    return np.diag(cm) / cm.sum(axis=1)


def check_per_digit_accuracy(per_digit_accuracy) -> Result:
    cm = EXAMPLE_CM
    got, error = attempt(per_digit_accuracy, cm.copy(), what="per_digit_accuracy(cm)")
    if error is not None:
        return error
    expected = per_digit_accuracy_reference(cm)
    result = check_close(got, expected, tr("per-digit accuracy"))
    if result:
        return passed(tr("diagonal / row sums: the fraction of each true digit's images classified "
                         "right (also called the recall, 재현율, of that digit)."))
    g = np.asarray(got, dtype=float)
    if g.shape == () or g.size == 1:
        return failed(tr("one number is the overall accuracy; the question asks for one value per "
                         "digit (10 values)"))
    if g.shape == (10,) and np.allclose(g, np.diag(cm) / cm.sum(axis=0)):
        return failed(f"{result.message} — " + tr(
            "you divided by the COLUMN sums: that is the fraction of the images PREDICTED as each "
            "digit that were right (the precision, 정밀도). Rows are the true digits: divide by the "
            "row sums"))
    if g.shape == (10,) and np.allclose(g, np.diag(cm)):
        return failed(f"{result.message} — " + tr(
            "these are counts; divide by how many images of each true digit there are (the row "
            "sums)"))
    if g.shape == (10,) and np.allclose(g, np.diag(cm) / cm.sum()):
        return failed(f"{result.message} — " + tr(
            "you divided by all the images; divide each digit's count by that digit's own total "
            "(its row sum)"))
    return result


def most_confused_pair_reference(cm):
    both = np.asarray(cm) + np.asarray(cm).T
    np.fill_diagonal(both, -1)
    a, b = np.unravel_index(np.argmax(both), both.shape)
    return (int(min(a, b)), int(max(a, b)))


def check_most_confused_pair(most_confused_pair) -> Result:
    cm = EXAMPLE_CM
    got, error = attempt(most_confused_pair, cm.copy(), what="most_confused_pair(cm)")
    if error is not None:
        return error
    try:
        pair = tuple(int(v) for v in got)
    except (TypeError, ValueError):
        pair = ()
    if len(pair) != 2:
        return failed(tr("return a pair of digits (a, b), got {got!r}", got=got))
    expected = most_confused_pair_reference(cm)
    if pair == expected:
        return passed(tr("{a} and {b} are mixed up {n} times, counting both directions.",
                         a=expected[0], b=expected[1], n=cm[expected] + cm[expected[::-1]]))
    if pair == expected[::-1]:
        return failed(tr("right digits, wrong order: return them as (a, b) with a < b, i.e. "
                         "{expected}", expected=expected))
    if pair[0] == pair[1]:
        return failed(tr("{pair} is a diagonal cell: the diagonal counts the RIGHT answers; "
                         "skip it", pair=pair))
    off = cm.copy()
    np.fill_diagonal(off, -1)
    one_way = np.unravel_index(np.argmax(off), off.shape)
    if set(pair) == set(map(int, one_way)):
        return failed(tr("{pair}: {true} → {predicted} is the largest single cell ({n}), but the "
                         "question counts both directions: cm[a, b] + cm[b, a]", pair=pair,
                         true=one_way[0], predicted=one_way[1], n=off[one_way]))
    return failed(tr("{pair} is mixed up {n} times in both directions; another pair is mixed up "
                     "more often", pair=pair, n=cm[pair] + cm[pair[::-1]]))
