"""Lesson 9 exercises: the cross-entropy gradient and reading a confusion matrix."""
import numpy as np
import pytest

from nnutils.exercises import lesson09 as ex
from nnutils.gradcheck import numerical_gradient
from nnutils.losses import SoftmaxCrossEntropy, one_hot, softmax


def test_reference_gradient_is_the_numerical_gradient_of_the_mean_loss():
    rng = np.random.default_rng(3)
    a, t = rng.normal(size=(4, 10)), np.array([0, 3, 3, 9])
    loss = SoftmaxCrossEntropy()
    num = numerical_gradient(lambda z: loss.forward(z, t), a.copy())
    np.testing.assert_allclose(ex.ce_grad_reference(a, t), num, atol=1e-8)


def test_ce_grad_check_passes_the_right_answer_written_another_way():
    def mine(a, t):
        e = np.exp(a - a.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        y[np.arange(len(t)), t] -= 1
        return y / len(t)
    assert ex.check_ce_grad(mine)


@pytest.mark.parametrize("wrong, words", [
    (lambda a, t: softmax(a) - one_hot(t, 10), "SUM over the batch"),
    (lambda a, t: (one_hot(t, 10) - softmax(a)) / len(a), "sign is flipped"),
    (lambda a, t: (a - one_hot(t, 10)) / len(a), "softmax is missing"),
    (lambda a, t: None, "returned None"),
])
def test_ce_grad_check_names_the_mistake(wrong, words):
    result = ex.check_ce_grad(wrong)
    assert not result and words in result.message, result.message


def test_per_digit_accuracy_check():
    cm = ex.EXAMPLE_CM
    right = lambda cm: np.array([cm[i, i] / cm[i].sum() for i in range(10)])   # noqa: E731
    assert ex.check_per_digit_accuracy(right)
    for wrong, words in [(lambda cm: np.diag(cm) / cm.sum(axis=0), "COLUMN"),
                         (lambda cm: np.diag(cm), "counts"),
                         (lambda cm: np.trace(cm) / cm.sum(), "overall accuracy"),
                         (lambda cm: np.diag(cm) / cm.sum(), "all the images")]:
        result = ex.check_per_digit_accuracy(wrong)
        assert not result and words in result.message, result.message
    # the example matrix really separates the slips: unequal rows, rows ≠ columns
    assert len(set(cm.sum(axis=1))) > 1 and not np.array_equal(cm.sum(axis=0), cm.sum(axis=1))


def test_most_confused_pair_check():
    cm = ex.EXAMPLE_CM
    # counted independently: every unordered pair, both directions
    best = max(((cm[i, j] + cm[j, i], (i, j)) for i in range(10) for j in range(i + 1, 10)))[1]
    assert ex.check_most_confused_pair(lambda cm: best)
    assert ex.check_most_confused_pair(lambda cm: list(best))
    for answer, words in [(best[::-1], "wrong order"), ((4, 4), "diagonal"),
                          ((4, 9), "both directions"), ((0, 6), "another pair")]:
        result = ex.check_most_confused_pair(lambda cm, a=answer: a)
        assert not result and words in result.message, result.message
