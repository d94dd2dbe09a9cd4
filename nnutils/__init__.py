"""nnutils: the small numpy package behind the course "Training Neural Networks".

The engine modules (activations, layers, losses, init, model, optim, schedules, train,
gradcheck, data, augment, search, surfaces, graph, perceptron) import numpy only.
The views (plots, widgets, demos) import the engine, never the other way round.
"""

__version__ = "0.1.0"
