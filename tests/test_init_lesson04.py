"""Lesson 4: the activation-histogram experiment and demo, and the exercise checks."""
import numpy as np
import pytest

from nnutils.demos import initialization as D
from nnutils.experiments import initialization as E
from nnutils.exercises import lesson04 as ex


def reference_activations(activation, std, seed=0):
    """The lecture's loop written out independently: randn inputs, randn*std weights."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
         "relu": lambda z: np.maximum(z, 0)}[activation]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1000, 100))
    out = []
    for _ in range(5):
        x = f(x @ (rng.standard_normal((100, 100)) * std))
        out.append(x)
    return out


@pytest.mark.parametrize("activation,init,std", [
    ("sigmoid", "normal", 1.0), ("tanh", "xavier", np.sqrt(1 / 100)), ("relu", "he", np.sqrt(2 / 100))])
def test_layer_activations_is_the_lecture_experiment(activation, init, std):
    got = E.layer_activations(activation, init, 1.0 if init == "normal" else None)
    want = reference_activations(activation, std)
    assert len(got) == 5
    for g, w in zip(got, want):
        assert g.shape == (1000, 100)
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_layer_gradient_stds_match_the_engine_layers_backward():
    from nnutils.layers import Linear, Tanh
    acts = E.layer_activations("tanh", "normal", 0.3, n=20, width=8, depth=3, seed=4)
    g_act, g_w = E.layer_gradient_stds("tanh", "normal", 0.3, n=20, width=8, depth=3, seed=4)
    # rebuild the same net with engine layers (bias 0) and backpropagate the same dL/da
    rng = np.random.default_rng(4)
    x = rng.standard_normal((20, 8))
    layers = []
    for _ in range(3):
        lin = Linear(8, 8, dtype=np.float64)
        lin.params["W"][...] = rng.standard_normal((8, 8)) * 0.3
        lin.params["b"][...] = 0
        layers += [lin, Tanh()]
    h = x
    for layer in layers:
        h = layer.forward(h)
    np.testing.assert_allclose(h, acts[-1], rtol=1e-12)
    d = rng.standard_normal((20, 8))
    want_act, want_w = [], []
    for lin, act in zip(layers[-2::-2], layers[::-2]):
        want_act.append(d.std())
        d = lin.backward(act.backward(d))
        want_w.append((lin.grads["W"] / 20).std())        # the demo averages over the batch
    np.testing.assert_allclose(g_act, want_act[::-1], rtol=1e-10)
    np.testing.assert_allclose(g_w, want_w[::-1], rtol=1e-10)


def test_gradients_vanish_with_small_std_and_hold_with_he():
    small, _ = E.layer_gradient_stds("relu", "normal", 0.01)
    he, _ = E.layer_gradient_stds("relu", "he")
    big, _ = E.layer_gradient_stds("relu", "normal", 1.0)
    assert small[0] / small[-1] < 1e-4          # vanished by layer 1
    assert 0.3 < he[0] / he[-1] < 3             # roughly preserved
    assert big[0] / big[-1] > 1e3               # exploded


def test_layer_stats_fractions():
    a = np.array([0.001, 0.5, 0.995, 0.3])
    assert E.layer_stats(a, "sigmoid")[2] == pytest.approx(0.5)
    assert E.layer_stats(np.array([-0.995, 0.0, 0.2, 0.999]), "tanh")[2] == pytest.approx(0.5)
    assert E.layer_stats(np.array([0.0, 0.0, 3.0, 0.1]), "relu") == pytest.approx((0.775, np.std([0, 0, 3, .1]), 0.5))


# --- the demo -----------------------------------------------------------------------------

def panel_counts(demo):
    return [s.get_data() for s in demo.stairs]


def test_demo_shows_the_same_numbers_as_the_experiment():
    demo = D.HistogramDemo(activation="tanh", init="normal", std=0.5)
    acts = reference_activations("tanh", 0.5)
    for l, (a, text) in enumerate(zip(acts, demo.texts)):
        values, edges = demo.stairs[l].get_data().values, demo.stairs[l].get_data().edges
        counts, _ = np.histogram(np.clip(a, -1, 1), edges)
        np.testing.assert_allclose(values, counts / a.size, atol=1e-12)
        assert f"{a.std():.3g}" in text.get_text()
        assert f"{100 * np.mean(np.abs(a) > 0.99):.1f}%" in text.get_text()


def test_demo_updates_artists_in_place_with_fixed_bins_per_activation():
    demo = D.HistogramDemo()
    stairs, texts, axes = list(demo.stairs), list(demo.texts), list(demo.axes)
    n_artists = [len(ax.get_children()) for ax in demo.axes]
    edges = demo.stairs[0].get_data().edges.copy()
    demo.set(std=0.05)
    assert np.array_equal(demo.stairs[0].get_data().edges, edges)   # same activation: same bins
    for name in E.PRESETS:
        demo.apply_preset(name)
    assert demo.stairs == stairs and demo.texts == texts and list(demo.axes) == axes
    assert [len(ax.get_children()) for ax in demo.axes] == n_artists


def test_histogram_ranges_show_negative_tanh_and_relu_above_one():
    demo = D.HistogramDemo(activation="tanh", init="xavier")
    edges = demo.stairs[0].get_data().edges
    assert edges[0] <= -1 and demo.axes[0].get_xlim()[0] <= -1
    values = demo.stairs[0].get_data().values
    assert values[edges[:-1] < 0].sum() > 0.4            # the negative half is drawn
    demo.set(activation="relu", init="he")
    edges = demo.stairs[4].get_data().edges
    values = demo.stairs[4].get_data().values
    assert demo.axes[4].get_xlim()[1] >= 4
    assert values[edges[:-1] >= 1].sum() > 0.1           # ReLU values above 1 are drawn


def test_relu_panels_report_zeros_and_overflow():
    demo = D.HistogramDemo(activation="relu", init="normal", std=1.0)
    acts = reference_activations("relu", 1.0)
    assert f"{100 * np.mean(acts[0] == 0):.1f}%" in demo.texts[0].get_text()
    assert "> 5" in demo.overflow[4].get_text()           # exploded values are not hidden
    demo.set(init="he")
    assert demo.overflow[0].get_text() == ""


def test_presets_show_the_lectures_cases():
    demo = D.HistogramDemo()

    def layer5(name):
        demo.apply_preset(name)
        acts = E.layer_activations(**E.PRESETS[name])
        return E.layer_stats(acts[-1], E.PRESETS[name]["activation"])

    assert layer5("sigmoid std=1 (saturation)")[2] > 0.4           # piles up at 0 and 1
    mean, std, _ = layer5("sigmoid std=0.01 (all alike)")
    assert abs(mean - 0.5) < 0.01 and std < 0.02                  # collapsed near 0.5
    assert layer5("sigmoid Xavier")[1] > 0.1                       # spread
    assert layer5("ReLU std=0.01 (collapse)")[1] < 1e-5             # collapsed to 0
    x_std = [E.layer_stats(a, "relu")[1] for a in E.layer_activations("relu", "xavier")]
    h_std = [E.layer_stats(a, "relu")[1] for a in E.layer_activations("relu", "he")]
    assert x_std[4] < 0.5 * x_std[0]                                # Xavier shrinks with depth
    assert 0.7 < h_std[4] / h_std[0] < 1.5                          # He stays put


def test_histogram_demo_code_runs():
    demo = D.HistogramDemo(activation="relu", init="normal", std=0.02)
    ns = {}
    exec(demo.code_text(), ns)
    assert len(ns["acts"]) == 5


def test_histogram_demo_extremes_raise_nothing():
    demo = D.HistogramDemo()
    for act in ("sigmoid", "tanh", "relu"):
        for std in (1e-3, 10.0):
            demo.set(activation=act, init="normal", std=std)
            assert demo.error is None


# --- exercises ------------------------------------------------------------------------------

def he_right(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)


@pytest.mark.parametrize("fn,words", [
    (lambda a, b, rng: rng.standard_normal((a, b)) * np.sqrt(1 / a), "Xavier"),
    (lambda a, b, rng: rng.standard_normal((a, b)) * (2 / a), "variance 2/n_in used as the std"),
    (lambda a, b, rng: rng.standard_normal((a, b)) * np.sqrt(2 / (a + b)), "Glorot"),
    (lambda a, b, rng: rng.standard_normal((a, b)) * np.sqrt(2 / b), "fan-in"),
    (lambda a, b, rng: rng.standard_normal((a, b)), "plain randn"),
    (lambda a, b, rng: rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / a), "uniform"),
    (lambda a, b, rng: rng.standard_normal((b, a)) * np.sqrt(2 / a), "shape"),
    (lambda a, b, rng: np.random.standard_normal((a, b)) * np.sqrt(2 / a), "rng"),
    (lambda a, b, rng: 1 + rng.standard_normal((a, b)) * np.sqrt(2 / a), "centred on 0"),
    (lambda a, b, rng: None, "returned None"),
])
def test_he_check_names_the_mistake(fn, words):
    assert ex.check_he_init(he_right)
    r = ex.check_he_init(fn)
    assert not r and words in r.message, r.message


def test_he_check_accepts_the_engine_initializer():
    from nnutils.init import initialize
    assert ex.check_he_init(lambda a, b, rng: initialize("he", (a, b), rng=rng, dtype=np.float64))


def test_saturating_preset_check():
    assert ex.check_saturating_preset("sigmoid std=1 (saturation)")
    r = ex.check_saturating_preset("sigmoid std=0.01 (all alike)")
    assert not r and "collapsed" in r.message
    r = ex.check_saturating_preset("ReLU He (stable)")
    assert not r and "ReLU" in r.message
    assert not ex.check_saturating_preset("nonsense")


def test_symmetry_check_and_the_claim_behind_it():
    from nnutils.data import make_gaussians
    from nnutils.model import mlp
    from nnutils.optim import SGD
    assert ex.check_symmetry(1) and not ex.check_symmetry(50) and not ex.check_symmetry(7)
    assert not ex.check_symmetry("many")
    # the claim itself, on a small problem: constant weights stay identical across units
    x, y = make_gaussians(200, centers=3, seed=0)
    m = mlp((2, 6, 3), activation="relu", seed=0)
    for k, v in m.params.items():
        v[...] = 0.3 if k.startswith("W") else 0.0
    opt = SGD(lr=0.1)
    for _ in range(50):
        m.gradient(x, y)
        opt.update(m.params, m.grads)
    W1 = m.params["W1"]
    assert np.ptp(W1, axis=1).max() < 1e-6 and np.abs(W1 - 0.3).max() > 1e-3


def test_sigmoid_outputs_settle_where_the_variance_fixed_point_says():
    """Lesson 4 §4: with Var(w) = 1/n, Var(z) = 0.25 + Var(z)/16, so from layer 2 on the sigmoid
    outputs have a std of about sqrt(4/15)/4 = 0.129, not the input's 1."""
    predicted = np.sqrt(0.25 / (1 - 1 / 16)) / 4
    stds = [a.std() for a in E.layer_activations("sigmoid", "xavier")]
    assert all(abs(s / predicted - 1) < 0.2 for s in stds[1:]), stds
    assert stds[0] > 1.4 * predicted                    # layer 1 still sees the N(0, 1) inputs


# --- §2 and §4 source-error boxes, §4 framework defaults ------------------------------------

def test_lecture_histogram_range_hides_half_of_tanh_and_a_quarter_of_relu():
    """Lesson 4 §2 box: plt.hist(a, 30, range=(0, 1)) drops tanh's negative half and every ReLU
    (He) value above 1; the course's ranges keep them."""
    for a in E.layer_activations("tanh", "xavier"):
        drawn = np.histogram(a, bins=30, range=(0, 1))[0].sum() / a.size
        below = np.mean(a < 0)
        assert 0.45 < below < 0.55 and drawn + below == pytest.approx(1.0)
    for a in E.layer_activations("relu", "he"):
        drawn = np.histogram(a, bins=30, range=(0, 1))[0].sum() / a.size
        above = np.mean(a > 1)
        assert 0.2 < above < 0.3 and drawn + above == pytest.approx(1.0)
    assert E.layer_activations("relu", "he")[-1].max() > 5          # "up to 10"
    assert D.HIST_RANGE["tanh"][0] <= -1 and D.HIST_RANGE["relu"][1] > 1


def test_lecture_code_draws_variance_one_over_n_not_its_square_root():
    """Lesson 4 §4 box: randn(n_in, n_out) / sqrt(n_in) has std sqrt(1/n_in), Var 1/n_in; reading
    'Var = sqrt(1/n_in)' literally would give std n_in^(-1/4), 5.3x larger for n_in = 784."""
    from nnutils.init import init_std, initialize
    n_in, n_out = 784, 100
    W = np.random.default_rng(5).standard_normal((n_in, n_out)) / np.sqrt(n_in)
    assert W.var() == pytest.approx(1 / n_in, rel=0.03)
    assert abs(W.var() - np.sqrt(1 / n_in)) > 0.9 * np.sqrt(1 / n_in)
    for name in ("lecun", "xavier", "he"):
        s = init_std(name, n_in, n_out)
        Wn = initialize(name, (n_in, n_out), rng=np.random.default_rng(6), dtype=np.float64)
        assert Wn.std() == pytest.approx(s, rel=0.02) and Wn.var() == pytest.approx(s ** 2, rel=0.04)
    assert (1 / n_in) ** 0.25 / np.sqrt(1 / n_in) == pytest.approx(5.3, abs=0.05)


def test_framework_default_formulas():
    """Lesson 4 §4: PyTorch nn.Linear's kaiming_uniform_(a=sqrt 5) is U(+-1/sqrt n_in), std
    1/sqrt(3 n_in) = 0.0206 for n_in = 784; Keras' glorot_uniform has std sqrt(2/(n_in+n_out))
    = 0.0476 (nnutils' "glorot_uniform" is the same)."""
    from nnutils.init import init_std, initialize
    n_in, n_out = 784, 100
    a = np.sqrt(5.0)
    gain = np.sqrt(2.0 / (1 + a ** 2))                       # kaiming's gain for leaky_relu(a)
    bound = gain * np.sqrt(3.0 / n_in)                       # kaiming_uniform_'s bound
    assert bound == pytest.approx(1 / np.sqrt(n_in))
    W = np.random.default_rng(7).uniform(-bound, bound, (n_in, n_out))
    assert W.std() == pytest.approx(1 / np.sqrt(3 * n_in), rel=0.02)
    assert 1 / np.sqrt(3 * n_in) == pytest.approx(0.0206, abs=5e-5)
    assert (1 / np.sqrt(3 * n_in)) / init_std("lecun", n_in) == pytest.approx(1 / np.sqrt(3))
    assert (1 / np.sqrt(3 * n_in)) / init_std("he", n_in) == pytest.approx(1 / np.sqrt(6))
    limit = np.sqrt(6.0 / (n_in + n_out))                    # Keras glorot_uniform
    Wk = initialize("glorot_uniform", (n_in, n_out), rng=np.random.default_rng(8), dtype=np.float64)
    assert np.abs(Wk).max() <= limit and np.abs(Wk).max() > 0.99 * limit
    assert Wk.std() == pytest.approx(limit / np.sqrt(3), rel=0.02)
    assert limit / np.sqrt(3) == pytest.approx(0.0476, abs=5e-5)


def test_pytorch_default_shrinks_relu_second_moment_to_one_sixth():
    """Lesson 4 §4: with W ~ U(+-1/sqrt n_in) a ReLU layer multiplies E[a^2] by 1/6 (He: by 1)."""
    from nnutils.init import initialize
    rng = np.random.default_rng(9)
    n_in = 400
    x = rng.standard_normal((2000, n_in))
    W = rng.uniform(-1 / np.sqrt(n_in), 1 / np.sqrt(n_in), (n_in, 200))
    assert np.mean(np.maximum(x @ W, 0) ** 2) == pytest.approx(1 / 6, rel=0.05)
    He = initialize("he", (n_in, 200), rng=rng, dtype=np.float64)
    assert np.mean(np.maximum(x @ He, 0) ** 2) == pytest.approx(1.0, rel=0.05)
