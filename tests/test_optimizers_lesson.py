"""Lesson 5: the exercise checks (Momentum, Adam) and the specifics of the lesson's demos."""
import numpy as np
import pytest

from nnutils.exercises.lesson05 import adam_cases, check_adam, check_momentum


# --- learners' answers, written here independently of nnutils.optim --------------------------
class GoodMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, {}

    def update(self, params, grads):
        for k in params:
            self.v.setdefault(k, np.zeros_like(params[k]))
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] += self.v[k]


class GoodAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        for k in params:
            m = self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
            v = self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
            m_hat = m / (1 - self.b1 ** self.t)
            v_hat = v / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def test_reference_answers_pass():
    r = check_momentum(GoodMomentum)
    assert r, r.message
    r = check_adam(GoodAdam)
    assert r, r.message


def test_adam_first_step_is_lr_times_sign():
    # the checks include Adam's first step: with bias correction it moves by ≈ lr·sign(g)
    kwargs, p0, grads = adam_cases()[0]
    assert len(grads) == 1
    p = {k: v.copy() for k, v in p0.items()}
    GoodAdam(**kwargs).update(p, grads[0])
    np.testing.assert_allclose(p["W"] - p0["W"], -kwargs["lr"] * np.sign(grads[0]["W"]), rtol=1e-4)


class MomentumPlus(GoodMomentum):
    def update(self, params, grads):
        for k in params:
            self.v.setdefault(k, np.zeros_like(params[k]))
            self.v[k] = self.momentum * self.v[k] + self.lr * grads[k]
            params[k] += self.v[k]


class MomentumForgets(GoodMomentum):
    def update(self, params, grads):
        self.v = {}
        super().update(params, grads)


class MomentumNotInPlace(GoodMomentum):
    def update(self, params, grads):
        for k in params:
            self.v.setdefault(k, np.zeros_like(params[k]))
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] = params[k] + self.v[k]


class MomentumTodo:
    def __init__(self, lr=0.01, momentum=0.9):
        pass

    def update(self, params, grads):
        raise NotImplementedError


@pytest.mark.parametrize("cls,words", [
    (MomentumPlus, "− lr·dx"),
    (MomentumForgets, "kept between calls"),
    (MomentumNotInPlace, "in place"),
    (MomentumTodo, "not written yet"),
])
def test_wrong_momentum_fails_and_says_why(cls, words):
    r = check_momentum(cls)
    assert not r
    assert words in r.message, r.message


class AdamNoCorrection(GoodAdam):
    def update(self, params, grads):
        self.t += 1
        for k in params:
            m = self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
            v = self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
            params[k] -= self.lr * m / (np.sqrt(v) + self.eps)


class AdamEpsInside(GoodAdam):
    def update(self, params, grads):
        self.t += 1
        for k in params:
            m = self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
            v = self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
            m_hat, v_hat = m / (1 - self.b1 ** self.t), v / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / np.sqrt(v_hat + self.eps)


class AdamTZero(GoodAdam):
    def update(self, params, grads):
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in params:
                m = self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
                v = self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
                m_hat, v_hat = m / (1 - self.b1 ** self.t), v / (1 - self.b2 ** self.t)
                params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.t += 1


class AdamOnlyM(GoodAdam):
    def update(self, params, grads):
        self.t += 1
        for k in params:
            m = self.m[k] = self.b1 * self.m.get(k, 0.0) + (1 - self.b1) * grads[k]
            v = self.v[k] = self.b2 * self.v.get(k, 0.0) + (1 - self.b2) * grads[k] ** 2
            params[k] -= self.lr * (m / (1 - self.b1 ** self.t)) / (np.sqrt(v) + self.eps)


@pytest.mark.parametrize("cls,words", [
    (AdamNoCorrection, "without bias correction"),
    (AdamEpsInside, "eps is inside the square root"),
    (AdamTZero, "NaN or inf"),
    (AdamOnlyM, "only m is bias-corrected"),
])
def test_wrong_adam_fails_and_says_why(cls, words):
    r = check_adam(cls)
    assert not r
    assert words in r.message, r.message


def test_an_unknown_mistake_still_names_step_and_values():
    class Off(GoodAdam):                      # a step 1 % too long
        def update(self, params, grads):
            before = {k: v.copy() for k, v in params.items()}
            super().update(params, grads)
            for k in params:
                params[k] += 0.01 * (params[k] - before[k])
    r = check_adam(Off)
    assert not r and "step 1" in r.message and "should be" in r.message, r.message


# --- demos ---------------------------------------------------------------------------------
def test_trajectory_demo_draws_the_engine_paths_and_contour_once_per_surface():
    from nnutils.demos.optimizers import TrajectoryDemo
    from nnutils.optim import SGD
    from nnutils.surfaces import get_surface
    demo = TrajectoryDemo()
    assert demo.error is None
    contour = demo.contour
    demo.set(optimizers=("SGD", "Adam"), lr=0.95, steps=30)
    assert demo.contour is contour, "the contour must not be redrawn when the surface is unchanged"
    expect = get_surface("bowl").trajectory(SGD(lr=0.95), steps=30)
    x, y = demo.paths["SGD"].get_data()
    np.testing.assert_allclose(np.c_[x, y], expect)
    assert not demo.paths["Momentum"].get_visible()
    # SGD at lr 0.95 zig-zags: y changes sign every step
    assert np.all(np.sign(expect[1:12, 1]) == -np.sign(expect[:11, 1]))
    demo.set(surface="rosenbrock")
    assert demo.contour is not contour
    assert (demo.values["x0"], demo.values["y0"]) == get_surface("rosenbrock").start
    # every surface's start lies on the sliders' fixed grid, so the browser never snaps it
    from nnutils.surfaces import SURFACES
    for name in SURFACES:
        for key, v in zip(("x0", "y0"), get_surface(name).start):
            w = demo.controls[key]
            assert w.min <= v <= w.max and abs((v - w.min) / w.step - round((v - w.min) / w.step)) < 1e-6


@pytest.mark.parametrize("name,knob,value,want", [
    ("Momentum", "mu", 0.5, dict(momentum=0.5)), ("Nesterov", "mu", 0.3, dict(momentum=0.3)),
    ("RMSProp", "decay", 0.9, dict(decay=0.9)), ("Adam", "beta1", 0.5, dict(beta1=0.5)),
    ("Adam", "beta2", 0.9, dict(beta2=0.9)), ("AdaGrad", "mu", 0.1, {})])
def test_each_trajectory_knob_reaches_its_optimizer_and_only_that(name, knob, value, want):
    from nnutils import optim
    from nnutils.demos.optimizers import TrajectoryDemo
    from nnutils.surfaces import get_surface
    demo = TrajectoryDemo(optimizers=(name,), lr=0.05, steps=20, **{knob: value})
    cls = {"Momentum": optim.Momentum, "Nesterov": optim.Nesterov, "RMSProp": optim.RMSProp,
           "Adam": optim.Adam, "AdaGrad": optim.AdaGrad}[name]
    expect = get_surface("bowl").trajectory(cls(lr=0.05, **want), steps=20)
    x, y = demo.paths[name].get_data()
    np.testing.assert_allclose(np.c_[x, y], expect)
    if want:
        assert f"={value:g}" in demo.paths[name].get_label()


def test_trajectory_demo_reports_divergence_in_the_plot():
    from nnutils.demos.optimizers import TrajectoryDemo
    demo = TrajectoryDemo(optimizers=("SGD",), lr=3.0)
    assert demo.error is None
    assert "SGD diverged" in demo.note.get_text()
    x, y = demo.paths["SGD"].get_data()
    assert np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and len(x) < 31


def test_lr_demo_divergence_is_a_message_not_a_nan_plot():
    from nnutils.demos.optimizers import LearningRateDemo
    demo = LearningRateDemo(lr=100.0)
    assert demo.error is None
    assert "diverged" in demo._message.get_text() and demo._message.get_visible()
    _, y = demo.live.get_data()
    assert len(y) and np.all(np.isfinite(y))
    demo.set(lr=0.3)
    assert not demo._message.get_visible()
    _, y = demo.live.get_data()
    assert y[-1] < 0.6 < y[0], "lr 0.3 should train well in 200 steps"


def _blank(png):
    """True if (almost) no pixel of the PNG is inked (opaque and not near-white)."""
    import io
    import matplotlib.image as mpimg
    rgba = mpimg.imread(io.BytesIO(png))
    inked = (rgba[..., 3] > 0.1) & (rgba[..., :3] < 0.9).any(axis=-1)   # the broken one was clear
    return inked.mean() < 0.005


def test_trajectory_demo_survives_the_browsers_two_threads():
    """What JupyterLab did: the surface change ran on the kernel's main thread while the
    start slider's snapped echo (y0 = 0.009999999999999787) arrived on a subshell thread;
    the two updates drew one figure at once and left it blank for good."""
    import threading
    from nnutils.demos.optimizers import TrajectoryDemo
    expected = TrajectoryDemo().set(surface="saddle").png()   # the same moves, one thread
    assert not _blank(expected)
    demo = TrajectoryDemo()
    entered = threading.Event()
    update = demo.update

    def slow_update(**values):   # hold the first update open while the echo arrives
        entered.set()
        threading.Event().wait(0.2)
        update(**values)

    demo.update = slow_update
    main = threading.Thread(target=lambda: setattr(demo.controls["surface"], "value", "saddle"))
    main.start()
    assert entered.wait(timeout=10)
    demo.controls["y0"].value = -8 + 801 * 0.01
    main.join(timeout=30)
    assert demo.error is None and not _blank(demo.png())
    assert demo.png() == expected
    demo.update = update
    demo.controls["optimizers"].value = ("Momentum", "AdaGrad", "RMSProp", "Adam")
    assert demo.png() != expected and not _blank(demo.png())



def _effective_step_and_loss(opt, steps=100):
    from nnutils.surfaces import get_surface
    bowl = get_surface("bowl")
    p = np.array(bowl.start)
    eff, loss = [], []
    for _ in range(steps):
        opt.update({"xy": p}, {"xy": bowl.gradient(p)})
        eff.append(opt.lr / (np.sqrt(opt.cache["xy"][0]) + opt.eps))
        loss.append(bowl(*p))
    return np.array(eff), np.array(loss)


def test_adagrad_stalls_rmsprop_does_not_and_a_short_memory_throws_it_out_again():
    """Lesson 5 §3, lr 0.3 on the bowl for 100 steps."""
    from nnutils.optim import AdaGrad, RMSProp
    eff, loss = _effective_step_and_loss(AdaGrad(lr=0.3))
    assert eff[-1] < 0.25 * eff[0] and loss[-1] > 0.1                   # step shrinks, stalls
    eff, loss = _effective_step_and_loss(RMSProp(lr=0.3, decay=0.99))
    assert eff[-1] > eff[0] and loss[-1] < 1e-20                        # keeps going
    eff, loss = _effective_step_and_loss(RMSProp(lr=0.3, decay=0.9))
    low = loss.argmin()
    assert loss[low] < 1e-10 and loss[low:].max() > 1e8 * loss[low]     # reaches, then rebounds
    assert eff.max() > 30                                               # step ~ lr·sign(dx)


def test_warmup_first_epoch_already_learns():
    from nnutils.schedules import Cosine, Warmup
    w = Warmup(2, Cosine(0.3, total=8))
    assert [round(w(t), 10) for t in range(3)] == [0.1, 0.2, 0.3]


# --- lesson 5: stochastic vs full batch, RMSProp's `+=` typo, AdamW ----------------------------
def test_minibatch_sgd_beats_full_batch_per_example_processed_but_staggers():
    """§1 'What stochastic means': the same network, lr and number of examples processed
    (here 8,000 = 2 passes), recomputed with nnutils.train.fit instead of the lesson's loop."""
    from nnutils.data import load_mnist
    from nnutils.model import mlp
    from nnutils.optim import SGD
    from nnutils.train import fit
    mnist = load_mnist()
    x, y = mnist.x_train, mnist.y_train
    final, rose = {}, {}
    for batch, lr in [(50, 0.1), (len(x), 0.1), (len(x), 0.5)]:
        model = mlp([784, 50, 10], seed=0)
        h = fit(model, SGD(lr=lr), x, y, epochs=2, batch_size=batch, seed=0, progress=False)
        assert len(h.loss) * batch == 2 * len(x)                      # the same examples processed
        final[batch, lr] = model.loss(x, y)
        rose[batch, lr] = np.mean(np.diff(h.loss) > 0)
    assert final[50, 0.1] < 0.5 * min(final[len(x), 0.1], final[len(x), 0.5]), final
    assert rose[50, 0.1] > 0.3, rose                                   # the noisy path
    assert rose[len(x), 0.1] == 0, rose                                # the exact gradient never goes up


def _rmsprop_cache(plus_equals, dx=1.0, decay_rate=0.99, steps=100, lr=0.1):
    cache, caches, steps_taken = 0.0, [], []
    for _ in range(steps):
        if plus_equals:
            cache += decay_rate * cache + (1 - decay_rate) * dx ** 2
        else:
            cache = decay_rate * cache + (1 - decay_rate) * dx ** 2
        caches.append(cache)
        steps_taken.append(lr * dx / (np.sqrt(cache) + 1e-7))
    return np.array(caches), np.array(steps_taken)


def test_rmsprop_plus_equals_cache_blows_up_while_the_assignment_stays_bounded():
    """§3's source-error box: `cache += decay*cache + (1-decay)*dx**2` grows like 1.99^t."""
    good, good_step = _rmsprop_cache(False)
    bad, bad_step = _rmsprop_cache(True)
    assert np.all(good <= 1.0 + 1e-12)                                 # a leaky average of dx² = 1
    np.testing.assert_allclose(bad[20:] / bad[19:-1], 1.99, rtol=1e-3)  # → (1 + decay) per step
    assert bad[-1] > 1e25 and bad_step[-1] < 1e-12 < 0.1 <= good_step[-1]
    # on the bowl: the typo freezes far from the minimum, nnutils' RMSProp gets there
    from nnutils.optim import RMSProp
    from nnutils.surfaces import get_surface
    bowl = get_surface("bowl")
    x, cache = np.array(bowl.start), np.zeros(2)
    for _ in range(100):
        dx = bowl.gradient(x)
        cache += 0.99 * cache + 0.01 * dx ** 2
        x -= 0.1 * dx / (np.sqrt(cache) + 1e-7)
    assert bowl(*x) > 1.0
    assert bowl(*bowl.trajectory(RMSProp(lr=0.1, decay=0.99), steps=100)[-1]) < 1e-5


def test_adamw_decays_both_weights_by_the_same_factor_l2_in_adam_does_not():
    """§3 'Adam and weight decay': gradients ±10 and ±0.1, λ = 0.01, lr = 0.01, 1,000 steps;
    Adam here is the test's own GoodAdam, not nnutils.optim.Adam."""
    lr, lam, T = 0.01, 0.01, 1000
    size = np.array([10.0, 0.1])

    def run(decay):
        w, opt = np.ones(2), GoodAdam(lr=lr)
        for t in range(T):
            g = size * (-1.0) ** t
            if decay == "l2":
                g = g + lam * w
            elif decay == "adamw":
                w *= 1 - lr * lam
            p = {"w": w}
            opt.update(p, {"w": g})
            w = p["w"]
        return w

    none = run(None)
    adamw, l2 = run("adamw") / none, run("l2") / none
    np.testing.assert_allclose(adamw, (1 - lr * lam) ** T, rtol=2e-3)   # the same factor for both
    assert abs(adamw[0] - adamw[1]) < 1e-3
    assert l2[0] > 0.98 and l2[1] < 0.4                                 # large gradient: barely decayed
    np.testing.assert_allclose(-np.log(l2), T * lr * lam / size, rtol=0.05)
