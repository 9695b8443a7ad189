"""Cases for the stablehlo.if / case / while rules (format: README.md). The while cases keep
their loop (`loop=True`): batching a loop is one loop over batched carries, not a loop per
example."""
import numpy as np

import hlox.numpy as jnp
from hlox import lax

from batching_cases import Case, bools, ints, positive, rand, same


def _cond(p, x, y):
    return lax.cond(p, lambda a, b: (jnp.sin(a) * b, b[0]), lambda a, b: (a - b, a[1]), x, y)


def _switch(i, x, y):
    return lax.switch(i, [lambda a: jnp.sin(a) * y, lambda a: a * 3, lambda a: a + y[0]], x)


def _growth(x, limit):
    """Runs until the first element passes `limit`: the examples stop at different steps."""
    return lax.while_loop(lambda c: c[0][0] < limit, lambda c: (c[0] * 1.5 + 0.1, c[1] + 1),
                          (x, 0))


CASES = {
    "stablehlo.if": [
        Case(_cond, (bools(), rand(4), rand(4))),
        Case(_cond, (same(True), rand(2, 3), rand(2, 3)), name="same-pred"),
        Case(lambda x: lax.cond(x[0] > 0, lambda: jnp.cos(x), lambda: x * 2), (rand(3),),
             name="pred-from-data"),
    ],
    "stablehlo.case": [
        Case(_switch, (ints(3), rand(2, 2), rand(2, 2))),
        Case(_switch, (np.array([-1, 5, 1], np.int32), rand(3), rand(3)), name="out-of-range"),
    ],
    "stablehlo.while": [
        Case(lambda x, m: lax.scan(lambda c, a: (jnp.tanh(c * a), c + a), x, m),
             (rand(3), rand(4, 3)), loop=True, name="scan"),
        Case(lambda x, y: lax.fori_loop(0, 3, lambda i, c: c * y + i, x), (rand(2), rand(2)),
             loop=True, name="fori"),
        Case(_growth, (positive(3), np.array([2.0, 9.0, 30.0])), loop=True,
             name="batched-predicate"),
        Case(lambda x, k: lax.fori_loop(0, k, lambda i, c: c * 0.5 + i, x),
             (rand(2), np.array([0, 2, 5], np.int32)), loop=True, name="batched-bound"),
    ],
}
