"""How fast is one training step of nnutils, next to PyTorch and next to the FLOP floor?

The network: MLP 784-100-100-100-100-10, ReLU, He init, batch 128, Adam, float32,
softmax cross-entropy. One step = forward + loss + backward + Adam update.

Measured side by side in one run, interleaved in blocks (so a busy machine slows both alike):
  * nnutils:  the step fit runs for each mini-batch (nnutils.fastpath.step_function: the
    arithmetic of train_step(model, optimizer, x, y), bit for bit, with fewer passes)
  * lecture:  train_step(model, optimizer, x, y) as the lesson prints it, for reference
  * PyTorch (only if `import torch` works; it is not a dependency of nnutils): the same
    network on the CPU with the same number of threads, with its fused Adam
  * the FLOP floor: the step's matrix products alone (forward x W, backward dW = h^T dout and
    dx = dout W^T, no dx for the input), timed with numpy float32 at the step's own shapes;
    floor = matmul FLOPs / that throughput = the time those products take.
Prints the medians, the ratios, and the process memory (RSS) before and after the timed steps.

    python benchmarks/train_step.py [--threads 1] [--steps 400] [--block 20] [--no-torch]

Threads default to 1: on a busy 2-core machine, 2 BLAS threads spend most of a step waiting
for each other (both numpy and PyTorch get several times slower), so compare with --threads 2
only when the machine is otherwise idle.
"""

import argparse
import os
import sys

SIZES = (784, 100, 100, 100, 100, 10)
BATCH = 128


def _args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS / torch threads for both sides (default 1: steady on a shared machine)")
    ap.add_argument("--steps", type=int, default=400, help="timed steps per side")
    ap.add_argument("--block", type=int, default=20, help="steps per side before switching")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    return ap.parse_args()


ARGS = _args()
# the BLAS reads these when numpy is first imported, so set them before the import
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nnutils.model import mlp  # noqa: E402
from nnutils.optim import Adam  # noqa: E402
from nnutils.fastpath import step_function  # noqa: E402
from nnutils.train import train_step  # noqa: E402


def rss_mb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:                                   # not Linux: peak RSS instead
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def matmul_flops():
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    fwd = sum(2 * BATCH * a * b for a, b in pairs)
    dW = fwd
    dx = sum(2 * BATCH * a * b for a, b in pairs[1:])     # the input needs no gradient
    return fwd + dW + dx


def make_numpy(x, y, printed=False):
    model = mlp(SIZES, activation="relu", init="he", seed=0, dtype=np.float32)
    opt = Adam(lr=1e-3)
    if printed:
        return lambda: train_step(model, opt, x, y)
    step = step_function(model, opt)
    return lambda: step(x, y)


def make_matmuls(x):
    """The step's matrix products alone, with preallocated outputs (the best numpy can do)."""
    rng = np.random.default_rng(1)
    Ws = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(SIZES[:-1], SIZES[1:])]
    hs = [x] + [np.empty((BATCH, W.shape[1]), np.float32) for W in Ws]
    douts = [rng.standard_normal((BATCH, W.shape[1])).astype(np.float32) for W in Ws]
    dWs = [np.empty_like(W) for W in Ws]
    dxs = [np.empty((BATCH, W.shape[0]), np.float32) for W in Ws]

    def step():
        for i, W in enumerate(Ws):
            np.matmul(hs[i], W, out=hs[i + 1])
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(hs[i].T, douts[i], out=dWs[i])
            if i:
                np.matmul(douts[i], Ws[i].T, out=dxs[i])
    return step


def make_torch(x, y):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(ARGS.threads)
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")     # He: std sqrt(2/fan_in)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    try:                                              # PyTorch's fastest Adam on the CPU
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
    except (RuntimeError, TypeError, ValueError):
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=True)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()
    return step, torch.__version__


def main():
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    sides = {"nnutils": make_numpy(x, y), "lecture": make_numpy(x, y, printed=True),
             "floor": make_matmuls(x)}
    torch_step, torch_version = (None, None) if ARGS.no_torch else make_torch(x, y)
    if torch_step is not None:
        sides["pytorch"] = torch_step
    for step in sides.values():                       # warm up: allocations, BLAS buffers
        for _ in range(30):
            step()

    times = {name: [] for name in sides}
    cpu = {name: [] for name in sides}
    rss_before = rss_mb()
    names = list(sides)
    rounds = max(1, ARGS.steps // ARGS.block)
    perf, proc = time.perf_counter, time.process_time
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]  # alternate who goes first
        for name in order:
            step, ts, cs = sides[name], times[name], cpu[name]
            for _ in range(ARGS.block):
                c0, t0 = proc(), perf()
                step()
                ts.append(perf() - t0)
                cs.append(proc() - c0)
    rss_after = rss_mb()

    med = {name: float(np.median(ts)) for name, ts in times.items()}
    cmed = {name: float(np.median(cs)) for name, cs in cpu.items()}
    flops = matmul_flops()
    print(f"MLP {'-'.join(map(str, SIZES))}, ReLU, He, batch {BATCH}, Adam, float32; "
          f"{ARGS.threads} thread(s) for numpy's BLAS and torch; {rounds * ARGS.block} steps per side, "
          f"interleaved in blocks of {ARGS.block}")
    print(f"numpy {np.__version__}" + (f", torch {torch_version}" if torch_version else ""))
    print(f"matmul FLOPs per step:        {flops / 1e6:.1f} MFLOP")
    print(f"numpy float32 matmul rate:    {flops / med['floor'] / 1e9:.1f} GFLOP/s at the step's shapes")
    print(f"FLOP floor:                   {med['floor'] * 1e6:8.0f} us per step")
    print(f"nnutils step (median):        {med['nnutils'] * 1e6:8.0f} us   "
          f"= {med['nnutils'] / med['floor']:.2f}x the floor (target <= 2.0x)")
    print(f"train_step as printed:        {med['lecture'] * 1e6:8.0f} us   "
          f"= {med['lecture'] / med['floor']:.2f}x the floor")
    if "pytorch" in med:
        print(f"pytorch step (median):        {med['pytorch'] * 1e6:8.0f} us   "
              f"= {med['pytorch'] / med['floor']:.2f}x the floor")
        print(f"nnutils / pytorch:            {med['nnutils'] / med['pytorch']:.2f}x (target <= 0.8x)")
    elif ARGS.no_torch:
        print("pytorch: skipped (--no-torch)")
    else:
        print("pytorch: not installed (optional, not a dependency; `pip install torch` to compare) - skipped")
    # CPU seconds of the whole process per step (all threads): on a busy machine the wall
    # clock also counts time spent waiting for a core, the CPU time does not
    line = f"CPU time per step (median):   nnutils {cmed['nnutils'] * 1e6:.0f} us"
    if "pytorch" in cmed:
        line += (f", pytorch {cmed['pytorch'] * 1e6:.0f} us -> nnutils / pytorch "
                 f"{cmed['nnutils'] / cmed['pytorch']:.2f}x")
    print(line + f"; floor {cmed['floor'] * 1e6:.0f} us -> {cmed['nnutils'] / cmed['floor']:.2f}x")
    print(f"RSS before / after the timed steps: {rss_before:.1f} MB / {rss_after:.1f} MB "
          f"({rss_after - rss_before:+.1f} MB)")


if __name__ == "__main__":
    main()
