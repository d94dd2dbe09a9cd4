"""Augmentation invariants: shapes and labels kept, range [0, 1], identity at zero strength,
seeded (same seed same batch, different seeds different), and each transform doing what it says
(checked against independently computed images)."""

import numpy as np
import pytest

from nnutils import augment as A
from nnutils.data import load_mnist


@pytest.fixture(scope="module")
def digits():
    m = load_mnist(flatten=False)
    return m.x_train[:200], m.y_train[:200]


STRONG = dict(flip=0.5, shift=3, rotate=30.0, crop=0.3, noise=0.3, brightness=0.5, contrast=0.8)
SINGLE = [
    ("flip", lambda x, r: A.flip(x, 0.5, r)),
    ("shift", lambda x, r: A.shift(x, 3, r)),
    ("shift_subpixel", lambda x, r: A.shift(x, 2.5, r)),
    ("rotate", lambda x, r: A.rotate(x, 30, r)),
    ("crop_resize", lambda x, r: A.crop_resize(x, 0.3, r)),
    ("noise", lambda x, r: A.noise(x, 0.3, r)),
    ("brightness", lambda x, r: A.brightness(x, 0.5, r)),
    ("contrast", lambda x, r: A.contrast(x, 0.8, r)),
    ("augmenter", A.Augmenter(**STRONG)),
]


@pytest.mark.parametrize("name, t", SINGLE)
def test_shape_dtype_range_seeded(digits, name, t):
    x, _ = digits
    a = t(x, np.random.default_rng(1))
    b = t(x, np.random.default_rng(1))
    c = t(x, np.random.default_rng(2))
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, x)
    flat = t(x.reshape(len(x), -1), np.random.default_rng(1))  # (N, 784) in, (N, 784) out
    assert flat.shape == (len(x), 784) and np.array_equal(flat.reshape(x.shape), a)
    assert x.min() >= 0 and np.array_equal(x, digits[0])  # the input is not modified


def test_int_seed_same_as_generator(digits):
    x, _ = digits
    assert np.array_equal(A.rotate(x, 20, 5), A.rotate(x, 20, np.random.default_rng(5)))
    assert np.array_equal(A.rotate(x, 20), A.rotate(x, 20, None))  # default: seed 0, deterministic


@pytest.mark.parametrize("t", [
    lambda x: A.flip(x, 0.0), lambda x: A.shift(x, 0), lambda x: A.rotate(x, 0.0),
    lambda x: A.crop_resize(x, 0.0), lambda x: A.noise(x, 0.0), lambda x: A.brightness(x, 0.0),
    lambda x: A.contrast(x, 0.0), lambda x: A.Augmenter()(x, np.random.default_rng(0)),
])
def test_identity_at_zero_strength(digits, t):
    x, _ = digits
    y = t(x)
    assert np.array_equal(y, x) and y is not x


def test_warp_identity_matrix_is_exact(digits):
    x, _ = digits
    m = np.zeros((len(x), 2, 3))
    m[:, 0, 0] = m[:, 1, 1] = 1
    assert np.array_equal(A.warp(x, m), x)


def test_flip_is_a_mirror(digits):
    x, _ = digits
    assert np.array_equal(A.flip(x, 1.0), x[:, :, ::-1])
    assert np.array_equal(A.Augmenter(flip=1.0)(x, 0), x[:, :, ::-1])
    half = A.flip(x, 0.5, 0)
    mirrored = np.all(half == x[:, :, ::-1], axis=(1, 2)) & ~np.all(half == x, axis=(1, 2))
    assert 0.3 < mirrored.mean() < 0.7


def _translate(img, dr, dc):
    """img moved down by dr and right by dc, zeros shifted in (independent of the warp)."""
    out = np.zeros_like(img)
    h, w = img.shape
    out[max(dr, 0):h + min(dr, 0), max(dc, 0):w + min(dc, 0)] = \
        img[max(-dr, 0):h + min(-dr, 0), max(-dc, 0):w + min(-dc, 0)]
    return out


def test_integer_shift_is_an_exact_translation(digits):
    x, _ = digits
    y = A.shift(x, 3, 0)
    used = set()
    for img, out in zip(x[:50], y[:50]):
        matches = [(dr, dc) for dr in range(-3, 4) for dc in range(-3, 4)
                   if np.array_equal(out, _translate(img, dr, dc))]
        assert matches, "not a whole-pixel translation by at most 3"
        used.add(matches[0])
    assert len(used) > 10  # offsets really vary per image


def test_rotation_by_90_degrees_matches_rot90(digits):
    x, _ = digits
    theta = np.pi / 2
    c = 13.5
    m = np.zeros((len(x), 2, 3))
    m[:, 0] = [np.cos(theta), -np.sin(theta), c - np.cos(theta) * c + np.sin(theta) * c]
    m[:, 1] = [np.sin(theta), np.cos(theta), c - np.sin(theta) * c - np.cos(theta) * c]
    assert np.allclose(A.warp(x, m), np.rot90(x, 1, axes=(1, 2)), atol=1e-5)


def test_small_rotations_keep_the_digit(digits):
    x, _ = digits
    y = A.rotate(x, 10, 0)
    ink_x, ink_y = x.sum(axis=(1, 2)), y.sum(axis=(1, 2))
    assert np.allclose(ink_y, ink_x, rtol=0.05)  # interpolation barely changes the ink
    # the centre of mass stays put (rotation about the image centre, digits are centred)
    rows = np.arange(28)
    com = lambda im: (im.sum(axis=2) @ rows) / im.sum(axis=(1, 2))
    assert np.abs(com(x) - com(y)).max() < 1.5


def test_crop_resize_zooms_in(digits):
    x, _ = digits
    y = A.crop_resize(x, 0.3, 0)
    ratio = y.sum(axis=(1, 2)) / x.sum(axis=(1, 2))
    # keeping a window of side s (0.7..1) and stretching it back scales areas by 1/s^2
    assert np.median(ratio) > 1.1 and ratio.max() < 1 / 0.7 ** 2 + 0.2


def test_photometric_statistics():
    x = np.full((400, 28, 28), 0.5, dtype=np.float32)
    d = A.noise(x, 0.1, 0) - x
    assert abs(d.std() - 0.1) < 0.005 and abs(d.mean()) < 0.005
    b = A.brightness(x, 0.2, 0)
    per_image = b[:, 0, 0]
    assert np.all(b == per_image[:, None, None])  # one offset per image
    assert np.all(np.abs(per_image - 0.5) <= 0.2 + 1e-6) and per_image.std() > 0.05
    ramp = np.tile(np.linspace(0.25, 0.75, 28, dtype=np.float32), (400, 28, 1))
    c = A.contrast(ramp, 0.5, 0)
    assert np.allclose(c.mean(axis=(1, 2)), 0.5, atol=1e-5)  # the mean is kept
    factor = (c[:, 0, -1] - c[:, 0, 0]) / 0.5
    assert factor.min() >= 0.5 - 1e-5 and factor.max() <= 1.5 + 1e-5 and factor.std() > 0.1


def test_labels_untouched_and_order_kept(digits):
    x, y = digits
    # mild geometry, so that pixel correlation can still recognise each source image
    aug = A.Augmenter(rotate=5, crop=0.05, noise=0.05, brightness=0.1, contrast=0.2)
    xa, ya = A.augment_dataset(x, y, aug, copies=2, seed=0)
    assert xa.shape == (600, 28, 28) and np.array_equal(ya, np.tile(y, 3))
    assert np.array_equal(xa[:200], x)
    # image i of the augmented batch still shows digit i: it is most similar to its own source
    a = xa[200:400].reshape(200, -1)
    s = x.reshape(200, -1)
    a = a - a.mean(1, keepdims=True)
    s = s - s.mean(1, keepdims=True)
    sim = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ (s / np.linalg.norm(s, axis=1, keepdims=True)).T
    assert np.mean(np.argmax(sim, axis=1) == np.arange(200)) > 0.95
    assert not np.array_equal(xa[200:400], xa[400:])  # the two copies differ


def test_compose_and_fit_style_call(digits):
    x, _ = digits
    pipeline = A.compose(lambda im, r: A.rotate(im, 10, r), lambda im, r: A.noise(im, 0.1, r))
    a = pipeline(x, np.random.default_rng(3))
    r = np.random.default_rng(3)
    assert np.array_equal(a, A.noise(A.rotate(x, 10, r), 0.1, r))
    with pytest.raises(TypeError, match="transforms"):
        A.compose(3)


@pytest.mark.parametrize("call, exc, word", [
    (lambda x: A.Augmenter()(np.zeros((2, 28, 28), np.uint8), 0), TypeError, "images"),
    (lambda x: A.Augmenter(noise=0.1)(x - 0.5, 0), ValueError, r"\[0, 1\]"),
    (lambda x: A.rotate(x * 2, 10), ValueError, "standardising"),
    (lambda x: A.rotate(x[0], 10), ValueError, "images"),
    (lambda x: A.shift(x.reshape(len(x), -1)[:, :700], 1), ValueError, "square"),
    (lambda x: A.Augmenter(rotate=-5), ValueError, "rotate"),
    (lambda x: A.Augmenter(flip=2.0), ValueError, "flip"),
    (lambda x: A.Augmenter(noise="a"), TypeError, "noise"),
    (lambda x: A.noise(x, 0.1, rng="seed"), TypeError, "rng"),
    (lambda x: A.warp(x, np.zeros((3, 2, 3))), ValueError, "matrices"),
])
def test_bad_input(digits, call, exc, word):
    with pytest.raises(exc, match=word):
        call(digits[0])


def test_repr_names_the_active_transforms():
    assert repr(A.Augmenter(shift=2, noise=0.1)) == "Augmenter(shift=2, noise=0.1)"


# ------------------------------------------------------------------- shear and stretch
NEW = [
    ("shear", lambda x, r: A.shear(x, 0.3, r)),
    ("stretch", lambda x, r: A.stretch(x, 0.2, r)),
    ("augmenter_shear_stretch", A.Augmenter(shear=0.3, stretch=0.2)),
]


@pytest.mark.parametrize("name, t", NEW)
def test_shear_stretch_shape_dtype_range_seeded(digits, name, t):
    test_shape_dtype_range_seeded(digits, name, t)


@pytest.mark.parametrize("t", [
    lambda x: A.shear(x, 0.0), lambda x: A.stretch(x, 0.0),
    lambda x: A.Augmenter(shear=0.0, stretch=0.0)(x, np.random.default_rng(0)),
])
def test_shear_stretch_identity_at_zero_strength(digits, t):
    x, _ = digits
    y = t(x)
    assert np.array_equal(y, x) and y is not x


def _bar(n=200):
    """A vertical bar 4 pixels wide (columns 12-15, centred on 13.5), rows 4-23."""
    x = np.zeros((n, 28, 28), dtype=np.float32)
    x[:, 4:24, 12:16] = 1.0
    return x


def test_shear_slides_each_row_by_a_linear_amount_and_keeps_its_ink():
    x = _bar()
    y = A.shear(x, 0.3, 0)
    # every row keeps its ink (a shear only slides rows sideways)
    np.testing.assert_allclose(y.sum(axis=2), x.sum(axis=2), atol=1e-4)
    rows, cols = np.arange(4, 24), np.arange(28)
    centre = (y[:, rows] @ cols) / y[:, rows].sum(axis=2)        # bar's centre column per row
    slopes, offsets = np.polyfit(rows, centre.T, 1)               # one line per image
    fitted = slopes[:, None] * rows + offsets[:, None]
    assert np.abs(fitted - centre).max() < 1e-3                   # straight: a shear, not a bend
    assert np.abs(slopes).max() <= 0.3 + 1e-6                     # within the strength
    assert slopes.min() < -0.2 and slopes.max() > 0.2             # both directions, per image
    np.testing.assert_allclose(offsets + slopes * 13.5, 13.5, atol=1e-3)   # about the centre row


def test_shear_keeps_the_ink_of_digits(digits):
    x, _ = digits
    y = A.shear(x, 0.3, 0)
    np.testing.assert_allclose(y.sum(axis=(1, 2)), x.sum(axis=(1, 2)), rtol=0.02)


def test_stretch_scales_width_and_height_independently():
    x = np.zeros((300, 28, 28), dtype=np.float32)
    x[:, 10:18, 10:18] = 1.0                                      # an 8×8 square on the centre
    y = A.stretch(x, 0.2, 0)
    width = y[:, 14].sum(axis=1) / 8                              # middle row: 8·(width factor)
    height = y[:, :, 14].sum(axis=1) / 8                          # middle column
    for f in (width, height):
        assert f.min() >= 0.8 - 0.03 and f.max() <= 1.2 + 0.03
        assert f.min() < 0.85 and f.max() > 1.15                  # the whole range is used
    assert abs(np.corrcoef(width, height)[0, 1]) < 0.25          # independent factors
    assert np.abs(width - height).max() > 0.2                     # not a uniform zoom
    np.testing.assert_allclose(y.sum(axis=(1, 2)), 64 * width * height, rtol=0.01)   # area = product
    # the square stays centred: scaling about the image centre
    cols = np.arange(28)
    np.testing.assert_allclose(y.sum(axis=1) @ cols / y.sum(axis=(1, 2)), 13.5, atol=1e-3)


def test_stretch_changes_the_ink_of_digits_by_at_most_the_factor_product(digits):
    x, _ = digits
    ratio = A.stretch(x, 0.2, 0).sum(axis=(1, 2)) / x.sum(axis=(1, 2))
    assert ratio.min() > 0.8 ** 2 - 0.05 and ratio.max() < 1.2 ** 2 + 0.05
    assert ratio.std() > 0.05


def test_augmenter_with_only_shear_or_stretch_is_that_transform(digits):
    x, _ = digits
    assert np.array_equal(A.Augmenter(shear=0.3)(x, 4), A.shear(x, 0.3, 4))
    assert np.array_equal(A.Augmenter(stretch=0.2)(x, 4), A.stretch(x, 0.2, 4))
    assert repr(A.Augmenter(shift=1, shear=0.2)) == "Augmenter(shift=1, shear=0.2)"


@pytest.mark.parametrize("call, exc, word", [
    (lambda x: A.shear(x, -0.1), ValueError, "max_shear"),
    (lambda x: A.shear(x, 1.5), ValueError, "max_shear"),
    (lambda x: A.shear(x, "a"), TypeError, "max_shear"),
    (lambda x: A.stretch(x, 0.95), ValueError, "max_stretch"),
    (lambda x: A.stretch(x, np.nan), ValueError, "max_stretch"),
    (lambda x: A.stretch(x[0], 0.1), ValueError, "images"),
    (lambda x: A.shear(x, 0.2, rng="seed"), TypeError, "rng"),
    (lambda x: A.Augmenter(shear=-1), ValueError, "shear"),
    (lambda x: A.Augmenter(stretch=1.0), ValueError, "stretch"),
])
def test_shear_stretch_bad_input(digits, call, exc, word):
    with pytest.raises(exc, match=word):
        call(digits[0])
