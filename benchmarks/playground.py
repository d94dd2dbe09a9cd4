"""Speed of the playground (lesson 10): training steps and frames per second while playing.

For a 2-hidden-layer × 8-unit network (the issue's yardstick) on circles and on spirals:
  * training alone: steps/s (one frame = one epoch of ``fit`` = 25 mini-batches of 10);
  * a frame (one epoch + redraw): frames/s and steps/s *with* redraw;
  * the redraw alone, and what it would cost with a many-panel matplotlib figure instead;
  * the network over the plane's grid (part of every redraw), in chunks and in one pass;
  * the play loop itself (an asyncio task, capped at 20 frames/s) for a few seconds;
  * update latency of a control change: a training knob (lr) vs a new network (units);
  * optionally (--kernel) the same in a real ipykernel, driven through widget messages, with
    the latency of running a cell while the demo plays (the notebook must stay usable).

Medians of wall and CPU time; the machine is shared, so the load average is printed and the
ratios (matplotlib / arrays) are the numbers to compare.

    python benchmarks/playground.py [--kernel]
"""

import asyncio
import os
import statistics
import sys
import time

import numpy as np

from nnutils.demos.playground import FRAME_INTERVAL, PlaygroundDemo
from nnutils.experiments import playground as engine


def timed(f, repeats):
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        f()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def matplotlib_frame_seconds(demo, repeats=5):
    """The same content as a matplotlib figure updated in place: boundary + points, one small
    map per hidden neuron (2 × 8), the loss curves; a PNG render per frame."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 6.5), dpi=80)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(8, 4)
    maps = [fig.add_subplot(grid[r, c]) for c in range(2) for r in range(8)]
    ims = [ax.imshow(np.zeros((24, 24)), cmap="RdBu", vmin=-1, vmax=1) for ax in maps]
    for ax in maps:
        ax.set_axis_off()
    ax = fig.add_subplot(grid[:6, 2:])
    boundary = ax.imshow(np.zeros((100, 100)), cmap="RdBu", vmin=-1, vmax=1,
                         extent=(-6, 6, -6, 6), alpha=0.7)
    ax.scatter(*demo.data.x_tr.T, c=demo.data.y_tr, cmap="RdBu", s=12, edgecolors="white")
    curves = fig.add_subplot(grid[6:, 2:])
    (line,) = curves.plot([], [])

    def frame():
        for im in ims:
            im.set_data(np.random.uniform(-1, 1, (24, 24)))
        boundary.set_data(np.random.uniform(-1, 1, (100, 100)))
        line.set_data(np.arange(50), np.random.rand(50))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})

    frame()
    return timed(frame, repeats)


def play_for(demo, seconds):
    """Run the real play loop on an asyncio loop; frames per second and epochs done."""
    async def session():
        start_frames, start = demo.frames, time.perf_counter()
        demo.play()
        await asyncio.sleep(seconds)
        demo.pause()
        return (demo.frames - start_frames) / (time.perf_counter() - start)

    return asyncio.run(session())


def in_process(dataset):
    demo = PlaygroundDemo(dataset=dataset)          # 2 × 8 tanh, SGD, batch 10 (the defaults)
    steps_per_epoch = -(-len(demo.data.x_tr) // demo.run.batch_size)
    demo.step(5)                                    # warm up
    train_w, train_c = timed(demo.run.train_epoch, 20)
    render_w, render_c = timed(demo.render, 20)
    frame_w, frame_c = timed(demo._frame, 20)
    fps = play_for(demo, 3.0)
    print(f"\n{dataset}: 2 × 8 tanh, {len(demo.data.x_tr)} training points, batch 10 -> "
          f"{steps_per_epoch} steps per epoch (= per frame)")
    print(f"  training only   {steps_per_epoch / train_w:7.0f} steps/s   "
          f"(epoch {train_w * 1e3:5.1f} ms wall, {train_c * 1e3:5.1f} ms CPU)")
    print(f"  redraw only     {1 / render_w:7.1f} frames/s (render {render_w * 1e3:5.1f} ms wall, "
          f"{render_c * 1e3:5.1f} ms CPU, PNG {len(demo.png()) / 1e3:.0f} kB)")
    print(f"  epoch + redraw  {1 / frame_w:7.1f} frames/s = {steps_per_epoch / frame_w:5.0f} "
          f"steps/s with redraw ({frame_w * 1e3:5.1f} ms wall, {frame_c * 1e3:5.1f} ms CPU)")
    print(f"  play loop       {fps:7.1f} frames/s = {fps * steps_per_epoch:5.0f} steps/s "
          f"(capped at {1 / FRAME_INTERVAL:g} frames/s)")
    return demo, render_w, render_c


def grid_pass():
    """``PlaygroundRun.plane_outputs`` (every layer's output over the GRID² points): in
    chunks of CHUNK rows, as the run does, and in one pass (CHUNK = all rows)."""
    print(f"\nthe network over the {engine.GRID}² grid (plane_outputs), chunks of "
          f"{engine.CHUNK} rows vs one pass:")
    chunk = engine.CHUNK
    for layers, units in ((2, 8), (6, 16)):
        demo = PlaygroundDemo(layers=layers, units=units)
        demo.step(2)
        chunked_w, _ = timed(demo.run.plane_outputs, 20)
        try:
            engine.CHUNK = engine.GRID ** 2
            whole_w, _ = timed(demo.run.plane_outputs, 20)
        finally:
            engine.CHUNK = chunk
        print(f"  {layers} × {units:2d}: {chunked_w * 1e3:5.1f} ms in chunks, "
              f"{whole_w * 1e3:5.1f} ms in one pass ({whole_w / chunked_w:.1f}×)")


def latencies():
    demo = PlaygroundDemo()
    demo.step(5)
    rows = []
    for name, values in (("lr (keeps the network)", [0.1, 0.03]),
                         ("optimizer (keeps the weights)", ["adam", "sgd"]),
                         ("units (new network)", [4, 8]),
                         ("layers 6 × 16 (new network)", [6, 2]),
                         ("dataset (new data + network)", ["spirals", "circles"])):
        control = name.split()[0]
        times, cpu = [], []
        for _ in range(3):
            for v in values:
                if control == "layers" and v == 6:
                    demo.set(units=16)
                w, c = time.perf_counter(), time.process_time()
                demo.set(**{control: v})
                times.append(time.perf_counter() - w)
                cpu.append(time.process_time() - c)
        demo.set(units=8)
        rows.append((name, statistics.median(times), statistics.median(cpu)))
    print("\nupdate latency (demo.set, including the redraw):")
    for name, w, c in rows:
        print(f"  {name:32s} {w * 1e3:6.1f} ms wall, {c * 1e3:6.1f} ms CPU")


def in_kernel(seconds=4.0):
    """The demo in a real ipykernel: press play via a widget message, measure frames/s and the
    latency of running cells meanwhile, change lr and units by widget messages, pause."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        def run(code):
            out = []
            start = time.perf_counter()
            kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(
                m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
            return time.perf_counter() - start, "".join(out).strip()

        def widget_msg(model_id, data):
            kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": model_id, "data": data}))

        run("from nnutils.demos.playground import PlaygroundDemo\nd = PlaygroundDemo()\n"
            "b = {x.description: x.model_id for x in d.widget.children[2].children[0].children}")
        _, ids = run("print(b['play'], b['pause'], d.controls['lr'].model_id, "
                     "d.controls['units'].model_id)")
        play, pause, lr, units = ids.split()
        widget_msg(play, {"method": "custom", "content": {"event": "click"}})
        time.sleep(0.5)
        run("import time as _t; f0, t0 = d.frames, _t.perf_counter()")
        cells = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            cells.append(run("x = 1")[0])
            time.sleep(0.1)
        _, fps = run("print(f'{(d.frames - f0) / (_t.perf_counter() - t0):.1f}')")
        _, before = run("print(d.epoch)")
        widget_msg(lr, {"method": "update", "state": {"value": -1.0}, "buffer_paths": []})
        time.sleep(0.5)
        _, after_lr = run("print(d.epoch, d.optimizer.lr, d.playing)")
        widget_msg(units, {"method": "update", "state": {"value": 4}, "buffer_paths": []})
        time.sleep(0.3)
        _, after_units = run("print(d.epoch, d.model.params['W1'].shape, d.playing)")
        widget_msg(pause, {"method": "custom", "content": {"event": "click"}})
        time.sleep(0.5)
        _, paused = run("e = d.epoch; print(d.playing)")
        time.sleep(0.5)
        _, still = run("print(d.epoch == e, d.error)")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(f"\nin an ipykernel (widget messages, no browser), 2 × 8 on circles:")
    print(f"  play loop       {fps} frames/s")
    print(f"  a cell while playing: median {statistics.median(cells) * 1e3:.0f} ms, "
          f"worst {max(cells) * 1e3:.0f} ms ({len(cells)} cells)")
    print(f"  lr slider while playing: epoch {before} -> (epoch, lr, playing) = {after_lr}")
    print(f"  units slider while playing: (epoch, W1 shape, playing) = {after_units}")
    print(f"  pause: playing = {paused}; epoch unchanged afterwards, error = {still}")


def main(argv):
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for dataset in ("circles", "spirals"):
        demo, render_w, render_c = in_process(dataset)
    mpl_w, mpl_c = matplotlib_frame_seconds(demo)
    print(f"\nmatplotlib instead (boundary + 16 neuron maps + curves, artists updated in place): "
          f"{mpl_w * 1e3:.0f} ms wall, {mpl_c * 1e3:.0f} ms CPU per frame = "
          f"{mpl_w / render_w:.1f}× wall, {mpl_c / render_c:.1f}× CPU of the array renderer")
    grid_pass()
    latencies()
    if "--kernel" in argv:
        in_kernel()


if __name__ == "__main__":
    main(sys.argv[1:])
