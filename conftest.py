"""pytest set-up for the whole repository: unit tests and the notebook replay (nbval).

One BLAS thread everywhere, for speed: the course's matrices are small, and on a busy
2-core machine a second OpenBLAS thread makes a training step many times slower. The stored
notebook outputs do not depend on it (nor on the CPU's BLAS kernel): the course trains in
float64 (see nnutils/__init__.py), and `make test-kernels` replays the training notebooks
under another kernel to check that. Kernels started by nbval inherit this environment.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
