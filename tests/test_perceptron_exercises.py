"""Lesson 1 exercises: each check passes the reference answer and fails plausible wrong ones
with a message that says what is wrong."""
import pytest

from nnutils.exercises import lesson01 as L


def test_nor_reference_and_other_right_answers_pass():
    for w1, w2, b in [(-2, -2, 1), (-1, -1, 0.5), (-3, -1, 0.2)]:
        r = L.check_nor(w1, w2, b)
        assert r, r.message


@pytest.mark.parametrize("answer,needle", [
    ((2, 2, -1), "b must be positive"),          # that is OR
    ((-2, -2, 0), "exactly 0"),                  # the sum at the threshold gives 0
    ((-1, -1, 1.5), "(1, 0)"),                   # NAND-like: (1, 0) still fires
    ((1, -2, 1), "weights must be negative"),
    ((1, 2), "three"),
    (("a", 1, 2), "three"),
])
def test_nor_wrong_answers_say_what_is_wrong(answer, needle):
    r = L.check_nor(*answer) if len(answer) == 3 else L.check_nor(answer, 0, 0)
    assert not r and needle in r.message, r.message


def _student_right(w, b, x, t, lr):
    y = 1 if w @ x + b > 0 else 0        # written independently of update_reference
    return w + lr * (t - y) * x, b + lr * (t - y)


def test_update_reference_and_a_right_answer_pass():
    assert L.check_update(L.update_reference)
    assert L.check_update(_student_right)


def _in_place(w, b, x, t, lr):
    y = 1 if w @ x + b > 0 else 0
    w += lr * (t - y) * x                 # in place and returned: also fine
    return w, b + lr * (t - y)


def test_in_place_update_that_returns_passes():
    assert L.check_update(_in_place)


@pytest.mark.parametrize("fn,needle", [
    (lambda w, b, x, t, lr: (w + lr * (t - (w @ x + b > 0)) * x, b), "bias did not move"),
    (lambda w, b, x, t, lr: (w + lr * ((w @ x + b > 0) - t) * x, b + lr * ((w @ x + b > 0) - t)),
     "sign is reversed"),
    (lambda w, b, x, t, lr: (w + lr * t * x, b + lr * t), "already right"),
    (lambda w, b, x, t, lr: (w + (t - (w @ x + b > 0)) * x, b + (t - (w @ x + b > 0))), "learning rate"),
    (lambda w, b, x, t, lr: None, "returned None"),
    (lambda w, b, x, t, lr: w, "pair"),
])
def test_update_wrong_answers_say_what_is_wrong(fn, needle):
    r = L.check_update(fn)
    assert not r and needle in r.message, r.message


def test_update_not_written_yet():
    def fn(w, b, x, t, lr):
        raise NotImplementedError
    r = L.check_update(fn)
    assert not r and "not written yet" in r.message


def test_xor_layers_lecture_and_another_answer_pass():
    assert L.check_xor_layers([(-2, -2, 3), (2, 2, -1)], (2, 2, -3))      # NAND, OR -> AND
    assert L.check_xor_layers([(1, 1, -0.5), (1, 1, -1.5)], (2, -2, -1))   # OR, AND -> s1 and not s2


@pytest.mark.parametrize("hidden,output,needle", [
    ([(1, 0, -0.5), (0, 1, -0.5)], (2, 2, -3), "still arranged like XOR"),   # identity hidden layer
    ([(2, 2, -3), (2, 2, -3)], (1, 1, -1), "same point"),                   # two AND units
    ([(-2, -2, 3), (2, 2, -1)], (2, 2, -1), "output unit is wrong"),        # OR as output
    ([(-2, -2, 3)], (2, 2, -3), "two"),
])
def test_xor_layers_wrong_answers_say_what_is_wrong(hidden, output, needle):
    r = L.check_xor_layers(hidden, output)
    assert not r and needle in r.message, r.message


def test_reveal_hides_the_answer_in_details():
    html = L.why_hidden_layer._repr_html_()
    assert "<details>" in html and "not linearly separable" in html
