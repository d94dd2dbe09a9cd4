"""Lesson 0's exercise: the checker accepts exactly the slope whose sigmoid has slope 1."""
import numpy as np
import pytest

from nnutils.exercises.lesson00 import check_steepest_slope


def test_the_answer_is_found_independently_and_accepted():
    # the largest slope of σ(a·x) is at x = 0; measure it numerically for a grid of a
    x = np.linspace(-1e-4, 1e-4, 3)
    slope = lambda a: (1 / (1 + np.exp(-a * x[2])) - 1 / (1 + np.exp(-a * x[0]))) / (x[2] - x[0])  # noqa: E731
    a_star = min(np.arange(0.5, 10, 0.5), key=lambda a: abs(slope(a) - 1))
    assert check_steepest_slope(float(a_star))
    assert check_steepest_slope(int(a_star))


@pytest.mark.parametrize("answer,words", [(None, "put your answer"), (..., "put your answer"),
                                          ("4", "should be a number"), (True, "should be a number"),
                                          (0.25, "σ'(0) itself"), (2.0, "a/4 = 0.5")])
def test_wrong_answers_say_what_is_wrong(answer, words):
    result = check_steepest_slope(answer)
    assert not result and words in result.message, result.message
