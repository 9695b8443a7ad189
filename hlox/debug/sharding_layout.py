"""`visualize_sharding` / `visualize_array_sharding`: a table of which devices hold which
block of a 1-D or 2-D value, drawn with `rich` as JAX draws it."""
from __future__ import annotations

import importlib.util

import numpy as np

_HEIGHT_TO_WIDTH = 2.5


def _chunk_index(size, slc):
    if isinstance(slc, int):
        slc = slice(slc, slc + 1)
    if slc.start is None and slc.stop is None:
        return 0, size
    return slc.start // (slc.stop - slc.start), slc.stop - slc.start


def _blocks(shape, sharding):
    """{(row, col): (device ids, height fraction or None, width fraction)}."""
    blocks = {}
    for device, index in sharding.devices_indices_map(tuple(shape)).items():
        chunks = [_chunk_index(n, s) for n, s in zip(shape, index)]
        if len(shape) == 2:
            (row, rows), (col, cols) = chunks
            key, height, width = (row, col), rows / shape[0], cols / shape[1]
        else:
            ((col, cols),) = chunks
            key, height, width = (0, col), None, cols / shape[0]
        ids, _, _ = blocks.setdefault(key, (set(), height, width))
        ids.add(device.id)
    return blocks


def _colors(color_map, n):
    """JAX's walk through the color map: each next color half the map away."""
    values = np.linspace(0, 1, n)
    i = 0
    for _ in range(n):
        yield color_map(values[i])
        i = (i + n // 2 + (n % 2 == 0)) % n


def _hex(rgb):
    return "#" + "".join(f"{int(c * 255):02X}" for c in rgb[:3])


def _text_color(hex_color):
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if r * 0.299 + g * 0.587 + b * 0.114 > 186 else "#ffffff"


def visualize_sharding(shape, sharding, *, use_color=True, scale=1., min_width=9,
                       max_width=80, color_map=None):
    """Print the devices holding each block of a value of `shape` laid out by `sharding`."""
    if importlib.util.find_spec("rich") is None:
        raise ValueError("`visualize_sharding` requires `rich` to be installed.")
    import rich.align
    import rich.box
    import rich.console
    import rich.padding
    import rich.style
    import rich.table
    if not 1 <= len(shape) <= 2:
        raise ValueError("`visualize_sharding` only works for shapes with 1 and 2 dimensions.")
    console = rich.console.Console(width=max_width)
    use_color = use_color and console.color_system is not None
    if use_color and color_map is None:
        if importlib.util.find_spec("matplotlib") is None:
            use_color = False
        else:
            import matplotlib
            color_map = matplotlib.colormaps["tab20b"]
    base_height = int(10 * scale)
    base_width = int(base_height * (shape[1] if len(shape) == 2 else 1) / shape[0])
    kind = next(iter(sharding.device_set)).platform.upper()
    blocks = _blocks(shape, sharding)
    rows = max(r for r, _ in blocks) + 1
    cols = max(c for _, c in blocks) + 1
    colors = _colors(color_map, rows * cols) if use_color else None
    table = rich.table.Table(show_header=False, show_lines=not use_color, padding=0,
                             highlight=not use_color, pad_edge=False,
                             box=None if use_color else rich.box.SQUARE)
    for i in range(rows):
        cells = []
        for j in range(cols):
            ids, height, width = blocks[i, j]
            label = f"{kind} " + ",".join(str(d) for d in sorted(ids))
            width = min(max(int(width * base_width * _HEIGHT_TO_WIDTH), min_width), max_width)
            height = 1 if height is None else int(height * base_height)
            left, extra = divmod(width - len(label) - 2, 2)
            top, extra_v = divmod(height - 2, 2)
            pad = [top, left + extra, top + extra_v, left]
            style = rich.style.Style()
            if colors is not None:
                background = _hex(next(colors))
                style = rich.style.Style(bgcolor=background, color=_text_color(background))
                pad = [p + 1 for p in pad]
            cells.append(rich.padding.Padding(
                rich.align.Align(label, "center", vertical="middle"),
                tuple(max(p, 0) for p in pad), style=style))
        table.add_row(*cells)
    console.print(table, end="\n\n")


def inspect_array_sharding(value, *, callback):
    """Call `callback` with the sharding of each array in the pytree `value`."""
    from hlox.frontend.core import Tracer
    from hlox.lowering import pytree
    for leaf in pytree.flatten(value)[0]:
        if isinstance(leaf, Tracer):
            raise NotImplementedError("inspect_array_sharding (and visualize_array_sharding) "
                                      "of a traced value: call it on a concrete array")
        callback(leaf.sharding)


def visualize_array_sharding(arr, **kwargs):
    """Print how the array `arr` is laid out over its devices."""
    inspect_array_sharding(arr, callback=lambda s: visualize_sharding(arr.shape, s, **kwargs))
