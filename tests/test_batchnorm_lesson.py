"""Lesson 6 (batch normalization): the notebook's claims, the experiment helpers and the demo."""
import numpy as np
import pytest

from nnutils.demos.batchnorm import HIST_BINS, BatchNormDemo
from nnutils.experiments.batchnorm import lecture_setup, relu_outputs, train_run
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
    assert abs(numerical_derivative(lambda: model.loss(x, y, train=True), b1, 0)) < 1e-8


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
def test_relu_outputs_one_per_relu_and_leave_running_stats_alone():
    x, _ = lecture_setup()
    model = mlp([784, 50, 50, 50, 10], batchnorm=True, seed=0)
    before = model.state()
    acts = relu_outputs(model, x[:200], train=True)
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


# ---------------------------------------------------------------- lesson 6: the lecture sources, the
# lecture code's one-image gradient check, the running variance, and BN's batch noise
def test_title_cell_names_the_lecture_sources():
    import json

    from conftest import NOTEBOOKS_DIR
    nb = json.loads((NOTEBOOKS_DIR / "06_batch_normalization.ipynb").read_text(encoding="utf-8"))
    title = "".join(nb["cells"][0]["source"])
    for name in ('"Weight Update" deck', "§6.3", "CS231n lecture 6", "Ioffe & Szegedy (2015)"):
        assert name in title, name


def _bn_net_with_nontrivial_gamma_beta(sizes, rng):
    net = mlp(sizes, batchnorm=True, seed=0, dtype=np.float64)
    for k in net.params:
        if k.startswith("gamma"):
            net.params[k][:] = rng.uniform(0.5, 2.0, net.params[k].shape)
        if k.startswith("beta"):            # positive: the ReLU after the last BN stays off its kink
            net.params[k][:] = rng.uniform(0.5, 1.5, net.params[k].shape)
    return net


def test_a_gradient_check_on_one_example_compares_zeros():
    """The lecture code checks BN backprop on x_train[:1]: everything before the last BN then has
    gradient exactly 0 both ways, so the check tests nothing there; on 10 examples it does."""
    from nnutils.gradcheck import check_model, numerical_gradient
    rng = np.random.default_rng(0)
    net = _bn_net_with_nontrivial_gamma_beta([12, 5, 5, 4], rng)
    x, y = rng.normal(size=(10, 12)), rng.integers(0, 4, 10)
    f1 = lambda _=None: net.loss(x[:1], y[:1], train=True)              # noqa: E731
    net.gradient(x[:1], y[:1])
    backprop = {k: g.copy() for k, g in net.grads.items()}
    for k in ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2"):
        assert np.all(backprop[k] == 0.0), k
        assert np.all(numerical_gradient(f1, net.params[k]) == 0.0), k
    for k in ("beta2", "W3", "b3"):
        assert np.abs(backprop[k]).max() > 1e-3, k
    # a batch of 10: real gradients for x-side parameters, matching the numerical ones
    net.gradient(x, y)
    for k in ("W1", "gamma1", "beta1", "W2", "gamma2"):
        assert np.abs(net.grads[k]).max() > 1e-3, k
    errors = check_model(net, x, y)
    assert max(errors[k] for k in ("W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3")) < 1e-6, errors


@pytest.mark.parametrize("m", [8, 100])
def test_nnutils_running_var_keeps_the_biased_batch_variance(m):
    x = np.random.default_rng(m).normal(2.0, 3.0, (m, 6))
    biased = ((x - x.mean(axis=0)) ** 2).sum(axis=0) / m
    unbiased = ((x - x.mean(axis=0)) ** 2).sum(axis=0) / (m - 1)
    bn = BatchNorm(6, momentum=0.0, dtype=np.float64)
    bn.forward(x, train=True)
    np.testing.assert_allclose(bn.running_var, biased, rtol=1e-12)
    assert not np.allclose(bn.running_var, unbiased, rtol=1e-3)
    np.testing.assert_allclose(unbiased / bn.running_var, m / (m - 1), rtol=1e-12)   # PyTorch's stored value
    default = BatchNorm(6, dtype=np.float64)                  # momentum 0.9 (kept), starting from ones
    default.forward(x, train=True)
    np.testing.assert_allclose(default.running_var, 0.9 * 1.0 + 0.1 * biased, rtol=1e-12)


def test_an_images_bn_output_depends_on_its_companions_and_less_so_in_big_batches():
    x, _ = lecture_setup(4000)
    w = np.random.default_rng(1).normal(0.0, np.sqrt(2 / 784), (784, 50))
    rng = np.random.default_rng(2)

    def bn(z):                                                   # training-mode BN, γ = 1, β = 0
        return (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + 1e-5)

    def change(m):
        rel = []
        for _ in range(10):
            a, b = (bn(np.concatenate([x[:1], x[1 + rng.choice(len(x) - 1, m - 1, replace=False)]]) @ w)[0]
                    for _ in range(2))
            rel.append(np.linalg.norm(a - b) / np.linalg.norm(a))
        return np.mean(rel)

    c10, c100, c1000 = change(10), change(100), change(1000)
    assert c10 > 0.25 and c10 > c100 > c1000 > 0.01, (c10, c100, c1000)
    assert 5 < c10 / c1000 < 20, (c10, c1000)                    # roughly 1/sqrt(m): sqrt(100) = 10


def test_fixed_companions_cost_bn_test_accuracy_but_not_the_plain_net():
    """Lesson 6 §8: BN's batch noise regularizes (fixed companions lower BN's test accuracy) while the
    plain net does not care; and BN with its noise still does not beat the plain net there."""
    from nnutils.data import load_mnist
    from nnutils.optim import SGD
    from nnutils.train import fit
    mnist = load_mnist()
    x, y = mnist.x_train[:200].astype(np.float64), mnist.y_train[:200]

    def test_acc(batchnorm, new_companions, seed):
        net = mlp([784, 100, 100, 10], batchnorm=batchnorm, seed=seed)
        opt = SGD(lr=0.05)
        if new_companions:                                       # fit reshuffles every epoch
            fit(net, opt, x, y, epochs=15, batch_size=10, seed=seed, progress=False)
        else:
            rng = np.random.default_rng(seed)
            groups = rng.permutation(200).reshape(20, 10)
            for _ in range(15):
                for g in rng.permutation(20):
                    net.gradient(x[groups[g]], y[groups[g]])
                    opt.update(net.params, net.grads)
        return net.accuracy(mnist.x_test, mnist.y_test)

    acc = {(bn, new): np.array([test_acc(bn, new, s) for s in (0, 1)])
           for bn in (True, False) for new in (True, False)}
    assert np.all(acc[True, True] - acc[True, False] > 0.015), acc
    assert np.all(np.abs(acc[False, True] - acc[False, False]) < 0.015), acc
    assert acc[False, True].mean() >= acc[True, True].mean(), acc
