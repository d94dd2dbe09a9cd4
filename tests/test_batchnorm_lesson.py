"""Lesson 6 (batch normalization): the notebook's claims, the experiment helpers and the demo."""
import numpy as np
import pytest

from nnutils.demos.batchnorm import (HIST_BINS, BatchNormDemo, hidden_activations, lecture_setup,
                                     train_run)
from nnutils.exercises import lesson06 as ex
from nnutils.layers import BatchNorm
from nnutils.model import mlp


def numerical_derivative(f, arr, i, h=1e-6):
    old = arr[i]
    arr[i] = old + h
    fp = f()
    arr[i] = old - h
    fm = f()
    arr[i] = old
    return (fp - fm) / (2 * h)


# ---------------------------------------------------------------- the notebook's claims
def test_gamma_and_beta_can_undo_the_normalisation():
    x = np.random.default_rng(0).normal(3.0, 2.0, (64, 8))
    bn = BatchNorm(8, dtype=np.float64)
    bn.params["gamma"][:] = np.sqrt(x.var(axis=0) + bn.eps)
    bn.params["beta"][:] = x.mean(axis=0)
    np.testing.assert_allclose(bn.forward(x, train=True), x, atol=1e-10)


def test_a_batch_of_one_outputs_beta_and_passes_no_gradient():
    bn = BatchNorm(5, dtype=np.float64)
    bn.params["beta"][:] = np.arange(5.0)
    x = np.random.default_rng(1).normal(size=(1, 5))
    np.testing.assert_allclose(bn.forward(x, train=True), bn.params["beta"][None, :])
    np.testing.assert_allclose(bn.backward(np.ones((1, 5))), 0.0, atol=1e-12)


def test_a_bias_right_before_bn_has_zero_gradient():
    model = mlp([6, 4, 3], batchnorm=True, seed=0, dtype=np.float64)
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(10, 6)), rng.integers(0, 3, 10)
    model.gradient(x, y)
    assert np.abs(model.grads["b1"]).max() < 1e-12
    assert np.abs(model.grads["W1"]).max() > 1e-3
    # independently: nudging b1 does not change the loss at all
    b1 = model.params["b1"]
    assert abs(numerical_derivative(lambda: model.loss(x, y), b1, 0)) < 1e-8


def test_exercise_references_agree_with_the_package_layer():
    rng = np.random.default_rng(3)
    x, dout = rng.normal(1.0, 2.0, (12, 4)), rng.normal(size=(12, 4))
    bn = BatchNorm(4, dtype=np.float64)
    bn.params["gamma"][:] = rng.uniform(0.5, 2, 4)
    bn.params["beta"][:] = rng.normal(size=4)
    out = bn.forward(x, train=True)
    np.testing.assert_allclose(out, ex.bn_forward_reference(x, bn.params["gamma"], bn.params["beta"]),
                               rtol=1e-10)
    dx = bn.backward(dout)
    rdx, rdg, rdb = ex.bn_backward_reference(dout, x, bn.params["gamma"])
    np.testing.assert_allclose(dx, rdx, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(bn.grads["gamma"], rdg, rtol=1e-10)
    np.testing.assert_allclose(bn.grads["beta"], rdb, rtol=1e-10)


# ---------------------------------------------------------------- experiment helpers
def test_hidden_activations_one_per_relu_and_leaves_running_stats_alone():
    x, _ = lecture_setup()
    model = mlp([784, 50, 50, 50, 10], batchnorm=True, seed=0)
    before = model.state()
    acts = hidden_activations(model, x[:200], train=True)
    assert [a.shape for a in acts] == [(200, 50)] * 3
    for key, value in model.state().items():
        np.testing.assert_array_equal(value, before[key], err_msg=key)
    # with batch statistics and gamma=1, beta=0 each unit is ~N(0,1) before the ReLU: half are cut
    for a in acts:
        assert 0.4 < np.mean(a > 0) < 0.6
        assert np.all(a >= 0)


def test_the_sweep_shape_at_a_small_scale():
    # scale 0.01: without BN the activations vanish and nothing learns; with BN it trains
    _, with_bn = train_run(0.01, True, epochs=5)
    _, without = train_run(0.01, False, epochs=5)
    assert with_bn.train_acc[-1] > 0.5, with_bn.train_acc
    assert without.train_acc[-1] < 0.2, without.train_acc


def test_scale_one_without_bn_diverges_and_says_so():
    _, hist = train_run(1.0, False, epochs=2)
    assert hist.diverged and "diverged" in hist.diverged


# ---------------------------------------------------------------- the demo
@pytest.fixture(scope="module")
def demo():
    return BatchNormDemo(epochs=3)


def test_demo_bn_toggle_changes_the_curve_and_keeps_the_previous_one(demo):
    demo.set(batchnorm=True, scale=0.01, lr=0.01)
    with_bn = np.array(demo.line.get_ydata())
    demo.set(batchnorm=False)
    assert demo.error is None
    without = np.array(demo.line.get_ydata())
    assert len(with_bn) == len(without) == 3
    assert not np.allclose(with_bn, without)
    np.testing.assert_allclose(demo.prev_line.get_ydata(), with_bn)
    assert "BN, scale 0.01" in demo.prev_line.get_label()


def test_demo_histograms_show_collapse_without_bn_and_spread_with_it(demo):
    demo.set(batchnorm=False, scale=1e-4, lr=0.01)
    first_bin = [s.get_data().values[0] for s in demo.hist_init]
    assert all(v > 0.99 for v in first_bin[1:]), first_bin          # everything ≈ 0
    demo.set(batchnorm=True, scale=0.01)
    first_bin = [s.get_data().values[0] for s in demo.hist_init]
    assert all(0.4 < v < 0.8 for v in first_bin), first_bin         # the ReLU zeros, no more
    # below std ≈ √eps the pre-activations are too small for BN to rescale: collapse again
    demo.set(scale=1e-4)
    first_bin = [s.get_data().values[0] for s in demo.hist_init]
    assert first_bin[-1] > 0.99 > first_bin[0], first_bin
    total = [s.get_data().values.sum() for s in demo.hist_after]
    np.testing.assert_allclose(total, 1.0)
    assert len(HIST_BINS) - 1 == len(demo.hist_init[0].get_data().values)


def test_demo_divergence_is_a_message_not_an_error(demo):
    demo.set(batchnorm=False, scale=1.0, lr=1.0)
    assert demo.error is None
    assert "diverged" in demo._message.get_text()
    assert len(demo.line.get_ydata()) == 0
    demo.set(batchnorm=True, scale=0.01, lr=0.01)
    assert not demo._message.get_visible()


def test_demo_remembers_a_setting_instead_of_retraining(demo):
    demo.set(batchnorm=True, scale=0.05, lr=0.02)
    first = np.array(demo.line.get_ydata())
    demo.set(batchnorm=False)
    demo.set(batchnorm=True)
    assert "cached" in demo.status.value
    np.testing.assert_array_equal(demo.line.get_ydata(), first)


def test_batch_norm_makes_a_layer_blind_to_its_weight_scale():
    """Lesson 6 §5: W2 ten times larger leaves the loss as it is and the gradient 10x smaller,
    which is why BN trains slower at large initial scales."""
    x, y = lecture_setup()
    net = mlp([784] + [100] * 5 + [10], init="normal", std=0.01, batchnorm=True, seed=0)
    loss_1 = net.gradient(x[:100], y[:100])
    grad_1 = np.linalg.norm(net.grads["W2"])
    net.params["W2"] *= 10
    loss_10 = net.gradient(x[:100], y[:100])
    assert loss_10 == pytest.approx(loss_1, abs=1e-3)
    assert grad_1 / np.linalg.norm(net.grads["W2"]) == pytest.approx(10, rel=0.02)
