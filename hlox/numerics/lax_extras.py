"""More of `hlox.lax`: the user-facing functions of jax.lax that are compositions of the
primitives in `hlox.frontend.lax` (shape helpers, top_k, transposed and patch convolutions,
cumlogsumexp, exp2) and the implicitly differentiated solvers
`custom_linear_solve` and `custom_root`, built on `custom_vjp`.
"""
from __future__ import annotations

import enum
import math
import operator
from collections.abc import Sequence
from typing import Union

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.frontend.control_flow import associative_scan
from hlox.lowering import pytree

__all__ = ["ConvGeneralDilatedDimensionNumbers", "DotDimensionNumbers", "RandomAlgorithm",
           "approx_max_k", "approx_min_k", "batch_matmul", "broadcast_like",
           "broadcast_shapes", "broadcast_to_rank", "collapse", "conv_general_dilated_patches",
           "conv_transpose", "cumlogsumexp", "custom_linear_solve", "custom_root", "exp2",
           "split", "tile", "top_k", "unstack"]

DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]],
                            tuple[Sequence[int], Sequence[int]]]
ConvGeneralDilatedDimensionNumbers = Union[tuple[str, str, str], lax.ConvDimensionNumbers, None]


class RandomAlgorithm(enum.IntEnum):
    """XLA's bit generators (jax.lax.RandomAlgorithm)."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2


def _jnp():
    import hlox.numpy as jnp
    return jnp


def _axis(name, axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise errors.value_error(f"{name}: axis {axis} is out of bounds for array of "
                                 f"dimension {ndim}")
    return axis % ndim


# -- shapes -----------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    """The shape numpy broadcasting gives `shapes` (ValueError when they are incompatible)."""
    from hlox.numerics.numpy._util import broadcast_shapes as broadcast
    return tuple(broadcast(*(tuple(operator.index(d) for d in s) for s in shapes)))


def broadcast_to_rank(x, rank):
    """`x` with leading unit dimensions up to `rank`."""
    x = lax.asarray(x)
    if x.ndim > rank:
        raise errors.value_error(f"broadcast_to_rank: rank {rank} is less than x.ndim {x.ndim}")
    return x if x.ndim == rank else lax.broadcast(x, (1,) * (rank - x.ndim))


def broadcast_like(arr, like_arr):
    """`arr` broadcast to the shape of `like_arr` (trailing dimensions aligned)."""
    return _jnp().broadcast_to(arr, np.shape(like_arr))


def collapse(operand, start_dimension, stop_dimension=None):
    """`operand` with the dimensions [start_dimension, stop_dimension) merged into one."""
    x = lax.asarray(operand)
    lo, hi = slice(start_dimension, stop_dimension).indices(x.ndim)[:2]
    if hi < lo:
        raise errors.value_error(f"collapse: start_dimension {start_dimension} must not be "
                                 f"after stop_dimension {stop_dimension}")
    return lax.reshape(x, x.shape[:lo] + (math.prod(x.shape[lo:hi]),) + x.shape[hi:])


def split(operand, sizes, axis=0):
    """Pieces of `operand` of the given sizes along `axis` (the sizes must sum to its length)."""
    x = lax.asarray(operand)
    axis = _axis("split", axis, x.ndim)
    sizes = [operator.index(s) for s in sizes]
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[axis]:
        raise errors.value_error(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} "
                                 f"of the operand shape {x.shape}")
    starts = np.cumsum([0] + sizes)
    return [lax.slice_in_dim(x, int(a), int(b), axis=axis) for a, b in zip(starts, starts[1:])]


def unstack(x, axis=0):
    """The slices of `x` along `axis`, as a tuple."""
    x = lax.asarray(x)
    axis = _axis("unstack", axis, x.ndim)
    return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))


def tile(operand, reps):
    """`operand` repeated `reps[i]` times along each dimension i (len(reps) == ndim)."""
    x = lax.asarray(operand)
    reps = tuple(operator.index(r) for r in reps)
    if len(reps) != x.ndim:
        raise errors.value_error(f"len(reps) must equal operand.ndim, got reps={reps} for "
                                 f"operand.shape={x.shape}")
    return _jnp().tile(x, reps)


def batch_matmul(lhs, rhs, precision=None):
    """Batched matrix product of arrays of equal rank >= 2 (leading dimensions batch)."""
    lhs, rhs = lax.asarray(lhs), lax.asarray(rhs)
    if lhs.ndim < 2 or lhs.ndim != rhs.ndim:
        raise errors.value_error(f"Arguments to batch_matmul must be at least 2D and agree on "
                                 f"their rank, got {lhs.ndim} and {rhs.ndim}.")
    if lhs.shape[:-2] != rhs.shape[:-2]:
        raise errors.value_error(f"Argument shapes to batch_matmul must agree on leading "
                                 f"dimensions, got {lhs.shape[:-2]} and {rhs.shape[:-2]}.")
    batch = tuple(range(lhs.ndim - 2))
    return lax.dot_general(lhs, rhs, (((lhs.ndim - 1,), (rhs.ndim - 2,)), (batch, batch)),
                           precision=precision)


# -- elementwise and scans ----------------------------------------------------------------
def _real_float(name, x):
    x = lax.asarray(x)
    if not dtypes.is_float(x.dtype):
        raise errors.type_error(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes "
                                "are subtypes of floating.")
    return x


def exp2(x, *, accuracy=None):
    """2 ** x, as JAX computes it: exp(log(2) * x)."""
    x = lax.asarray(x)
    if not dtypes.is_inexact(x.dtype):
        raise errors.type_error(f"exp2 does not accept dtype {x.dtype.name}. Accepted dtypes "
                                "are subtypes of inexact (float or complex).")
    return lax.exp(lax.mul(x, float(np.log(2))))


def cumlogsumexp(operand, axis=0, reverse=False):
    """log(cumsum(exp(operand))) along `axis`, as the associative scan of logaddexp JAX runs
    off TPU."""
    x = _real_float("cumlogsumexp", operand)
    axis = operator.index(axis)
    if not 0 <= axis < x.ndim:
        raise errors.value_error(f"axis {axis} is out of bounds for array of shape {x.shape}")
    if x.shape[axis] == 0:
        return x
    return associative_scan(_jnp().logaddexp, x, reverse=bool(reverse), axis=axis)


# -- top_k ----------------------------------------------------------------------------------
def _top_k_operand(operand, k, axis):
    x = lax.asarray(operand)
    if x.ndim == 0:
        raise errors.type_error("top_k operand must have >= 1 dimension, got ()")
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("top_k is not compatible with complex inputs.")
    axis = _axis("top_k", axis, x.ndim)
    k, n = operator.index(k), x.shape[axis]
    if not 0 <= k <= n:
        raise errors.value_error(f"k argument to top_k must be nonnegative and at most the size "
                                 f"of the reduced axis ({n}), got {k}")
    return x, k, axis


def _sorted_k(operand, k, axis, largest):
    """The k largest (smallest) entries along `axis`, ties to the lower index, with their int32
    indices, by a stable sort (of the reversed array, for the largest, so that reversing the
    sorted result keeps ties in index order): JAX's CPU fallback for approx_max_k/min_k."""
    x, k, axis = _top_k_operand(operand, k, axis)
    index = lax.broadcasted_iota(np.dtype(np.int32), x.shape, axis)
    if largest:
        x, index = lax.rev(x, (axis,)), lax.rev(index, (axis,))
    values, indices = lax.sort((x, index), dimension=axis, is_stable=True, num_keys=1)
    if largest:
        values, indices = lax.rev(values, (axis,)), lax.rev(indices, (axis,))
    return [lax.slice_in_dim(values, 0, k, axis=axis), lax.slice_in_dim(indices, 0, k, axis=axis)]


def top_k(operand, k, *, axis=-1):
    """[values, int32 indices] of the k largest entries along `axis`, in descending order (a
    list, as JAX returns): chlo.top_k over the last axis, as JAX lowers it."""
    x, k, axis = _top_k_operand(operand, k, axis)
    last = x.ndim - 1
    swap = list(range(x.ndim))
    swap[axis], swap[last] = last, axis
    if axis != last:
        x = lax.transpose(x, swap)
    outs = ops.top_k.bind(x, k=k)
    return [lax.transpose(o, swap) if axis != last else o for o in outs]


def _approx_k(largest):
    def approx_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
        return _sorted_k(operand, k, reduction_dimension, largest)
    approx_k.__name__ = approx_k.__qualname__ = f"approx_{'max' if largest else 'min'}_k"
    approx_k.__doc__ = (f"The k {'largest' if largest else 'smallest'} entries and their "
                        "indices; exact, as JAX's CPU fallback is.")
    return approx_k


approx_max_k = _approx_k(True)
approx_min_k = _approx_k(False)


# -- convolutions ---------------------------------------------------------------------------
_DEFAULT_CONV_SPECS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                       4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}


def _conv_transpose_padding(k, s, padding):
    """(before, after) padding of one dimension of a transposed convolution, given the padding
    of the forward convolution."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise errors.value_error(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """The transposed convolution (Keras' Conv2DTranspose): a convolution of `lhs` dilated by
    `strides`."""
    lhs, rhs = lax.asarray(lhs), lax.asarray(rhs)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise errors.value_error(f"conv_transpose needs lhs and rhs of one rank >= 2, got "
                                 f"{lhs.shape} and {rhs.shape}")
    if dimension_numbers is None:
        if lhs.ndim not in _DEFAULT_CONV_SPECS:
            raise errors.value_error("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = _DEFAULT_CONV_SPECS[lhs.ndim]
    dn = lax.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    k_sdims = [rhs.shape[d] for d in dn.rhs_spec[2:]]
    rhs_dilation = (1,) * (rhs.ndim - 2) if rhs_dilation is None else tuple(rhs_dilation)
    if use_consistent_padding or padding in ("SAME", "VALID"):
        per_dim = [padding] * len(strides) if isinstance(padding, str) else padding
        pads = tuple(_conv_transpose_padding(1 + r * (k - 1) if k else 0, s, p)
                     for k, r, s, p in zip(k_sdims, rhs_dilation, strides, per_dim))
    else:
        pads = padding
    if transpose_kernel:
        rhs = lax.rev(rhs, dn.rhs_spec[2:])
        rhs = _jnp().swapaxes(rhs, dn.rhs_spec[0], dn.rhs_spec[1])
    return lax.conv_general_dilated(lhs, rhs, (1,) * (lhs.ndim - 2), pads, strides,
                                    rhs_dilation, dn, precision=precision,
                                    preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None,
                                 rhs_dilation=None, dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
    """The patches a convolution with a `filter_shape` window sees, as output features
    (channel-major: feature c * prod(filter_shape) + position), by a grouped convolution with
    one-hot filters as in JAX."""
    jnp = _jnp()
    lhs = lax.asarray(lhs)
    filter_shape = tuple(operator.index(d) for d in filter_shape)
    dn = lax.conv_dimension_numbers(lhs.shape, (1, 1) + filter_shape, dimension_numbers)
    spatial_size = math.prod(filter_shape)
    n_channels = lhs.shape[dn.lhs_spec[1]]
    rhs = jnp.eye(spatial_size, dtype=lhs.dtype)
    rhs = lax.broadcast_in_dim(rhs, (n_channels, spatial_size, spatial_size), (1, 2))
    rhs = lax.reshape(rhs, (n_channels * spatial_size, 1, *filter_shape))
    rhs = jnp.moveaxis(rhs, (0, 1), (dn.rhs_spec[0], dn.rhs_spec[1]))
    return lax.conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation,
                                    rhs_dilation, dn, feature_group_count=n_channels,
                                    precision=precision,
                                    preferred_element_type=preferred_element_type)


# -- implicitly differentiated solvers --------------------------------------------------------
def _hoisted(fun, example):
    """`fun` as `converted(x, *consts)` with the traced float values it closes over hoisted into
    `consts`, so that a custom_vjp can return their cotangents."""
    from hlox.frontend.custom_derivatives import closure_convert
    converted, consts = closure_convert(fun, example)
    if not consts:
        return lambda x, *_: fun(x), []
    return converted, list(consts)


def _tree_map(fn, *trees):
    leaves, tree = pytree.flatten(trees[0])
    rest = [pytree.flatten(t)[0] for t in trees[1:]]
    return tree.unflatten([fn(*xs) for xs in zip(leaves, *rest)])


def _negate(tree):
    return _tree_map(lax.neg, tree)


def _aux_split(has_aux, out):
    return out if has_aux else (out, None)


def _with_aux(has_aux, x, aux):
    return (x, aux) if has_aux else x


def _param_cotangents(fun, x, consts, ct):
    """-(d fun(x, consts) / d consts)^T ct: what an implicitly defined x passes back."""
    from hlox.transforms.autodiff import vjp
    if not consts:
        return ()
    _, pullback = vjp(lambda *c: fun(x, *c), *consts)
    return tuple(_negate(list(pullback(ct))))


def _runner(solve, fun_c, has_aux):
    """(arg, consts) -> solve(fun with consts, arg), its aux output not differentiated."""
    def run(arg, consts):
        out = solve(lambda x: fun_c(x, *consts), arg)
        x, aux = _aux_split(has_aux, out)
        return _with_aux(has_aux, x, None if aux is None else lax.stop_gradient(aux))
    return run


def _implicit_solver(run, backward, has_aux):
    """A custom_vjp function (arg, *consts) -> run(arg, consts) whose cotangents are
    backward(x, arg, consts, ct_x): the solution is differentiated implicitly, never through
    the solver's iterations."""
    from hlox.frontend.custom_derivatives import custom_vjp

    @custom_vjp
    def solved(arg, *consts):
        return run(arg, consts)

    def fwd(arg, *consts):
        out = run(arg, consts)
        return out, (_aux_split(has_aux, out)[0], arg, consts)

    def bwd(res, ct):
        x, arg, consts = res
        return backward(x, arg, consts, _aux_split(has_aux, ct)[0])
    solved.defvjp(fwd, bwd)
    return solved


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """x = solve(matvec, b) for the linear `matvec`, differentiated implicitly: the cotangent
    of b is transpose_solve(vecmat, ct) (solve itself when symmetric), and values `matvec`
    closes over receive -(d matvec(x))^T of it. Neither solver is differentiated. Without
    transpose_solve (and not symmetric), where JAX has no reverse mode, `solve` itself is
    differentiated."""
    from hlox.transforms.autodiff import linear_transpose
    matvec_c, consts = _hoisted(matvec, b)

    run = _runner(solve, matvec_c, has_aux)

    def backward(x, b, consts, ct):
        def mv(v):
            return matvec_c(v, *consts)
        if symmetric:
            ct_b = solve(mv, ct)
        else:
            vecmat = linear_transpose(mv, x)
            ct_b = transpose_solve(lambda y: vecmat(y)[0], ct)
        ct_b = _aux_split(has_aux, ct_b)[0]
        return (ct_b, *_param_cotangents(matvec_c, x, consts, ct_b))
    if transpose_solve is None and not symmetric:
        return run(b, consts)  # JAX refuses reverse mode here; hlox differentiates `solve`
    return _implicit_solver(run, backward, has_aux)(b, *consts)


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """x = solve(f, initial_guess) with f(x) = 0, differentiated by the implicit function
    theorem: values `f` closes over receive -(df/dparams)^T w, where w solves
    (df/dx)^T w = ct through the transpose of `tangent_solve`. The initial guess gets none."""
    from hlox.transforms.autodiff import linear_transpose
    from hlox.transforms.autodiff import linearize
    f_c, consts = _hoisted(f, initial_guess)

    run = _runner(solve, f_c, has_aux)

    def backward(x, guess, consts, ct):
        _, f_jvp = linearize(lambda v: f_c(v, *consts), x)
        w = linear_transpose(lambda y: tangent_solve(f_jvp, y), x)(ct)[0]
        zeros = _tree_map(lambda g: lax.full(np.shape(g), 0, lax.asarray(g).dtype), guess)
        return (zeros, *_param_cotangents(f_c, x, consts, w))
    return _implicit_solver(run, backward, has_aux)(initial_guess, *consts)

