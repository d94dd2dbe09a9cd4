"""How long does augmenting 1,000 MNIST images take? (target: <= 50 ms for a full pipeline)

    python benchmarks/augment.py [--repeats 30] [--n 1000]

Prints the median (and best) time per transform and for combined pipelines, on the embedded
sample, plus the same work done one image at a time in a Python loop, for comparison.
Timings on a shared machine vary; the median of many repeats is the number to quote. The CPU
column is this process's CPU time, which other busy processes inflate much less than wall time.
"""

import argparse
import os
import time

import numpy as np

from nnutils import augment as A
from nnutils.data import load_mnist


def timeit(fn, repeats):
    """(median wall ms, best wall ms, median CPU ms of this process)."""
    fn()  # warm up (first-touch memory, caches)
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return 1000 * np.median(wall), 1000 * np.min(wall), 1000 * np.median(cpu)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--n", type=int, default=1000)
    args = p.parse_args(argv)
    x = load_mnist(flatten=False).x_train[:args.n].copy()
    rng = np.random.default_rng(0)
    typical = A.Augmenter(shift=2, rotate=10, crop=0.1, noise=0.05)
    everything = A.Augmenter(flip=0.5, shift=2, rotate=10, crop=0.1, noise=0.05, brightness=0.1, contrast=0.2)
    cases = [
        ("flip(p=0.5)", lambda: A.flip(x, 0.5, rng)),
        ("shift(2)", lambda: A.shift(x, 2, rng)),
        ("rotate(10)", lambda: A.rotate(x, 10, rng)),
        ("crop_resize(0.1)", lambda: A.crop_resize(x, 0.1, rng)),
        ("noise(0.05)", lambda: A.noise(x, 0.05, rng)),
        ("brightness(0.1)", lambda: A.brightness(x, 0.1, rng)),
        ("contrast(0.2)", lambda: A.contrast(x, 0.2, rng)),
        ("typical pipeline (see below)", lambda: typical(x, rng)),
        ("all seven (see below)", lambda: everything(x, rng)),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.n} images of 28x28, float32; {args.repeats} runs; "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"  {'transform':<34} {'median':>8} {'best':>8} {'CPU':>8}   (ms)")
    results = {}
    for name, fn in cases:
        results[name] = timeit(fn, args.repeats)
        med, best, cpu = results[name]
        print(f"  {name:<34} {med:8.1f} {best:8.1f} {cpu:8.1f}")
    print(f"typical = {typical!r}\nall seven = {everything!r}")
    med, best, cpu = (v * 1000 / args.n for v in results["typical pipeline (see below)"])
    verdict = lambda ms: "within" if ms <= 50 else "OVER"
    print(f"typical pipeline per 1,000 images: {cpu:.1f} ms CPU ({verdict(cpu)} the 50 ms target), "
          f"{med:.1f} ms wall ({verdict(med)}; wall time includes waiting for a CPU when the "
          f"machine is busy: load {load:.1f} on {os.cpu_count()} CPUs)")

    # the same pipeline, one image at a time (what a per-image Python loop would cost)
    few = x[:100]
    loop_med = timeit(lambda: [typical(img[None], rng) for img in few], max(3, args.repeats // 5))[0]
    batch_med = timeit(lambda: typical(few, rng), args.repeats)[0]
    print(f"100 images one at a time: {loop_med:.1f} ms vs batched {batch_med:.1f} ms "
          f"-> batching is {loop_med / batch_med:.0f}x faster")


if __name__ == "__main__":
    main()
