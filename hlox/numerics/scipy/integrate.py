"""`hlox.numerics.scipy.integrate`, as jax.scipy.integrate: the composite trapezoidal rule."""
from __future__ import annotations

from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import check_arraylike, promote_dtypes_inexact

__all__ = ["trapezoid"]


def _spacing_along_last_axis(x, dx, axis):
    """The widths between neighbouring samples, laid out along the last axis."""
    if x is None:
        return dx
    if x.ndim == 1:
        return jnp.diff(x)
    return jnp.diff(jnp.moveaxis(x, axis, -1), axis=-1)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integrate `y` along `axis` by the trapezoidal rule, at sample points `x` or spacing `dx`."""
    if x is None:
        check_arraylike("trapezoid", y)
        (y,) = promote_dtypes_inexact(jnp.asarray(y))
    else:
        check_arraylike("trapezoid", y, x)
        y, x = promote_dtypes_inexact(jnp.asarray(y), jnp.asarray(x))
    y = jnp.moveaxis(y, axis, -1)
    widths = _spacing_along_last_axis(x, dx, axis)
    return 0.5 * jnp.sum(widths * (y[..., 1:] + y[..., :-1]), axis=-1)
