"""1-D convolution and correlation: convolve correlate."""
from __future__ import annotations

from hlox.frontend import convolution, dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy._util import (asarray, check_arraylike, promote_dtypes,
                                       promote_dtypes_inexact)

__all__ = ["convolve", "correlate"]


_CONV_PADDING = {"valid": lambda n: (0, 0), "same": lambda n: (n // 2, n - n // 2 - 1),
                 "full": lambda n: (n - 1, n - 1)}


def _conv(x, y, mode, op, precision, preferred_element_type):
    check_arraylike(op, x, y)
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise errors.value_error(f"{op}() only support 1-dimensional inputs.")
    x, y = (promote_dtypes_inexact if preferred_element_type is None else promote_dtypes)(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise errors.value_error(f"{op}: inputs cannot be empty, got shapes {x.shape} and "
                                 f"{y.shape}.")
    if mode not in _CONV_PADDING:
        raise errors.value_error("mode must be one of ['full', 'same', 'valid']")
    reverse = False
    if op == "correlate":
        y = lax.conj(y) if dtypes.is_complex(y.dtype) else y
        if x.shape[0] < y.shape[0]:
            x, y, reverse = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = lax.rev(y, (0,))
    out = convolution.conv_general_dilated(
        lax.reshape(x, (1, 1, x.shape[0])), lax.reshape(y, (1, 1, y.shape[0])), (1,),
        [_CONV_PADDING[mode](y.shape[0])], precision=precision,
        preferred_element_type=preferred_element_type)
    out = lax.reshape(out, out.shape[2:])
    return lax.rev(out, (0,)) if reverse else out


@eager_jit(static_argnames=("mode", "precision", "preferred_element_type"))
def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    return _conv(a, v, mode, "convolve", precision, preferred_element_type)


@eager_jit(static_argnames=("mode", "precision", "preferred_element_type"))
def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    return _conv(a, v, mode, "correlate", precision, preferred_element_type)
