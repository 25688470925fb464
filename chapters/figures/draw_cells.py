"""Draw the course's cell diagrams as SVG files, all in one style.

Run from the repository root::

    python chapters/figures/draw_cells.py              # writes the SVGs next to this file
    python chapters/figures/draw_cells.py --png /tmp   # and a PNG copy of each, to look at

The output is byte-for-byte reproducible (tests/test_figures.py checks it): fixed SVG ids, no date,
text drawn as paths so that it looks the same in every browser.

Every figure is drawn on axes measured in inches, one data unit = one inch, and every figure is
``WIDTH`` inches wide, so that a font size means the same on every figure of the book.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath

HERE = Path(__file__).resolve().parent
WIDTH = 7.2  # inches: 690 px at the browser's 96 px per inch

# One palette (Okabe-Ito hues, pale fills with a darker edge of the same hue), one role per colour.
COLORS = {
    "ink": "#1f1f1f",  # text and forward wires
    "code": "#3b3b3b",  # code names under a symbol
    "frame": "#f3f3f1",  # the cell: one step
    "frame_edge": "#a8a8a4",
    "weight": "#dbe9f6",  # a product with weights: x_t @ kernel + ...
    "weight_edge": "#0072b2",
    "activation": "#fde7bd",  # an activation applied elementwise: sigma, tanh
    "activation_edge": "#c98a00",
    "elementwise": "#f6dbe8",  # an elementwise operation: x, +, 1 -
    "elementwise_edge": "#b0507d",
    "gradient": "#d55e00",  # the backward pass
    "variant": "#009e73",  # a marker for an option (readout="last")
}
FONT_SIZES = {"symbol": 12.5, "code": 9.0, "box": 9.5, "op": 13.0, "note": 8.5}
LINE_WIDTHS = {"wire": 1.4, "state": 2.6, "edge": 1.1, "frame": 1.0}
OP_RADIUS = 0.15  # inches
ACTIVATION_HEIGHT = 0.36

# How a wire looks, by what it carries: (colour, width in points, dash pattern).
WIRE_STYLES = {
    "wire": (COLORS["ink"], LINE_WIDTHS["wire"], "-"),  # a value, forward
    "state": (COLORS["ink"], LINE_WIDTHS["state"], "-"),  # the LSTM's c, the GRU's h: thicker
    "gradient": (COLORS["gradient"], LINE_WIDTHS["wire"], (0, (4, 2.5))),  # dashed: the backward pass
    "shared": (COLORS["weight_edge"], LINE_WIDTHS["frame"], (0, (1.2, 1.8))),  # dotted: the same weights
}

STYLE = {
    "svg.hashsalt": "lstms-from-scratch-figures",  # fixed ids in the SVG
    "svg.fonttype": "path",  # glyphs as paths: the same in every browser, no font needed
    "font.family": "DejaVu Sans",
    "font.monospace": ["DejaVu Sans Mono"],
    "mathtext.fontset": "dejavusans",
    "path.simplify": False,
}
SAVE_METADATA = {"Date": None, "Creator": "chapters/figures/draw_cells.py (Matplotlib)"}


@dataclass(frozen=True)
class Shape:
    """Where a drawn box or circle sits: centre (x, y), width and height, in inches."""

    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> tuple[float, float]:
        return (self.x - self.w / 2, self.y)

    @property
    def right(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y)

    @property
    def top(self) -> tuple[float, float]:
        return (self.x, self.y + self.h / 2)

    @property
    def bottom(self) -> tuple[float, float]:
        return (self.x, self.y - self.h / 2)


# ---------------------------------------------------------------------------------------------
# The shapes: one per kind of thing, the same in every figure.


def new_figure(height: float):
    """A figure WIDTH x height inches with axes in inches and nothing else on it."""
    fig = Figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def _rounded_box(ax, x, y, w, h, face, edge, rounding, lw=LINE_WIDTHS["edge"], ls="-", z=3) -> Shape:
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle=f"round,pad=0,rounding_size={rounding}",
            facecolor=face,
            edgecolor=edge,
            linewidth=lw,
            linestyle=ls,
            zorder=z,
        )
    )
    return Shape(x, y, w, h)


def cell_frame(ax, x0, y0, x1, y1, name=None) -> Shape:
    """The grey rounded frame of one step, with the step function's name in its lower right corner."""
    shape = _rounded_box(
        ax,
        (x0 + x1) / 2,
        (y0 + y1) / 2,
        x1 - x0,
        y1 - y0,
        COLORS["frame"],
        COLORS["frame_edge"],
        0.18,
        lw=LINE_WIDTHS["frame"],
        z=0,
    )
    if name:
        ax.text(
            x1 - 0.12,
            y0 + 0.1,
            name,
            ha="right",
            va="bottom",
            family="monospace",
            size=FONT_SIZES["note"],
            color=COLORS["code"],
            zorder=1,
        )
    return shape


def weight_box(ax, x, y, w, h, text=None, size=FONT_SIZES["box"]) -> Shape:
    """A product with weights (a layer): a blue rounded rectangle, its formula in code font."""
    shape = _rounded_box(ax, x, y, w, h, COLORS["weight"], COLORS["weight_edge"], 0.1)
    if text:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            multialignment="left",
            family="monospace",
            size=size,
            color=COLORS["ink"],
            linespacing=1.35,
            zorder=4,
        )
    return shape


def activation_box(ax, x, y, name) -> Shape:
    """An activation applied elementwise, 'σ' or 'tanh': an amber box with square-ish corners."""
    w = 0.42 if name == "σ" else 0.58
    shape = _rounded_box(ax, x, y, w, ACTIVATION_HEIGHT, COLORS["activation"], COLORS["activation_edge"], 0.03)
    ax.text(x, y, name, ha="center", va="center_baseline", size=FONT_SIZES["box"] + 1.5, color=COLORS["ink"], zorder=4)
    return shape


def op_node(ax, x, y, op) -> Shape:
    """An elementwise operation, '×', '+' or '1−': a pink circle."""
    ax.add_patch(
        Circle(
            (x, y),
            OP_RADIUS,
            facecolor=COLORS["elementwise"],
            edgecolor=COLORS["elementwise_edge"],
            linewidth=LINE_WIDTHS["edge"],
            zorder=3,
        )
    )
    size = FONT_SIZES["op"] if len(op) == 1 else FONT_SIZES["box"]
    ax.text(x, y, op, ha="center", va="center_baseline", size=size, color=COLORS["ink"], zorder=4)
    return Shape(x, y, 2 * OP_RADIUS, 2 * OP_RADIUS)


def wire(ax, *points, arrow=True, kind="wire", lw=None, alpha=1.0, halo=False):
    """A polyline through ``points``, with an arrowhead at the last one unless ``arrow`` is False.

    kind: a key of WIRE_STYLES; lw overrides its width. halo: a band of the frame's colour under
    the wire, so that the wire it crosses shows a gap and this one visibly passes over it.
    """
    color, default_lw, ls = WIRE_STYLES[kind]
    lw = lw or default_lw
    path = MplPath(points, [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1))
    head = 3.2 + 1.6 * lw
    patch = FancyArrowPatch(
        path=path,
        arrowstyle=f"-|>,head_length={head / 10:.2f},head_width={head / 18:.2f}" if arrow else "-",
        mutation_scale=10,
        shrinkA=0,
        shrinkB=0,
        color=color,
        linewidth=lw,
        linestyle=ls,
        alpha=alpha,
        joinstyle="miter",
        capstyle="butt",
        zorder=2.2 if halo else 2,
    )
    if halo:  # under this wire, over the others: a gap in the wire it crosses
        xs, ys = zip(*points)
        ax.plot(xs, ys, color=COLORS["frame"], linewidth=lw + 5, solid_capstyle="butt", zorder=2.1)
    ax.add_patch(patch)


def loss_box(ax, x, y) -> Shape:
    """The loss: a white box with a black edge, the one thing that is not part of the network."""
    shape = _rounded_box(ax, x, y, 0.8, 0.5, "white", COLORS["ink"], 0.08)
    ax.text(x, y, "loss $L$", ha="center", va="center", size=FONT_SIZES["box"] + 1, color=COLORS["ink"], zorder=4)
    return shape


def variant_outline(ax, x, y, w, h, label) -> Shape:
    """A dashed green outline around the part of a figure that an option keeps, its label on top."""
    shape = _rounded_box(ax, x, y, w, h, "none", COLORS["variant"], 0.12, lw=1.4, ls=(0, (5, 3)), z=1)
    ax.text(
        x,
        y + h / 2 + 0.17,
        label,
        ha="center",
        va="center",
        family="monospace",
        size=FONT_SIZES["code"],
        color=COLORS["variant"],
        zorder=5,
    )
    return shape


def input_wire(ax, x, y, node, name, side=None):
    """A vertical wire from (x, y) up into ``node``'s circle, its code name beside it (left if side < 0)."""
    side = side or (1 if x > node.x else -1)
    dx = x - node.x
    wire(ax, (x, y), (x, node.y - (OP_RADIUS**2 - dx**2) ** 0.5))
    note(
        ax,
        x + 0.06 * side,
        y + 0.16,
        name,
        ha="left" if side > 0 else "right",
        family="monospace",
        size=FONT_SIZES["code"] - 0.5,
    )


def junction(ax, x, y):
    """A dot where a wire splits: the same value goes both ways."""
    ax.add_patch(Circle((x, y), 0.045, facecolor=COLORS["ink"], edgecolor="none", zorder=3))


def symbol_label(ax, x, y, symbol, code=None, ha="center", note=None):
    """A value's name: its symbol in the book's notation, its name in the code under it, then a note.

    (x, y) is the middle of the symbol and the code name together, so that a label placed at the
    end of a wire sits on the wire's line.
    """
    top = y + (0.1 if code else 0)
    ax.text(x, top, symbol, ha=ha, va="center", size=FONT_SIZES["symbol"], color=COLORS["ink"], zorder=5)
    if code:
        ax.text(
            x,
            top - 0.23,
            code,
            ha=ha,
            va="center",
            family="monospace",
            size=FONT_SIZES["code"],
            color=COLORS["code"],
            zorder=5,
        )
    if note:
        ax.text(
            x,
            top - (0.43 if code else 0.22),
            note,
            ha=ha,
            va="center",
            size=FONT_SIZES["note"],
            color=COLORS["code"],
            zorder=5,
        )


def note(ax, x, y, text, ha="left", va="center", color=None, size=FONT_SIZES["note"], **kw):
    """A short remark in the figure, in the text font (mathtext allowed)."""
    ax.text(x, y, text, ha=ha, va=va, size=size, color=color or COLORS["code"], zorder=5, **kw)


def tt(name: str) -> str:
    """``name`` in the code font inside a text line (mathtext), e.g. tt("dense_kernel")."""
    return r"$\mathtt{" + name.replace("_", r"\_") + "}$"


# ---------------------------------------------------------------------------------------------
# The figures. Each returns a Figure; coordinates are inches from the lower left corner.


def rnn_cell():
    """The vanilla RNN step: h = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)."""
    fig, ax = new_figure(3.5)
    y = 1.5
    cell_frame(ax, 1.2, 0.65, 5.95, 2.5, "rnn_step_forward")
    z_box = weight_box(ax, 2.8, y, 2.6, 0.95, "z = x_t @ kernel\n  + h_prev @ recurrent_kernel\n  + bias")
    tanh = activation_box(ax, 4.8, y, "tanh")
    split = (5.45, y)

    wire(ax, (0.95, y), z_box.left)
    symbol_label(ax, 0.5, y, "$h_{t-1}$", "h_prev")
    wire(ax, (2.35, 0.25), (2.35, z_box.bottom[1]))
    symbol_label(ax, 2.2, 0.4, "$x_t$", "x_t", ha="right")
    wire(ax, z_box.right, tanh.left)
    symbol_label(ax, 4.3, y + 0.2, "$z_t$")
    wire(ax, tanh.right, split, (6.35, y))
    symbol_label(ax, 6.75, y, "$h_t$", "h", note="to step t+1")
    wire(ax, split, (split[0], 3.3))
    junction(ax, *split)
    symbol_label(ax, split[0] + 0.15, 3.05, "$h_t$", "h", ha="left", note="to the output")
    return fig


def rnn_unrolled():
    """The same step applied T times, and the gradient of a loss on h_T flowing back through it."""
    fig, ax = new_figure(4.2)
    y, centers, size = 2.4, (1.3, 2.6, 3.9, 5.2), 0.74
    steps = ("1", "2", "3", "T")
    cells = []
    for x, t in zip(centers, steps):
        cells.append(cell_frame(ax, x - size / 2, y - size / 2, x + size / 2, y + size / 2))
        activation_box(ax, x, y, "tanh")
        wire(ax, (x, 1.25), cells[-1].bottom)
        symbol_label(ax, x, 1.05, f"$x_{t}$")
    loss = loss_box(ax, 6.55, y)
    note(ax, loss.x, loss.y - 0.45, "here T = 4", ha="center")

    shared = weight_box(ax, 3.25, 3.8, 4.6, 0.42)
    note(
        ax,
        shared.x,
        shared.y,
        f"same {tt('kernel')}, {tt('recurrent_kernel')}, {tt('bias')} at every step",
        ha="center",
        color=COLORS["ink"],
        size=FONT_SIZES["box"],
    )
    for cell in cells:
        wire(ax, (cell.x, shared.bottom[1]), cell.top, kind="shared")

    # Forward: h_0 -> step 1 -> ... -> step T -> loss, on a line just above the middle.
    forward_y, backward_y = y + 0.13, y - 0.13
    starts = [0.62] + [c.right[0] for c in cells]
    ends = [c.left[0] for c in cells] + [loss.left[0]]
    symbol_label(ax, 0.33, y, "$h_0$", "h0")
    for k, (a, b) in enumerate(zip(starts, ends)):
        wire(ax, (a, forward_y), (b, forward_y))
        if k:
            symbol_label(ax, (a + b) / 2, forward_y + 0.21, f"$h_{steps[k - 1]}$")
    # Backward: the gradient reaching h_T, h_3, ..., h_0, fainter and thinner at every step back.
    for k in range(4, -1, -1):
        fade = (4 - k) / 4
        wire(
            ax,
            (ends[k], backward_y),
            (starts[k] + (0.18 if k == 0 else 0), backward_y),
            kind="gradient",
            lw=2.6 - 1.8 * fade,
            alpha=1 - 0.65 * fade,
        )
        name = rf"$\partial L/\partial h_{'0' if k == 0 else steps[k - 1]}$"
        x, y_name = (0.42, backward_y - 0.36) if k == 0 else ((starts[k] + ends[k]) / 2, backward_y - 0.27)
        note(
            ax,
            x,
            y_name,
            name,
            ha="center",
            color=COLORS["gradient"],
            alpha=1 - 0.5 * fade,
            size=FONT_SIZES["code"] + 0.5,
        )

    wire(ax, (0.5, 0.55), (1.0, 0.55), arrow=False)
    note(
        ax,
        1.12,
        0.55,
        f"forward: {tt('h')} = tanh({tt('x_t')} @ {tt('kernel')} + {tt('h_prev')} @ "
        f"{tt('recurrent_kernel')} + {tt('bias')})",
    )
    wire(ax, (1.0, 0.25), (0.5, 0.25), kind="gradient")
    note(
        ax,
        1.12,
        0.25,
        r"backward: $\partial L/\partial h_t$ (" + tt("d_h") + "), a little smaller at every "
        "step back: the gradient vanishes",
    )
    return fig


def lstm_cell():
    """The LSTM step: the cell-state line along the top, the four gates from the four blocks of z."""
    fig, ax = new_figure(4.9)
    y_c, y_h, y_gate, y_mix, x_out = 4.05, 1.3, 2.35, 3.3, 5.8
    cell_frame(ax, 1.15, 0.7, 6.25, 4.6, "lstm_step_forward")
    z_box = weight_box(
        ax, 3.3, 1.18, 3.9, 0.46, "z = x_t @ kernel + h_prev @ recurrent_kernel + bias", size=FONT_SIZES["box"] - 1
    )
    # z split into its four column blocks, in Keras's order i, f, c, o.
    tile_w = z_box.w / 4
    columns = [z_box.left[0] + tile_w * (k + 0.5) for k in range(4)]
    tiles = [weight_box(ax, x, 1.64, tile_w, 0.34, name) for x, name in zip(columns, ("z_i", "z_f", "z_c", "z_o"))]
    x_i, x_f, x_g, x_o = columns
    gates = [activation_box(ax, x, y_gate, a) for x, a in zip(columns, ("σ", "σ", "tanh", "σ"))]
    for tile, gate, name in zip(tiles, gates, ("$i$", "$f$", r"$g$ ($\tilde c_t$)", "$o$")):
        wire(ax, tile.top, gate.bottom)
        symbol_label(ax, gate.x + 0.1, y_gate + 0.4, name, ha="left")

    # The cell state: one straight line, changed only by × f and + i × g.
    forget = op_node(ax, x_f, y_c, "×")
    write = op_node(ax, x_g, y_c, "+")
    wire(ax, (0.95, y_c), forget.left, kind="state", arrow=False)
    wire(ax, forget.right, write.left, kind="state", arrow=False)
    wire(ax, write.right, (6.5, y_c), kind="state")
    symbol_label(ax, 0.5, y_c, "$c_{t-1}$", "c_prev")
    symbol_label(ax, 6.85, y_c, "$c_t$", "c")
    note(ax, 1.42, y_c + 0.34, "cell state: changed only by × f and + i × g")
    wire(ax, gates[1].top, forget.bottom)
    mix = op_node(ax, x_g, y_mix, "×")
    wire(ax, gates[0].top, (x_i, y_mix), mix.left, halo=True)
    wire(ax, gates[2].top, mix.bottom)
    wire(ax, mix.top, write.bottom)

    # The output: h = o × tanh(c).
    tanh_c = activation_box(ax, x_out, 3.5, "tanh")
    show = op_node(ax, x_out, 2.95, "×")
    wire(ax, (x_out, y_c), tanh_c.top)
    junction(ax, x_out, y_c)
    wire(ax, tanh_c.bottom, show.top)
    wire(ax, gates[3].top, (x_o, show.y), show.left)
    wire(ax, show.bottom, (x_out, y_h), (6.5, y_h))
    symbol_label(ax, 6.85, y_h, "$h_t$", "h")

    wire(ax, (0.95, z_box.y), z_box.left)
    symbol_label(ax, 0.5, z_box.y, "$h_{t-1}$", "h_prev")
    wire(ax, (2.3, 0.25), (2.3, z_box.bottom[1]))
    symbol_label(ax, 2.15, 0.4, "$x_t$", "x_t", ha="right")
    return fig


def gru_cell():
    """The GRU step of Keras (reset_after=True): h_prev -> × z -> + (1 − z) × hh -> h along the top."""
    fig, ax = new_figure(5.1)
    y_top, y_join, y_gate, y_r, y_keep = 4.15, 2.3, 2.9, 3.35, 3.72
    x_z, x_r, x_hu, x_hx = 2.4, 3.45, 4.3, 4.9
    cell_frame(ax, 1.25, 0.75, 6.15, 4.65, "gru_step_forward")
    box = weight_box(
        ax,
        3.55,
        1.4,
        3.3,
        0.62,
        "h_prev @ recurrent_kernel + bias[1]\nx_t @ kernel + bias[0]",
        size=FONT_SIZES["box"] - 1,
    )
    y_out = box.top[1]

    # The state line: h_prev -> × z -> + -> h, straight along the top.
    keep = op_node(ax, x_z, y_top, "×")
    add = op_node(ax, x_hx, y_top, "+")
    wire(ax, (0.95, y_top), keep.left, kind="state", arrow=False)
    wire(ax, keep.right, add.left, kind="state", arrow=False)
    wire(ax, add.right, (6.45, y_top), kind="state")
    symbol_label(ax, 0.5, y_top, "$h_{t-1}$", "h_prev")
    symbol_label(ax, 6.8, y_top, "$h_t$", "h")
    note(ax, 1.42, y_top + 0.3, "h = z × h_prev + (1 − z) × hh")
    wire(ax, (1.55, y_top), (1.55, box.y + 0.095), (box.left[0], box.y + 0.095))
    junction(ax, 1.55, y_top)
    wire(ax, (2.15, 0.3), (2.15, box.bottom[1]))
    symbol_label(ax, 2.0, 0.45, "$x_t$", "x_t", ha="right")

    # The two gates: z = σ(x_z + u_z), r = σ(x_r + u_r).
    for x, name, label in ((x_z, "z", "$z$"), (x_r, "r", "$r$")):
        join = op_node(ax, x, y_join, "+")
        for side, part in ((-1, f"x_{name}"), (1, f"u_{name}")):
            input_wire(ax, x + side * 0.09, y_out, join, part)
        gate = activation_box(ax, x, y_gate, "σ")
        wire(ax, join.top, gate.bottom)
        symbol_label(ax, x + 0.1, gate.top[1] + 0.16, label, ha="left")
    wire(ax, (x_z, y_gate + ACTIVATION_HEIGHT / 2), keep.bottom)

    # The candidate: hh = tanh(x_h + r × u_h), the reset gate applied after the product.
    reset = op_node(ax, x_hu, y_join, "×")
    join = op_node(ax, x_hx, y_join, "+")
    input_wire(ax, x_hu, y_out, reset, "u_h", side=-1)
    input_wire(ax, x_hx, y_out, join, "x_h", side=1)
    wire(ax, (x_r, y_gate + ACTIVATION_HEIGHT / 2), (x_r, y_r), (x_hu, y_r), reset.top)
    wire(ax, reset.right, join.left)
    candidate = activation_box(ax, x_hx, y_gate, "tanh")
    wire(ax, join.top, candidate.bottom)
    mix = op_node(ax, x_hx, y_keep, "×")
    wire(ax, candidate.top, mix.bottom)
    symbol_label(ax, x_hx + 0.1, (candidate.top[1] + mix.bottom[1]) / 2, r"$\tilde h$ (hh)", ha="left")
    wire(ax, mix.top, add.bottom)

    # 1 − z: the share of the candidate.
    flip = op_node(ax, (x_z + x_r) / 2 + 0.1, y_keep, "1−")
    wire(ax, (x_z, y_keep), flip.left, arrow=False)
    junction(ax, x_z, y_keep)
    wire(ax, flip.right, mix.left)
    symbol_label(ax, (flip.right[0] + x_hu) / 2, y_keep + 0.18, "$1-z$")
    note(
        ax,
        3.7,
        0.45,
        "Keras's convention: z keeps the old state\n(z = 1 copies h_prev; some texts swap z and 1 − z)",
        ha="left",
        va="center",
        linespacing=1.3,
    )
    return fig


def readout():
    """One dense read-out shared by every step: logits y_t = h_t @ dense_kernel + dense_bias."""
    fig, ax = new_figure(4.5)
    centers, y_cell, y_dense, y_logit = (2.1, 3.5, 4.9, 6.3), 0.95, 2.4, 3.5
    steps = ("1", "2", "3", "T")
    start = 1.0
    symbol_label(ax, 0.6, y_cell, "$h_0$", "h0")
    for x, t in zip(centers, steps):
        cell = cell_frame(ax, x - 0.42, y_cell - 0.27, x + 0.42, y_cell + 0.27)
        note(ax, x, y_cell, f"step {t}", ha="center", color=COLORS["ink"])
        wire(ax, (start, y_cell), cell.left)
        start = cell.right[0]
        dense = weight_box(ax, x, y_dense, 1.18, 0.62, "@ dense_kernel\n+ dense_bias", size=FONT_SIZES["box"] - 1)
        wire(ax, cell.top, dense.bottom)
        symbol_label(ax, x + 0.1, (cell.top[1] + dense.bottom[1]) / 2, f"$h_{t}$", ha="left")
        wire(ax, dense.top, (x, y_logit - 0.2))
        symbol_label(ax, x, y_logit, f"$y_{t}$")
    note(ax, 0.15, y_logit, "logits", ha="left", family="monospace", color=COLORS["ink"], size=FONT_SIZES["box"])
    note(ax, 0.15, y_cell - 0.5, "recurrent layer", ha="left")

    # One pair of dense weights, reaching every step.
    weights = weight_box(ax, 0.72, y_dense, 1.2, 0.62, "dense_kernel\ndense_bias", size=FONT_SIZES["box"] - 1)
    left_edges = [weights.right[0]] + [x + 0.59 for x in centers[:-1]]
    for a, x in zip(left_edges, centers):
        wire(ax, (a, y_dense), (x - 0.59, y_dense), kind="shared")
    note(ax, weights.x, y_dense - 0.48, "one pair, shared", ha="center")

    # readout="last": only the last column.
    x_last, top = centers[-1], y_logit + 0.3
    variant_outline(ax, x_last, (top + y_cell + 0.4) / 2, 1.4, top - y_cell - 0.4, 'readout="last"')
    note(
        ax,
        0.15,
        4.3,
        f'{tt("readout")}="sequence": a logit $y_t$ at every step; {tt("readout")}="last": only $y_T$, from $h_T$',
        ha="left",
        color=COLORS["ink"],
        size=FONT_SIZES["box"],
    )
    note(
        ax,
        0.15,
        0.2,
        f"Own output weights for each step? No: one {tt('dense_kernel')} and one {tt('dense_bias')} serve every step.",
        ha="left",
        color=COLORS["ink"],
        size=FONT_SIZES["box"],
    )
    return fig


def draw_all(out_dir: Path = HERE, png_dir: Path | None = None) -> list[Path]:
    """Draw every figure into ``out_dir`` (SVG) and, if given, ``png_dir`` (PNG); return the SVG paths."""
    written = []
    for draw in FIGURES:
        with matplotlib.rc_context():
            matplotlib.rcdefaults()
            matplotlib.rcParams.update(STYLE)
            fig = draw()
            path = Path(out_dir) / f"{draw.__name__}.svg"
            fig.savefig(path, format="svg", metadata=SAVE_METADATA)
            if png_dir is not None:
                fig.savefig(Path(png_dir) / f"{draw.__name__}.png", format="png", dpi=100)
        written.append(path)
    return written


FIGURES = (rnn_cell, rnn_unrolled, lstm_cell, gru_cell, readout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="folder for the SVG files (default: next to this script)"
    )
    parser.add_argument("--png", type=Path, default=None, help="also write a PNG of each figure into this folder")
    args = parser.parse_args()
    for path in draw_all(args.out, args.png):
        print(f"{path}  {path.stat().st_size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
