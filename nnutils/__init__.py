"""nnutils: the small numpy package behind the course "Training Neural Networks".

The engine modules (activations, layers, losses, init, model, optim, schedules, train,
gradcheck, data, augment, search, surfaces, graph, perceptron, names, checks, experiments,
fastpath) import numpy only. The views (plots, widgets, graph_draw, demos) import the engine,
never the other way round.

The code a lesson prints is written as the lecture writes it (an optimizer's ``update`` is the
slide's line, keyed like the params; a model's backward is ``for layer in reversed(layers):
dout = layer.backward(dout)``). ``train.fit`` runs the same arithmetic through ``fastpath``,
bit for bit, with buffers and fewer passes.

Precision: layers, models and initializers default to float64, unlike the frameworks'
float32. A BLAS library adds up a matrix product in an order that depends on the CPU
(OpenBLAS picks a different kernel for Haswell, SkylakeX, Zen, ...), so the last bits of a
product differ between machines. In float32 that is about 1e-7 per operation, and hundreds
of training steps grow it into the third printed decimal of a loss or an accuracy; in
float64 it is about 1e-16 and stays invisible. So the course's printed results are the same
on every machine. The course's networks are small: float64 costs about twice the time.
Pass ``dtype=np.float32`` to train as the frameworks do (benchmarks/train_step.py does).
"""

__version__ = "0.1.0"

from .i18n import language, set_language  # noqa: E402,F401  (nnutils.set_language("ko"))
