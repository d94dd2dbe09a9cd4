"""Drawing a ``nnutils.graph`` computational graph with matplotlib (no Graphviz needed).

Layout, left to right: inputs on the left, the output on the right. Every computed value has
its own small round *op node* (+, ×, σ, ...) just before it; a value box shows its label, its
forward value (``data``) and its gradient (``grad``). Columns alternate value / op; the rows
inside a column are ordered so that edges cross as little as possible (a few barycentre
sweeps, the classic Sugiyama heuristic, with overlaps removed by isotonic regression).

    from nnutils.graph import neuron
    from nnutils.graph_draw import draw_graph
    f = neuron(); f.backward()
    drawing = draw_graph(f)                  # a figure of its own, or draw_graph(f, ax=ax)
    drawing.update(f, highlight=f)           # same structure: only texts and colours change

``GraphDrawing.update`` changes texts and colours in place, so a demo can redraw on every
slider move or backward step without rebuilding the figure. Readable up to ~20 value nodes.
"""

from __future__ import annotations

import numpy as np

from .checks import is_int
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from nnutils.graph import Value, topological_order
from nnutils.i18n import tr

__all__ = ["layout", "draw_graph", "GraphDrawing"]

# geometry in data units: value boxes are BOX_W x BOX_H, op circles have radius OP_R;
# a value column and the op column before it together take PITCH horizontally.
BOX_W, BOX_H, OP_R, PITCH, ROW = 1.5, 0.78, 0.28, 2.6, 1.0

COLORS = {
    "input": "#e3eefc",     # leaves (inputs, weights, constants)
    "value": "#f4f4f4",     # computed values
    "output": "#e4f4e4",    # the root
    "op": "#ffffff",
    "edge": "#555555",
    "grad": "#c0392b",      # gradients are written in red, as in the lecture slides
    "highlight": "#ff8c00",
    "highlight_face": "#ffe7c2",
}


# --- layout ---------------------------------------------------------------------------------
def _isotonic_positions(desired):
    """Positions as close as possible (least squares) to ``desired`` (sorted), keeping a gap
    of at least ROW between neighbours: pool-adjacent-violators on u_i = y_i − i·ROW."""
    targets = [d - i * ROW for i, d in enumerate(desired)]
    blocks = []  # [mean, count]
    for t in targets:
        blocks.append([t, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    u = [m for m, c in blocks for _ in range(c)]
    return [ui + i * ROW for i, ui in enumerate(u)]


def layout(root, sweeps=6):
    """Positions for drawing: returns (nodes, value_xy, op_xy) where ``nodes`` is the
    topological order, ``value_xy[i]`` the centre of node i's box and ``op_xy[i]`` the
    centre of its op node (None for inputs)."""
    nodes = topological_order(root)
    index = {id(v): i for i, v in enumerate(nodes)}
    n = len(nodes)
    parents = [[index[id(p)] for p in v.parents] for v in nodes]
    children = [[] for _ in range(n)]
    for i, ps in enumerate(parents):
        for p in ps:
            children[p].append(i)

    # columns: a computed value sits one op column after its latest parent (longest path);
    # an input sits just before its first consumer, so long edges are rare.
    col = [0] * n
    for i in range(n):  # topological order: parents are done first
        if parents[i]:
            col[i] = max(col[p] for p in parents[i]) + 2
    for i in range(n):
        if not parents[i] and children[i]:
            col[i] = min(col[c] for c in children[i]) - 2
    shift = min(col)
    col = [c - shift for c in col]
    n_cols = max(col) + 1
    columns = [[i for i in range(n) if col[i] == c] for c in range(0, n_cols, 2)]

    # rows: start in topological order (first parent on top), then barycentre sweeps
    y = [0.0] * n
    for members in columns:
        for k, i in enumerate(members):
            y[i] = -k * ROW
    for sweep in range(sweeps):
        right_to_left = sweep % 2 == 0
        cols = columns[::-1] if right_to_left else columns
        for members in cols:
            want = {}
            for i in members:
                nb = children[i] if right_to_left else parents[i]
                want[i] = float(np.mean([y[j] for j in nb])) if nb else y[i]
            # sort top to bottom (largest y first); ties keep the current order
            order = sorted(members, key=lambda i: (-want[i], -y[i]))
            desired = [-want[i] for i in order]  # isotonic works on increasing values
            placed = _isotonic_positions(desired)
            for i, p in zip(order, placed):
                y[i] = -p
    top = max(y)
    value_xy = [(col[i] / 2 * PITCH, y[i] - top) for i in range(n)]
    op_xy = [((col[i] - 1) / 2 * PITCH, y[i] - top) if parents[i] else None for i in range(n)]
    return nodes, value_xy, op_xy


# --- drawing --------------------------------------------------------------------------------
class GraphDrawing:
    """The artists of one drawn graph; ``update`` refreshes numbers and highlight in place."""

    def __init__(self, root, ax, fmt=".2f", fontsize=None, show_grad=True):
        self.ax, self.fmt, self.show_grad = ax, fmt, show_grad
        self.nodes, self.value_xy, self.op_xy = layout(root)
        self.signature = self._signature(self.nodes)
        xs = [x for x, _ in self.value_xy]
        ys = [y for _, y in self.value_xy]
        x0, x1 = min(xs) - BOX_W / 2 - 0.15, max(xs) + BOX_W / 2 + 0.15
        y0, y1 = min(ys) - BOX_H / 2 - 0.15, max(ys) + BOX_H / 2 + 0.15
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")  # circles stay round, nothing is cut
        ax.set_axis_off()
        self.fontsize = self._fit_fontsize(fontsize, x1 - x0, y1 - y0)
        self._draw_edges()
        self._draw_nodes()
        self.update(root)

    def _fit_fontsize(self, fontsize, width, height):
        """The given size, or one that scales with the space a box gets on the page."""
        if fontsize is not None:
            return fontsize
        fig, pos = self.ax.figure, self.ax.get_position()
        w_pt = pos.width * fig.get_figwidth() * 72
        h_pt = pos.height * fig.get_figheight() * 72
        return float(np.clip(min(w_pt / width, h_pt / height) * 0.2, 4.5, 11.0))

    def _draw_edges(self):
        ax, fontsize = self.ax, self.fontsize
        index = {id(v): i for i, v in enumerate(self.nodes)}

        self.edges = []  # (artist, parent index, child index)
        self.op_edges = {}
        for i, v in enumerate(self.nodes):
            if not v.parents:
                continue
            ox, oy = self.op_xy[i]
            seen = {}
            for p in v.parents:
                j = index[id(p)]
                k = seen[j] = seen.get(j, -1) + 1  # x * x: the second edge bends
                px, py = self.value_xy[j]
                sx, sy = px + BOX_W / 2, py
                d = np.hypot(ox - sx, oy - sy)  # stop at the op circle's rim
                ex, ey = ox - OP_R * (ox - sx) / d, oy - OP_R * (oy - sy) / d
                arrow = FancyArrowPatch((sx, sy), (ex, ey), arrowstyle="-|>",
                                        mutation_scale=fontsize * 1.1, color=COLORS["edge"],
                                        lw=0.9, shrinkA=0, shrinkB=0,
                                        connectionstyle=f"arc3,rad={0.35 * k}", zorder=1)
                ax.add_patch(arrow)
                self.edges.append((arrow, j, i))
            x, yv = self.value_xy[i]
            arrow = FancyArrowPatch((ox + OP_R, oy), (x - BOX_W / 2, yv), arrowstyle="-|>",
                                    mutation_scale=fontsize * 1.1, color=COLORS["edge"], lw=0.9,
                                    shrinkA=0, shrinkB=0, zorder=1)
            ax.add_patch(arrow)
            self.op_edges[i] = arrow


    def _draw_nodes(self):
        ax, fontsize, show_grad = self.ax, self.fontsize, self.show_grad
        last = len(self.nodes) - 1
        self.boxes, self.op_circles, self.op_texts = {}, {}, {}
        self.label_texts, self.data_texts, self.grad_texts = {}, {}, {}
        for i, v in enumerate(self.nodes):
            x, yv = self.value_xy[i]
            kind = "output" if i == last else ("value" if v.parents else "input")
            box = FancyBboxPatch((x - BOX_W / 2, yv - BOX_H / 2), BOX_W, BOX_H,
                                 boxstyle="round,pad=0,rounding_size=0.12",
                                 facecolor=COLORS[kind], edgecolor="#333333", lw=0.9, zorder=2)
            box.base_face = COLORS[kind]
            ax.add_patch(box)
            self.boxes[i] = box
            dy = BOX_H / (3.3 if show_grad else 2.4)
            top = yv + (dy if show_grad else dy / 2)
            self.label_texts[i] = ax.text(x, top, v.label or "", ha="center", va="center",
                                          fontsize=fontsize, weight="bold", zorder=3)
            self.data_texts[i] = ax.text(x, top - dy, "", ha="center", va="center",
                                         fontsize=fontsize, zorder=3)
            self.grad_texts[i] = ax.text(x, top - 2 * dy, "", ha="center", va="center",
                                         fontsize=fontsize, color=COLORS["grad"], zorder=3,
                                         visible=show_grad)
            if v.parents:
                ox, oy = self.op_xy[i]
                circ = Circle((ox, oy), OP_R, facecolor=COLORS["op"], edgecolor="#333333",
                              lw=0.9, zorder=2)
                ax.add_patch(circ)
                self.op_circles[i] = circ
                op = v.op
                size = fontsize * (1.25 if len(op) <= 1 else 0.95 if len(op) <= 3 else 0.8)
                self.op_texts[i] = ax.text(ox, oy, op, ha="center", va="center_baseline",
                                           fontsize=size, zorder=3)

    @staticmethod
    def _signature(nodes):
        index = {id(v): i for i, v in enumerate(nodes)}
        return [(v.op, tuple(index[id(p)] for p in v.parents)) for v in nodes]

    def update(self, root, highlight=None):
        """New numbers (same graph structure) and an optional highlighted node: a Value of
        this graph or its index in topological order. The highlighted node and its op are
        drawn in orange; the parents it just sent gradient to get an orange outline."""
        nodes = topological_order(root)
        if self._signature(nodes) != self.signature:
            raise ValueError("update() needs a graph with the same structure as the drawn one; "
                             "draw a new graph with draw_graph(root) instead")
        self.nodes = nodes
        fmt = "{:" + self.fmt + "}"
        for i, v in enumerate(nodes):
            self.data_texts[i].set_text(f"data {fmt.format(v.data)}")
            self.grad_texts[i].set_text(f"grad {fmt.format(v.grad)}")
            self.label_texts[i].set_text(v.label or "")
        h = self._index_of(highlight)
        receivers = {id(p) for p in nodes[h].parents} if h is not None else set()
        for i, box in self.boxes.items():
            hit, got = i == h, id(nodes[i]) in receivers
            box.set_facecolor(COLORS["highlight_face"] if hit else box.base_face)
            box.set_edgecolor(COLORS["highlight"] if hit or got else "#333333")
            box.set_linewidth(2.6 if hit else 1.8 if got else 0.9)
            box.set_linestyle("--" if got and not hit else "-")
        for i, circ in self.op_circles.items():
            hit = i == h
            circ.set_facecolor(COLORS["highlight_face"] if hit else COLORS["op"])
            circ.set_edgecolor(COLORS["highlight"] if hit else "#333333")
            circ.set_linewidth(2.6 if hit else 0.9)
        for arrow, j, i in self.edges:
            hit = i == h
            arrow.set_color(COLORS["highlight"] if hit else COLORS["edge"])
            arrow.set_linewidth(2.0 if hit else 0.9)
        return self

    def _index_of(self, node):
        if node is None:
            return None
        if is_int(node):
            if not 0 <= node < len(self.nodes):
                raise ValueError(f"highlight index must be in [0, {len(self.nodes)}), got {node}")
            return int(node)
        if isinstance(node, Value):
            for i, v in enumerate(self.nodes):
                if v is node:
                    return i
            raise ValueError(f"highlight {node!r} is not a node of the drawn graph")
        raise TypeError(f"highlight must be a Value, an int index or None, got {type(node).__name__}")


def draw_graph(root, ax=None, highlight=None, fmt=".2f", fontsize=None, show_grad=True,
               title=None):
    """Draw the graph ending at ``root``; returns a ``GraphDrawing`` (its ``.ax.figure`` is
    the figure). Without ``ax`` a new figure is made, sized for the graph. The title is shown
    in the current language when the catalogue has it (nnutils.i18n.tr)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a nnutils.graph.Value, got {type(root).__name__}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, value_xy, _ = layout(root)
        xs = [x for x, _ in value_xy]
        ys = [y for _, y in value_xy]
        width = (max(xs) - min(xs) + BOX_W + 0.3) * 0.72  # 0.72 inch per data unit
        height = (max(ys) - min(ys) + BOX_H + 0.3) * 0.72
        scale = min(1.0, 13.0 / width, 8.0 / height)      # wide graphs shrink as a whole
        figsize = (max(width * scale, 3.0), max(height * scale, 1.2) + (0.35 if title else 0))
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    drawing = GraphDrawing(root, ax, fmt=fmt, fontsize=fontsize, show_grad=show_grad)
    if highlight is not None:
        drawing.update(root, highlight=highlight)
    if title:
        ax.set_title(tr(title), fontsize=max(drawing.fontsize * 1.1, 9))
    return drawing
