"""Lesson 10 exercises: each check passes the reference answer and fails plausible wrong ones
with a message that says what is wrong."""

import numpy as np
import pytest

from nnutils.exercises.lesson10 import (check_circle_features, check_xor_feature,
                                        circle_features_reference, linear_accuracy,
                                        xor_feature_reference)


def test_references_pass():
    assert check_circle_features(circle_features_reference)
    assert check_xor_feature(xor_feature_reference)


def test_other_right_answers_pass_too():
    assert check_circle_features(lambda x: (x ** 2).sum(axis=1))        # r² alone
    assert check_xor_feature(lambda x: np.sign(x[:, 0] * x[:, 1]))


def test_the_raw_coordinates_are_not_enough():
    # independent of the check: no straight line separates circles or XOR in (x1, x2)
    assert linear_accuracy(lambda x: x, "circles") < 0.8
    assert linear_accuracy(lambda x: x[:, :1] + x[:, 1:], "xor") < 0.8
    r = check_circle_features(lambda x: x)
    assert not r and "distance from the centre" in r.message and "%" in r.message


@pytest.mark.parametrize("wrong", [lambda x: x[:, 0] + x[:, 1], lambda x: x[:, 0] ** 2])
def test_xor_wrong_single_features_fail_with_a_hint(wrong):
    r = check_xor_feature(wrong)
    assert not r and "signs differ" in r.message


def test_shape_count_and_stub_messages():
    def stub(x):
        raise NotImplementedError
    assert "not written yet" in check_xor_feature(stub).message
    assert "at most 1" in check_xor_feature(lambda x: x).message
    assert "at most 2" in check_circle_features(lambda x: np.column_stack([x, x])).message
    assert "returned None" in check_circle_features(lambda x: None).message
    assert "shape" in check_circle_features(lambda x: x[:5]).message
    assert "finite" in check_circle_features(lambda x: np.where(x > 0, np.inf, x)).message
