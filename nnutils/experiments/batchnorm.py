"""Lesson 6's experiment: batch normalization (배치 정규화) rescues a badly scaled initialization.

The lecture's network: 784-100×5-10 ReLU, weights ~ N(0, scale²), trained with SGD on 1,000
MNIST training images for 20 epochs, with or without BN (Linear → BatchNorm → ReLU).
``lecture_setup`` is the data, ``train_run`` one run, ``relu_outputs`` what each hidden layer
sends on (the histograms of the lesson).
"""

from ..data import load_mnist
from ..layers import ReLU
from ..model import mlp
from ..optim import SGD
from ..train import fit

__all__ = ["SIZES", "N_TRAIN", "EPOCHS", "BATCH", "lecture_setup", "train_run", "relu_outputs"]

SIZES = (784, 100, 100, 100, 100, 100, 10)   # the lecture's 784-100×5-10
N_TRAIN = 1000
EPOCHS = 20
BATCH = 100

_DATA = {}


def lecture_setup(n_train=N_TRAIN):
    """The first ``n_train`` images of the embedded MNIST sample (cached): (x, y)."""
    if n_train not in _DATA:
        m = load_mnist()
        _DATA[n_train] = (m.x_train[:n_train], m.y_train[:n_train])
    return _DATA[n_train]


def train_run(scale, batchnorm, lr=0.01, epochs=EPOCHS, sizes=SIZES, n_train=N_TRAIN, seed=0,
              progress=False):
    """One run of the lecture's experiment: (model, History). Weights ~ N(0, scale²).
    progress: fit's, e.g. a function(history) that a demo calls to show how far it is."""
    x, y = lecture_setup(n_train)
    model = mlp(sizes, init="normal", std=scale, batchnorm=batchnorm, seed=seed)
    hist = fit(model, SGD(lr=lr), x, y, epochs=epochs, batch_size=BATCH, seed=seed,
               progress=progress)
    return model, hist


def relu_outputs(model, x, train=False):
    """The output of every ReLU layer for the batch x (``model.layer_outputs``, ReLUs only).

    train=True normalises with the batch statistics; the model is left as it was.
    """
    return [h for layer, h in zip(model.layers, model.layer_outputs(x, train))
            if isinstance(layer, ReLU)]
