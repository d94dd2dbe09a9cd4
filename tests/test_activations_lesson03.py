"""Lesson 3: the activation demos' specifics and the exercise checks."""
import numpy as np
import pytest

from nnutils.demos import activations as D
from nnutils.exercises import lesson03 as ex


# --- ActivationDemo --------------------------------------------------------------------

def shaded(demo):
    """Per-point region codes painted in the f′ panel, and the x grid they cover."""
    img = demo.shades[1]
    codes = np.asarray(img.get_array())[0]
    x0, x1 = img.get_extent()[:2]
    return np.linspace(x0, x1, codes.size), codes


def test_sigmoid_is_shaded_only_where_its_gradient_is_below_the_threshold():
    demo = D.ActivationDemo(activation="sigmoid", compare="none", x_max=10.0)
    x, codes = shaded(demo)
    s = 1 / (1 + np.exp(-x))
    expected = s * (1 - s) < 0.01                    # independent of the code under test
    assert np.array_equal(codes == 1, expected)
    assert not (codes == 2).any()                    # sigmoid′ is never exactly 0
    # saturation starts near |x| ≈ 4.6 (σ′ = 0.01) on both sides
    edge = x[np.argmax(~expected)]
    assert -4.7 < edge < -4.5


def test_relu_negative_side_is_marked_dead_and_leaky_relu_is_not():
    demo = D.ActivationDemo(activation="relu", compare="none")
    x, codes = shaded(demo)
    assert np.array_equal(codes == 2, x <= 0)
    demo.set(activation="leaky_relu", slope=0.05)
    x, codes = shaded(demo)
    assert not codes.any(), "a leaky slope of 0.05 keeps the gradient alive everywhere"


def test_slope_and_alpha_reach_the_curves():
    demo = D.ActivationDemo(activation="elu", compare="leaky_relu", alpha=2.0, slope=0.3)
    xf, f = demo.main[0].get_data()
    assert np.isclose(f[0], 2.0 * (np.exp(xf[0]) - 1))           # ELU saturates at −α
    xo, g = demo.other[1].get_data()
    assert np.allclose(g[xo < 0], 0.3) and np.allclose(g[xo > 0], 1.0)
    assert demo.error is None


def test_compare_none_hides_the_second_curve():
    demo = D.ActivationDemo(compare="none")
    assert not demo.other[0].get_visible() and not demo.other[1].get_visible()
    demo.set(compare="tanh")
    assert demo.other[0].get_visible()


def test_gelu_and_silu_curves_are_the_engines():
    from nnutils.activations import gelu, silu
    demo = D.ActivationDemo(activation="gelu", compare="silu", x_max=3.0)
    x, f = demo.main[0].get_data()
    assert np.allclose(f, gelu(x))
    x, f = demo.other[0].get_data()
    assert np.allclose(f, silu(x))


def test_activation_demo_code_reproduces_the_settings():
    demo = D.ActivationDemo(activation="elu", compare="relu", alpha=0.5, x_max=4.0)
    ns = {}
    exec(demo.code_text(), ns)
    xf, f = demo.main[0].get_data()
    assert np.allclose(ns["f_elu"], f) and np.allclose(ns["x"], xf)


# --- ZigZagDemo ----------------------------------------------------------------------------

def test_all_positive_inputs_give_same_sign_gradients_and_zig_zag():
    x, y = D.zigzag_data("positive")
    assert (x > 0).all()
    path, grads = D.zigzag_path(x, y, lr=0.5, steps=100)
    assert np.all(np.sign(grads[:, 0]) == np.sign(grads[:, 1]))
    # the straight line to w* points south-east: no single step can follow it
    steps = np.diff(path, axis=0)
    assert not np.any((steps[:, 0] > 0) & (steps[:, 1] < 0))


def test_zero_centred_inputs_get_there_faster():
    xp, yp = D.zigzag_data("positive")
    xc, yc = D.zigzag_data("centred")
    pos, _ = D.zigzag_path(xp, yp, lr=0.5, steps=40)
    cen, gc = D.zigzag_path(xc, yc, lr=0.5, steps=40)
    d = lambda p: np.linalg.norm(p[-1] - D.W_STAR)      # noqa: E731
    assert d(cen) < 0.01 < 0.3 < d(pos)
    assert np.mean(np.sign(gc[:, 0]) == np.sign(gc[:, 1])) < 0.8


def test_zigzag_gradient_is_the_per_example_gradient():
    x, y = D.zigzag_data("positive", n=5)
    w0 = np.array([0.3, -0.2])
    _, grads = D.zigzag_path(x, y, lr=0.1, steps=1, w0=w0)
    h = 1e-6
    loss = lambda w: 0.5 * (w @ x[0] - y[0]) ** 2        # noqa: E731
    num = [(loss(w0 + h * e) - loss(w0 - h * e)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(grads[0], num, atol=1e-8)


def test_zigzag_too_large_lr_says_diverged_without_raising():
    demo = D.ZigZagDemo(lr=10.0, steps=300)
    assert demo.error is None
    assert "diverged" in demo.status.value


def test_zigzag_rejects_unknown_inputs():
    with pytest.raises(ValueError, match="inputs"):
        D.zigzag_data("negative")


# --- exercises ------------------------------------------------------------------------------

def test_elu_check_passes_the_reference_and_the_engine():
    from nnutils.activations import elu, elu_grad
    assert ex.check_elu(ex.elu_reference, ex.elu_grad_reference)
    assert ex.check_elu(elu, elu_grad)
    # f(x) + α is also α·eˣ on the negative side: an equally right derivative
    assert ex.check_elu(ex.elu_reference,
                        lambda x, a=1.0: np.where(x > 0, 1.0, ex.elu_reference(x, a) + a))


def test_elu_reference_matches_its_definition_and_numerical_derivative():
    x = np.array([-3.0, -0.7, 0.4, 2.0])
    assert np.allclose(ex.elu_reference(x, 0.5), [0.5 * (np.exp(-3) - 1), 0.5 * (np.exp(-0.7) - 1), 0.4, 2])
    h = 1e-6
    num = (ex.elu_reference(x + h, 0.5) - ex.elu_reference(x - h, 0.5)) / (2 * h)
    assert np.allclose(ex.elu_grad_reference(x, 0.5), num, atol=1e-6)


@pytest.mark.parametrize("elu,grad,words", [
    (lambda x, a=1.0: np.where(x > 0, x, a * np.exp(x)), None, "α·(eˣ − 1)"),
    (lambda x, a=1.0: np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1), None, "scaled by alpha"),
    (lambda x, a=1.0: a * (np.exp(x) - 1), None, "simply x"),
    (None, lambda x, a=1.0: np.where(x > 0, 1.0, 0.0), "ReLU's derivative"),
    (None, lambda x, a=1.0: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0))), "keeps the factor α"),
    (None, lambda x, a=1.0: np.where(x > 0, 1.0, a * (np.exp(np.minimum(x, 0)) - 1)), "ELU itself"),
    (None, lambda x, a=1.0: np.where(x > 0, a, a * np.exp(np.minimum(x, 0))), "slope is 1"),
    (lambda x, a=1.0: None, None, "returned None"),
])
def test_elu_check_names_the_mistake(elu, grad, words):
    r = ex.check_elu(elu or ex.elu_reference, grad or ex.elu_grad_reference)
    assert not r and words in r.message, r.message


def test_elu_check_reports_not_written_yet():
    def todo(x, alpha=1.0):
        raise NotImplementedError
    r = ex.check_elu(todo, todo)
    assert not r and "not written yet" in r.message


def test_tanh_from_sigmoid_check():
    sig = lambda x: 1 / (1 + np.exp(-x))               # noqa: E731
    assert ex.check_tanh_from_sigmoid(lambda x: 2 * sig(2 * x) - 1)
    r = ex.check_tanh_from_sigmoid(lambda x: 2 * sig(x) - 1)
    assert not r and "tanh(x/2)" in r.message
    r = ex.check_tanh_from_sigmoid(lambda x: sig(2 * x))
    assert not r and "x = " in r.message


def test_dead_units_reference_is_independently_right():
    x, W, b = ex.dead_units_problem()
    dead = [j for j in range(W.shape[1])
            if max(sum(x[i, k] * W[k, j] for k in range(2)) + b[j] for i in range(len(x))) <= 0]
    assert ex.dead_units_reference() == dead == [3, 4]


def test_dead_units_check_explains_both_kinds_of_mistake():
    assert ex.check_dead_units([3, 4]) and ex.check_dead_units(np.array([4, 3]))
    r = ex.check_dead_units([1, 3, 4])       # negative weights, but a positive bias: alive
    assert not r and "unit 1 is alive" in r.message
    r = ex.check_dead_units([3])             # positive weights, but a bias far below: dead
    assert not r and "unit 4 is dead" in r.message
    assert not ex.check_dead_units([9])
    assert not ex.check_dead_units("three")


def test_tanh_is_two_sigmoid_of_two_x_minus_one_not_two_sigmoid_minus_one():
    """Lesson 3 §3 box: tanh(x) = 2σ(2x) − 1 and 2σ(x) − 1 = tanh(x/2) hold to rounding; the loose
    '2·sigmoid − 1' misses tanh by up to 0.300 on [−8, 8]."""
    from nnutils.activations import sigmoid, tanh
    xs = np.linspace(-8, 8, 10_001)
    sig = lambda v: 1 / (1 + np.exp(-v))               # noqa: E731  (independent of the package)
    for s in (sig, sigmoid):
        assert np.max(np.abs(np.tanh(xs) - (2 * s(2 * xs) - 1))) < 1e-15
        assert np.max(np.abs(np.tanh(xs / 2) - (2 * s(xs) - 1))) < 1e-15
        gap = np.max(np.abs(np.tanh(xs) - (2 * s(xs) - 1)))
        assert round(gap, 3) == 0.300
    assert np.max(np.abs(tanh(xs) - np.tanh(xs))) < 1e-15
