"""NumPy broadcasting of shapes and of arrays, on lax ops."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax


def broadcast_shapes(*shapes):
    shapes = [tuple(s) for s in shapes]
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = {s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            raise errors.value_error(
                "Incompatible shapes for broadcasting: "
                + ", ".join(str(s) for s in shapes))
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_to(x, shape):
    x = lax.asarray(x)
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)
    if x.shape == shape:
        return x
    if x.ndim > len(shape):
        raise errors.value_error(f"cannot broadcast array of shape {x.shape} to shape {shape}")
    lead = len(shape) - x.ndim
    for i, d in enumerate(x.shape):
        if d not in (1, shape[lead + i]):
            raise errors.value_error(f"Incompatible shapes for broadcasting: {x.shape} and "
                                     f"requested shape {shape}")
    squeeze = [i for i, d in enumerate(x.shape) if d == 1 and shape[lead + i] != 1]
    if squeeze:
        x = lax.reshape(x, [d for i, d in enumerate(x.shape) if i not in squeeze])
        dims = [lead + i for i in range(len(squeeze) + x.ndim) if i not in squeeze]
    else:
        dims = list(range(lead, len(shape)))
    return lax.broadcast_in_dim(x, shape, dims)
