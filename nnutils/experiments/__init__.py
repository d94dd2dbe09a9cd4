"""The lectures' experiments, on the engine side: numpy only (no matplotlib, no widgets), so a
notebook, an exercise or a test gets the numbers without importing a view. Each module is one
lecture's experiment, named for what it computes; the demos in ``nnutils.demos`` call these
functions and draw what they return.
"""
