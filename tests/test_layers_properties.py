"""Property tests (hypothesis): shapes and dtypes survive every engine operation, and a few
invariants hold for any input (probabilities sum to 1, gradients of the loss sum to 0, ...)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnutils import activations as A
from nnutils import layers as L
from nnutils import losses as Lo
from nnutils import optim as O
from nnutils.model import mlp

SETTINGS = settings(max_examples=30, deadline=None)
dtypes = st.sampled_from([np.float32, np.float64])
shapes2 = st.tuples(st.integers(1, 6), st.integers(1, 7))


def float_arrays(dtype, shape, bound=1e3):
    return arrays(dtype, shape, elements=st.floats(-bound, bound, allow_nan=False, width=32))


@SETTINGS
@given(data=st.data(), dtype=dtypes, shape=shapes2, name=st.sampled_from(sorted(A.ACTIVATIONS)))
def test_activations_keep_shape_dtype_and_stay_finite(data, dtype, shape, name):
    x = data.draw(float_arrays(dtype, shape, bound=1e4))
    f, g = A.get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # underflow to 0 is fine
        y, dy = f(x), g(x)
    assert y.shape == dy.shape == x.shape and y.dtype == dy.dtype == dtype
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))
    if name == "sigmoid":
        assert np.all((y >= 0) & (y <= 1))
    if name == "relu":
        assert np.all(y >= 0)


@SETTINGS
@given(data=st.data(), dtype=dtypes, in_dtype=dtypes, lead=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       n_in=st.integers(1, 6), n_out=st.integers(1, 6))
def test_linear_shapes_and_dtypes(data, dtype, in_dtype, lead, n_in, n_out):
    x = data.draw(float_arrays(in_dtype, tuple(lead) + (n_in,), bound=10))
    lin = L.Linear(n_in, n_out, dtype=dtype)
    out = lin.forward(x)
    assert out.shape == tuple(lead) + (n_out,) and out.dtype == dtype
    dx = lin.backward(np.ones_like(out))
    assert dx.shape == x.shape and dx.dtype == dtype
    assert lin.grads["W"].shape == (n_in, n_out) and lin.grads["W"].dtype == dtype


@SETTINGS
@given(data=st.data(), dtype=dtypes, n=st.integers(2, 8), d=st.integers(1, 5))
def test_batchnorm_train_output_is_centred(data, dtype, n, d):
    x = data.draw(float_arrays(dtype, (n, d), bound=100))
    bn = L.BatchNorm(d, dtype=dtype)
    out = bn.forward(x, train=True)
    assert out.shape == x.shape and out.dtype == dtype
    # rounding of the batch mean (~eps |x|) is divided by sqrt(var + 1e-5) >= 3e-3
    tol = 10 * np.finfo(dtype).eps * max(1.0, float(np.abs(x).max())) / np.sqrt(1e-5)
    assert np.all(np.abs(out.mean(axis=0)) <= tol)
    assert np.all(out.std(axis=0) <= 1 + tol)                 # 1, or 0 for a constant feature
    dx = bn.backward(np.ones_like(out))
    assert dx.dtype == dtype and np.all(np.isfinite(dx))


@SETTINGS
@given(data=st.data(), dtype=dtypes, shape=shapes2, ratio=st.floats(0, 0.95), seed=st.integers(0, 99))
def test_dropout_zeroes_or_scales(data, dtype, shape, ratio, seed):
    x = data.draw(float_arrays(dtype, shape, bound=10))
    drop = L.Dropout(ratio, rng=np.random.default_rng(seed))
    out = drop.forward(x, train=True)
    assert out.shape == x.shape and out.dtype == dtype
    if ratio > 0:
        np.testing.assert_allclose(out[drop.mask], x[drop.mask] / (1 - ratio), rtol=1e-6)
        assert np.all(out[~drop.mask] == 0)
    np.testing.assert_array_equal(drop.forward(x, train=False), x)


@SETTINGS
@given(data=st.data(), dtype=dtypes, shape=shapes2)
def test_softmax_cross_entropy_invariants(data, dtype, shape):
    s = data.draw(float_arrays(dtype, shape))
    y = data.draw(arrays(np.int64, shape[:1], elements=st.integers(0, shape[1] - 1)))
    p = Lo.softmax(s)
    assert p.dtype == dtype and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5 if dtype == np.float32 else 1e-12)
    layer = Lo.SoftmaxCrossEntropy()
    loss = layer.forward(s, y)
    assert np.isfinite(loss) and loss >= 0
    ds = layer.backward()
    assert ds.shape == s.shape and ds.dtype == dtype
    np.testing.assert_allclose(ds.sum(axis=1), 0, atol=1e-6)   # softmax minus one-hot sums to 0


@SETTINGS
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=4), n=st.integers(1, 5),
       batchnorm=st.booleans(), dropout=st.sampled_from([0.0, 0.5]),
       activation=st.sampled_from(["relu", "tanh", "gelu", "maxout"]))
def test_mlp_float32_shapes(sizes, n, batchnorm, dropout, activation):
    m = mlp(sizes, batchnorm=batchnorm, dropout=dropout, activation=activation, dtype=np.float32)
    x = np.random.default_rng(0).standard_normal((n, sizes[0]))
    y = np.zeros(n, dtype=int)
    assert m.forward(x).shape == (n, sizes[-1]) and m.forward(x).dtype == np.float32
    m.gradient(x, y)
    for name, p in m.params.items():
        assert m.grads[name].shape == p.shape and m.grads[name].dtype == np.float32
    assert m.predict(x).shape == (n,)


@SETTINGS
@given(name=st.sampled_from(O.OPTIMIZERS), dtype=dtypes, shape=shapes2, steps=st.integers(1, 4))
def test_optimizers_keep_arrays_shapes_and_dtypes(name, dtype, shape, steps):
    rng = np.random.default_rng(1)
    p = {"W": rng.standard_normal(shape).astype(dtype)}
    arr = p["W"]
    opt = O.make_optimizer(name)
    for _ in range(steps):
        opt.update(p, {"W": rng.standard_normal(shape).astype(dtype)})
    assert p["W"] is arr and arr.dtype == dtype and arr.shape == shape
    assert np.all(np.isfinite(arr))
