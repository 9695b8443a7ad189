"""Cases for the stablehlo.if / case / while rules (format: README.md).

The points stay away from the places where a predicate flips (branch choices and trip counts
are the same at x +- eps), so central differences see one smooth piece."""
import numpy as np

import hlox.numpy as jnp
from hlox import lax

from autodiff_cases import Case, rand


def _cond(p, x, y):
    return lax.cond(p, lambda a, b: jnp.sin(a) * b, lambda a, b: a * a + jnp.exp(b), x, y)


def _switch(i, x, y):
    return lax.switch(i, [lambda a: jnp.sin(a) * y, lambda a: a ** 3, lambda a: jnp.tanh(a + y)],
                      x)


def _growth(x, y):
    """A data-dependent trip count (3 steps at the point below), bounded by max_steps."""
    return lax.while_loop(lambda c: c[0][0] < 10.0,
                          lambda c: (c[0] * 1.8 + c[1] * c[1], c[1] * 1.05), (x, y), max_steps=8)


CASES = {
    "stablehlo.if": [
        Case(_cond, (np.array(True), rand(3), rand(3)), name="true"),
        Case(_cond, (np.array(False), rand(3), rand(3)), name="false"),
        Case(lambda x, y: lax.cond(x[0] > -2, lambda: jnp.sum(x * y), lambda: y[0]),
             (rand(3), rand(3)), name="closures"),
        Case(lambda x: lax.cond(x[1] < 5, lambda a: lax.fori_loop(0, 2, lambda i, c: jnp.sin(c)
                                                                 * a, a), lambda a: a, x),
             (rand(3),), name="loop-inside"),
    ],
    "stablehlo.case": [
        Case(_switch, (np.int32(0), rand(2, 2), rand(2, 2)), name="0"),
        Case(_switch, (np.int32(1), rand(2, 2), rand(2, 2)), name="1"),
        Case(_switch, (np.int32(9), rand(2, 2), rand(2, 2)), name="out-of-range"),
    ],
    "stablehlo.while": [
        Case(lambda x, m: lax.scan(lambda c, a: (jnp.tanh(c * a + 0.5), c * a), x, m),
             (rand(3), rand(4, 3)), name="scan"),
        Case(lambda x, m: lax.scan(lambda c, a: (c * jnp.sin(a), c[0]), x, m, reverse=True),
             (rand(2), rand(3, 2)), name="scan-reverse"),
        Case(lambda x, y: lax.fori_loop(0, 3, lambda i, c: jnp.sin(c) * y + c, x),
             (rand(3), rand(3)), name="fori"),
        Case(lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * c[1] * 0.5
                                                                     + jnp.cos(c[1])), (0, x))[1],
             (rand(3),), name="counted"),
        Case(_growth, (np.array([0.85, 0.3, -0.2]), np.array([1.07, 0.9, 0.5])),
             name="max_steps"),
    ],
}
