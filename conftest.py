"""pytest set-up for the whole repository: unit tests and the notebook replay (nbval).

One BLAS thread everywhere. OpenBLAS splits a matrix product differently with one thread
than with several, which changes the last bits of float32 results and so the last printed
digit of a loss. The notebooks are executed (tools/execute_notebooks.py) and replayed here
with one thread, so their stored outputs match on a machine with any number of cores.
Kernels started by nbval inherit this environment.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
