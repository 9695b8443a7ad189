"""`jax.flatten_util`: `ravel_pytree`, a pytree of arrays as one flat vector and back."""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.numerics.lax.shapes import split
from hlox.lowering import pytree

__all__ = ["ravel_pytree"]


class _HashablePartial(functools.partial):
    """A partial equal to (and hashing as) another over the same function and arguments, so an
    `unravel` can be a static argument or a cache key, as JAX's is."""

    def __eq__(self, other):
        return (type(other) is _HashablePartial and self.func is other.func
                and self.args == other.args and self.keywords == other.keywords)

    def __hash__(self):
        return hash((self.func, self.args, tuple(sorted(self.keywords.items()))))


def ravel_pytree(tree):
    """The leaves of `tree` raveled and concatenated into one 1-D array (of their promoted
    dtype; float32 and empty when there are no leaves), and the function that turns such a
    vector back into a pytree of the same structure, shapes and dtypes."""
    leaves, treedef = pytree.flatten(tree, None)
    flat, unravel_list = _ravel_list(leaves)
    return flat, _HashablePartial(_unravel_pytree, treedef, unravel_list)


def _unravel_pytree(treedef, unravel_list, flat):
    return treedef.unflatten(unravel_list(flat))


def _ravel_list(leaves):
    if not leaves:
        return lax.full([0], 0, "float32"), _HashablePartial(_no_leaves)
    from_dtypes = tuple(dtypes.dtype_of(leaf)[0] for leaf in leaves)
    to_dtype = dtypes.result_type(*from_dtypes)
    sizes = tuple(int(np.size(leaf)) for leaf in leaves)
    shapes = tuple(tuple(np.shape(leaf)) for leaf in leaves)
    if all(dt == to_dtype for dt in from_dtypes):
        # no conversions: the unravel is dtype-polymorphic, as JAX's
        raveled = lax.concatenate([lax.reshape(leaf, (size,)) for leaf, size in zip(leaves, sizes)], 0)
        return raveled, _HashablePartial(_unravel_list_single_dtype, sizes, shapes)
    raveled = lax.concatenate([lax.reshape(lax.convert_element_type(leaf, to_dtype), (size,))
                               for leaf, size in zip(leaves, sizes)], 0)
    return raveled, _HashablePartial(_unravel_list, sizes, shapes, from_dtypes, to_dtype)


def _no_leaves(_flat):
    return []


def _unravel_list_single_dtype(sizes, shapes, flat):
    return [lax.reshape(chunk, shape) for chunk, shape in zip(split(flat, sizes), shapes)]


def _unravel_list(sizes, shapes, from_dtypes, to_dtype, flat):
    flat_dtype = dtypes.dtype_of(flat)[0]
    if flat_dtype != to_dtype:
        raise TypeError(f"unravel function given array of dtype {flat_dtype}, "
                        f"but expected dtype {to_dtype}")
    return [lax.convert_element_type(lax.reshape(chunk, shape), dtype)
            for chunk, shape, dtype in zip(split(flat, sizes), shapes, from_dtypes)]
