"""Optimizers against steps computed by hand and against their textbook forms."""

import math

import numpy as np
import pytest

from nnutils import optim as O


def _p(*values):
    return {"w": np.array(values, dtype=np.float64)}


def _run(opt, p, grads):
    for g in grads:
        opt.update(p, {"w": np.array(g, dtype=np.float64)})
    return p["w"]


def test_sgd_one_step_by_hand():
    p = _p(1.0, 2.0)
    O.SGD(lr=0.1).update(p, {"w": np.array([0.5, -1.0])})
    np.testing.assert_allclose(p["w"], [0.95, 2.1])


def test_momentum_two_steps_by_hand():
    opt = O.Momentum(lr=0.1, momentum=0.9)
    w = _run(opt, _p(1.0), [[1.0], [0.5]])
    # v1 = -0.1, p1 = 0.9;  v2 = 0.9 * -0.1 - 0.1 * 0.5 = -0.14, p2 = 0.76
    np.testing.assert_allclose(w, [0.76])
    np.testing.assert_allclose(opt.v["w"], [-0.14])


def test_adagrad_two_steps_by_hand():
    w = _run(O.AdaGrad(lr=0.1, eps=1e-7), _p(1.0), [[2.0], [1.0]])
    expected = 1.0 - 0.1 * 2 / (math.sqrt(4) + 1e-7) - 0.1 * 1 / (math.sqrt(5) + 1e-7)
    np.testing.assert_allclose(w, [expected], rtol=1e-14)


def test_rmsprop_two_steps_by_hand():
    opt = O.RMSProp(lr=0.1, decay=0.9, eps=1e-7)
    w = _run(opt, _p(1.0), [[2.0], [1.0]])
    h1 = 0.1 * 4                       # 0.9 * 0 + 0.1 * 2^2
    h2 = 0.9 * h1 + 0.1 * 1
    expected = 1.0 - 0.1 * 2 / (math.sqrt(h1) + 1e-7) - 0.1 * 1 / (math.sqrt(h2) + 1e-7)
    np.testing.assert_allclose(w, [expected], rtol=1e-14)
    np.testing.assert_allclose(opt.cache["w"], [h2])


def test_adam_bias_correction_at_t1():
    # m1 = 0.1 g, v1 = 0.001 g^2 -> m^ = g, v^ = g^2 -> step = lr * g / (|g| + eps): about lr * sign(g)
    g = np.array([0.5, -2.0, 1e-3])
    opt = O.Adam(lr=0.01)
    p = _p(0.0, 0.0, 0.0)
    opt.update(p, {"w": g.copy()})
    np.testing.assert_allclose(p["w"], -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(opt.m["w"], 0.1 * g)
    np.testing.assert_allclose(opt.v["w"], 0.001 * g * g)
    assert opt.t == 1
    # without the correction m and v are used as they are (biased towards 0 at the start)
    q = _p(0.0, 0.0, 0.0)
    O.AdamNoBiasCorrection(lr=0.01).update(q, {"w": g.copy()})
    np.testing.assert_allclose(q["w"], -0.01 * (0.1 * g) / (np.sqrt(0.001 * g * g) + 1e-8), rtol=1e-12)


def test_adam_tiny_gradient_shows_where_eps_sits():
    # eps is added after the square root of the bias-corrected v:  g / (|g| + eps)
    g, eps, lr = 1e-9, 1e-8, 0.1
    p = _p(0.0)
    O.Adam(lr=lr, eps=eps).update(p, {"w": np.array([g])})
    paper = -lr * g / (abs(g) + eps)                       # = -lr / 11
    assert p["w"][0] == pytest.approx(paper, rel=1e-9)
    # where eps could have gone instead gives a very different step at this scale:
    inside_sqrt = -lr * g / math.sqrt(g * g + eps)          # eps under the root: ~1e-5 x smaller
    m1, v1 = 0.1 * g, 0.001 * g * g                         # eps on the uncorrected sqrt(v):
    lr_t = lr * math.sqrt(1 - 0.999) / (1 - 0.9)
    uncorrected = -lr_t * m1 / (math.sqrt(v1) + eps)        # ~3x smaller
    assert abs(inside_sqrt) < abs(paper) / 1000
    assert abs(uncorrected) < abs(paper) / 2


def _adam_reference(p, grads, lr, b1, b2, eps):
    """The algorithm exactly as printed in Kingma & Ba (2015), Algorithm 1."""
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_adam_matches_the_paper_over_several_steps():
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) * s for s in (1.0, 0.1, 3.0, 1e-4, 0.5)]
    p = {"w": p0.copy()}
    opt = O.Adam(lr=0.05, beta1=0.8, beta2=0.99, eps=1e-6)
    for g in grads:
        opt.update(p, {"w": g})
    np.testing.assert_allclose(p["w"], _adam_reference(p0, grads, 0.05, 0.8, 0.99, 1e-6), rtol=1e-12)
    assert opt.t == 5


def _quadratic_grad(p):
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    return A @ p


def test_momentum_agrees_with_the_textbook_velocity_form():
    # alternative textbook form: v <- mu v + g; p <- p - lr v   (same trajectory for constant lr)
    lr, mu = 0.05, 0.9
    p = {"w": np.array([1.0, -2.0])}
    opt = O.Momentum(lr=lr, momentum=mu)
    q, v = np.array([1.0, -2.0]), np.zeros(2)
    for _ in range(30):
        opt.update(p, {"w": _quadratic_grad(p["w"])})
        v = mu * v + _quadratic_grad(q)
        q = q - lr * v
        np.testing.assert_allclose(p["w"], q, rtol=1e-12, atol=1e-14)


def test_nesterov_agrees_with_the_textbook_lookahead_form():
    # textbook: v <- mu v - lr grad(q + mu v); q <- q + v.  Our update tracks p = q + mu v.
    lr, mu = 0.05, 0.9
    q, v = np.array([1.0, -2.0]), np.zeros(2)
    p = {"w": q + mu * v}
    opt = O.Nesterov(lr=lr, momentum=mu)
    for _ in range(30):
        v = mu * v - lr * _quadratic_grad(q + mu * v)
        q = q + v
        opt.update(p, {"w": _quadratic_grad(p["w"])})
        np.testing.assert_allclose(p["w"], q + mu * v, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(opt.v["w"], v, rtol=1e-12, atol=1e-14)


def test_nesterov_first_step_by_hand():
    p = _p(1.0)
    O.Nesterov(lr=0.1, momentum=0.9).update(p, {"w": np.array([1.0])})
    np.testing.assert_allclose(p["w"], [1.0 - 1.9 * 0.1])     # v = 0: p -= (1 + mu) lr g


@pytest.mark.parametrize("name", O.OPTIMIZERS)
def test_every_optimizer_descends_a_bowl_in_place(name):
    p = {"xy": np.array([3.0, -2.0])}
    arr = p["xy"]
    opt = O.make_optimizer(name, lr=0.1)
    start = float(arr @ arr)
    for _ in range(50):
        opt.update(p, {"xy": 2 * p["xy"]})
    assert p["xy"] is arr                                   # updated in place
    assert float(arr @ arr) < start


@pytest.mark.parametrize("name", O.OPTIMIZERS)
def test_float32_stays_float32(name):
    p = {"W1": np.ones((3, 2), dtype=np.float32), "b1": np.zeros(2, dtype=np.float32)}
    g = {"W1": np.full((3, 2), 0.5, dtype=np.float32), "b1": np.ones(2, dtype=np.float32)}
    opt = O.make_optimizer(name)
    for _ in range(3):
        opt.update(p, g)
    assert p["W1"].dtype == np.float32 and p["b1"].dtype == np.float32
    for attr in ("v", "m", "cache"):
        for arr in getattr(opt, attr, {}).values():
            assert arr.dtype == np.float32


def test_state_is_readable_and_keyed_like_params():
    p = {"W1": np.ones(2), "b1": np.ones(1)}
    g = {"W1": np.ones(2), "b1": np.ones(1)}
    for opt, attrs in [(O.Momentum(), ["v"]), (O.Nesterov(), ["v"]), (O.AdaGrad(), ["cache"]),
                       (O.RMSProp(), ["cache"]), (O.Adam(), ["m", "v"])]:
        opt.update(p, g)
        for attr in attrs:
            assert set(getattr(opt, attr)) == {"W1", "b1"}
    opt.reset()
    assert opt.t == 0 and opt.m == {}


def test_lr_is_settable_for_schedules():
    opt = O.SGD(lr=0.1)
    opt.lr = 0.5
    p = _p(1.0)
    opt.update(p, {"w": np.array([1.0])})
    np.testing.assert_allclose(p["w"], [0.5])
    opt.lr = 0.0                                           # e.g. the first step of a warm-up
    with pytest.raises(ValueError, match="lr must be a number >= 0"):
        opt.lr = -1.0


@pytest.mark.parametrize("name", O.OPTIMIZERS)
@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1"])
def test_bad_learning_rates(name, lr):
    with pytest.raises(ValueError, match="learning rate lr must be a number > 0"):
        O.make_optimizer(name, lr=lr)


def test_bad_hyperparameters_and_names():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        O.Momentum(momentum=1.0)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\)"):
        O.Adam(beta2=1.5)
    with pytest.raises(ValueError, match="eps must be"):
        O.RMSProp(eps=0)
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamw'; expected one of \('sgd'"):
        O.make_optimizer("adamw")
    assert isinstance(O.make_optimizer("RMSprop"), O.RMSProp)
    assert isinstance(O.make_optimizer("rms-prop"), O.RMSProp)
    assert isinstance(O.make_optimizer("Ada_Grad"), O.AdaGrad)
    assert O.OPTIMIZERS == ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


def test_mismatched_grads():
    opt = O.SGD()
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(3,\), expected \(2,\)"):
        opt.update(_p(1.0, 2.0), {"w": np.ones(3)})
    with pytest.raises(ValueError, match="grads has no entry 'w'"):
        opt.update(_p(1.0), {})
    with pytest.raises(TypeError, match="float numpy array"):
        opt.update({"w": [1.0]}, {"w": np.ones(1)})


def test_state_changes_from_outside_are_respected():
    params = {"W1": np.ones((3, 2)), "b1": np.zeros(2)}
    grads = {k: np.ones_like(p) for k, p in params.items()}
    opt = O.Momentum(lr=0.1, momentum=0.5)
    opt.update(params, grads)
    opt.v["W1"][...] = 0.0                      # edit the state in place
    before = params["W1"].copy()
    opt.update(params, grads)
    np.testing.assert_allclose(params["W1"], before - 0.1)          # v = 0.5 * 0 - 0.1
    opt.v = {}                                   # or replace it entirely: starts from zero again
    before = params["W1"].copy()
    opt.update(params, grads)
    np.testing.assert_allclose(params["W1"], before - 0.1)
    assert opt.v["W1"].shape == params["W1"].shape


def test_a_subset_of_the_parameters_leaves_the_rest_alone():
    from nnutils.model import mlp
    model = mlp([6, 5, 3], seed=1)
    b1 = model.params["b1"].copy()
    sub = {"W1": model.params["W1"]}
    O.SGD(lr=0.1).update(sub, {"W1": np.ones_like(sub["W1"])})
    np.testing.assert_array_equal(model.params["b1"], b1)


@pytest.mark.parametrize("name", O.OPTIMIZERS + ("adam_no_bias_correction",))
def test_update_bodies_are_the_slide_lines_keyed_like_the_params(name):
    """The update a lesson prints: a loop over the keys of params, the rule written with
    params[key], grads[key] and the state dicts -- no scratch buffers, no out= tricks."""
    import inspect
    cls = O.AdamNoBiasCorrection if name == "adam_no_bias_correction" else type(O.make_optimizer(name))
    body = inspect.getsource(cls.update)
    assert "for key in params:" in body
    assert "grads[key]" in body and "params[key]" in body
    for trick in ("out=", "_groups", "np.multiply", "np.divide", "scratch"):
        assert trick not in body, f"{cls.__name__}.update uses {trick}"
    assert len(body.splitlines()) <= 10
