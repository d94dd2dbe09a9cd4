"""The lectures' experiments, on the engine side: numpy only (no matplotlib, no widgets), so a
notebook, an exercise or a test gets the numbers without importing a view. Each module is one
lecture's experiment, named for what it computes; the demos in ``nnutils.demos`` call these
functions and draw what they return.

- ``vanishing_gradients`` (lesson 2): ``bias_gradient_magnitudes``, the mean |∂L/∂b| that
  reaches each hidden layer of a deep network.
- ``initialization`` (lesson 4): ``layer_activations`` and ``layer_gradient_stds``, the
  5-layer experiment forwards and backwards, ``layer_stats``, the lecture's ``PRESETS``.
- ``learning_rate`` (lesson 5): ``lr_run``, one small MNIST training run per learning rate,
  and the reference curves and sweep of the learning-rate picture.
- ``batchnorm`` (lesson 6): ``train_run``, the 784-100×5-10 network with or without batch
  normalization, and ``relu_outputs``, each hidden layer's ReLU output.
- ``overfitting`` (lesson 7): the ``LECTURE`` and ``NOISY`` set-ups and ``overfit_run``,
  one (cached) run with weight decay and/or dropout.
- ``random_search`` (lesson 8): ``search_trial`` and ``lr_wd_search``, the random search over
  the learning rate and weight decay.
- ``mistakes`` (lesson 9): ``confusion_matrix``, ``most_confused`` and a briefly trained
  network's ``default_predictions``.
- ``playground`` (lesson 10): ``PlaygroundRun``, a network learning 2-D data one epoch at a time.
"""
