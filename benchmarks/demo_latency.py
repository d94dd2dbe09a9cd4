"""Update latency of every demo in the course, measured in the kernel (no browser).

For each demo: construct it, then move each control between its extreme values a few times
and time ``demo.set(...)`` (the update plus rendering the PNG the page receives). Prints the
median and worst update per demo against its target (DESIGN §5: light ≤ 0.25 s, heaviest
non-training ≤ 0.5 s — a demo class says so with ``latency_target = 0.5`` —, retraining
≤ 3 s) and the slowest demo overall.

    python benchmarks/demo_latency.py [substring-of-demo-name ...]
"""

import os
import statistics
import sys
import time

from nnutils.demos import all_demos


def measure(cls, repeats=2):
    """Wall and CPU seconds of every update: on a shared machine CPU time is the steadier one."""
    context = getattr(cls, "control_context", {})
    times, cpu = [], []
    for control in cls().controls:
        demo = cls(**context.get(control, {}))
        values = demo.extremes(control) + [demo.defaults[control]]
        for _ in range(repeats):
            for value in values:
                start, start_cpu = time.perf_counter(), time.process_time()
                demo.set(**{control: value})
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
    return times, cpu


def main(filters):
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = []
    for name, cls in all_demos().items():
        if filters and not any(f in name for f in filters):
            continue
        times, cpu = measure(cls, repeats=1 if cls.retrains else 2)
        target = getattr(cls, "latency_target", 3.0 if cls.retrains else 0.25)
        rows.append((name, statistics.median(times), max(times), target, len(times)))
        print(f"{name:40s} wall median {rows[-1][1]:.3f} s, worst {rows[-1][2]:.3f} s; "
              f"CPU median {statistics.median(cpu):.3f} s  ({len(times)} updates, "
              f"target ≤ {target:g} s)", flush=True)
    if rows:
        slowest = max(rows, key=lambda r: r[1] / r[3])
        print(f"\nslowest relative to its target: {slowest[0]} — median {slowest[1]:.3f} s, "
              f"{slowest[1] / slowest[3]:.2f}× of its {slowest[3]:g} s budget")


if __name__ == "__main__":
    main(sys.argv[1:])
