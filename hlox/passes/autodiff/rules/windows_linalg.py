"""Derivatives of convolution, windowed reductions, select_and_scatter, cholesky and
triangular_solve.

Convolution is bilinear: its JVP re-emits it on each tangent and its VJPs are the
transposed convolutions of JAX's `_conv_general_dilated_transpose_lhs/rhs`. Windowed
max/min differentiate through the element each window selects: forward by a two-operand
reduce_window that carries the tangent beside the value (select_and_gather_add), backward
by select_and_scatter_add, and each of those two is the other's transpose.
"""
from __future__ import annotations

from hlox.frontend import lax, ops
from hlox.frontend import lax_linalg as linalg
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.common import add_maybe, instantiate, jvp_rule, vjp_rule, zeros_like
from hlox.passes.autodiff.rules.structural import _dot_general_jvp, linear_in, reemit

__all__ = ["conv_transpose_lhs", "conv_transpose_rhs", "window_body", "cholesky_jvp",
           "cholesky_vjp", "triangular_solve_jvp", "triangular_solve_vjp"]


def _ints_or(site, name, default):
    return site.ints(name) if site.has(name) else tuple(default)


def _int_or(site, name, default):
    return site.int(name) if site.has(name) else default


def _pairs(flat):
    return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))


# -- convolution -------------------------------------------------------------------------------
def _conv_params(site):
    """The op's attributes as the keyword arguments of lax.conv_general_dilated."""
    d = stablehlo.ConvDimensionNumbers(site.attr("dimension_numbers"))
    lhs_spec = (d.input_batch_dimension, d.input_feature_dimension, *d.input_spatial_dimensions)
    rhs_spec = (d.kernel_output_feature_dimension, d.kernel_input_feature_dimension,
                *d.kernel_spatial_dimensions)
    out_spec = (d.output_batch_dimension, d.output_feature_dimension, *d.output_spatial_dimensions)
    n = len(lhs_spec) - 2
    if site.has("window_reversal") and any(ir.DenseBoolArrayAttr(site.attr("window_reversal"))):
        site.fail("no differentiation rule for a convolution with window_reversal")
    precision = None
    if site.has("precision_config"):
        precision = stablehlo.PrecisionAttr(ir.ArrayAttr(site.attr("precision_config"))[0]).value
    return dict(
        window_strides=_ints_or(site, "window_strides", (1,) * n),
        padding=_pairs(_ints_or(site, "padding", (0,) * (2 * n))),
        lhs_dilation=_ints_or(site, "lhs_dilation", (1,) * n),
        rhs_dilation=_ints_or(site, "rhs_dilation", (1,) * n),
        dimension_numbers=lax.ConvDimensionNumbers(lhs_spec, rhs_spec, out_spec),
        feature_group_count=_int_or(site, "feature_group_count", 1),
        batch_group_count=_int_or(site, "batch_group_count", 1),
        precision=precision)


def _spec_transpose(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _reshape_axis_out_of(src, size1, x):
    shape = list(x.shape)
    shape[src:src + 1] = [size1, shape[src] // size1]
    return lax.reshape(x, shape)


def _reshape_axis_into(src, dst, x):
    """Merge axis `src` into axis `dst` (numbered as if `src` were removed), `src` major."""
    perm = [i for i in range(x.ndim) if i != src]
    perm.insert(dst, src)
    shape = [d for i, d in enumerate(x.shape) if i != src]
    shape[dst] *= x.shape[src]
    return lax.reshape(x, shape, perm)


def _dilate(shape, dilation):
    return [0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation)]


def _vjp_lhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    lhs_d, rhs_d, out_d = (_dilate(in_shape, lhs_dilation), _dilate(window, rhs_dilation),
                           _dilate(out_shape, strides))
    before = [r - lo - 1 for r, (lo, _) in zip(rhs_d, padding)]
    after = [l + r - 1 - o - b for l, r, o, b in zip(lhs_d, rhs_d, out_d, before)]
    return list(zip(before, after))


def _vjp_rhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    lhs_d, rhs_d, out_d = (_dilate(in_shape, lhs_dilation), _dilate(window, rhs_dilation),
                           _dilate(out_shape, strides))
    return [(lo, o - l + r - lo - 1) for (lo, _), l, r, o in zip(padding, lhs_d, rhs_d, out_d)]


def _as_dtype(x, dtype):
    return x if x.dtype == dtype else lax.convert_element_type(x, dtype)


def _take(shape, dims):
    return [shape[d] for d in dims]


def conv_transpose_lhs(g, lhs_aval, rhs, p):
    """The cotangent of conv(lhs, rhs, **p)'s lhs: a convolution of g with the flipped kernel."""
    lhs_spec, rhs_spec, out_spec = p["dimension_numbers"]
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    padding = _vjp_lhs_padding(_take(lhs_aval.shape, lhs_spec[2:]), _take(rhs.shape, rhs_spec[2:]),
                               p["window_strides"], _take(g.shape, out_spec[2:]), p["padding"],
                               p["lhs_dilation"], p["rhs_dilation"])
    groups = fgc if fgc > 1 else bgc
    if groups > 1:  # move the group axis from the kernel's output into its input features
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1],
                                 _reshape_axis_out_of(rhs_spec[0], groups, rhs))
    kernel = _as_dtype(lax.rev(rhs, rhs_spec[2:]), g.dtype)
    out = lax.conv_general_dilated(
        g, kernel, window_strides=p["lhs_dilation"], padding=padding,
        lhs_dilation=p["window_strides"], rhs_dilation=p["rhs_dilation"],
        dimension_numbers=lax.ConvDimensionNumbers(out_spec, _spec_transpose(rhs_spec), lhs_spec),
        feature_group_count=groups, precision=p["precision"])
    out = _as_dtype(out, lhs_aval.dtype)
    if bgc > 1:
        out = _reshape_axis_into(lhs_spec[1], lhs_spec[0],
                                 _reshape_axis_out_of(lhs_spec[1], bgc, out))
    return out


def conv_transpose_rhs(g, lhs, rhs_aval, p):
    """The cotangent of conv(lhs, rhs, **p)'s rhs: a convolution of lhs with g."""
    lhs_spec, rhs_spec, out_spec = p["dimension_numbers"]
    if g.size == 0:
        return zeros_like(rhs_aval)
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    fgc, bgc = (bgc, 1) if bgc > 1 else (1, fgc)
    padding = _vjp_rhs_padding(_take(lhs.shape, lhs_spec[2:]), _take(rhs_aval.shape, rhs_spec[2:]),
                               p["window_strides"], _take(g.shape, out_spec[2:]), p["padding"],
                               p["lhs_dilation"], p["rhs_dilation"])
    out = lax.conv_general_dilated(
        _as_dtype(lhs, g.dtype), g, window_strides=p["rhs_dilation"], padding=padding,
        lhs_dilation=p["lhs_dilation"], rhs_dilation=p["window_strides"],
        dimension_numbers=lax.ConvDimensionNumbers(
            _spec_transpose(lhs_spec), _spec_transpose(out_spec), _spec_transpose(rhs_spec)),
        feature_group_count=fgc, batch_group_count=bgc, precision=p["precision"])
    return _as_dtype(out, rhs_aval.dtype)


jvp_rule("stablehlo.convolution")(_dot_general_jvp)


@vjp_rule("stablehlo.convolution")
def _convolution_vjp(site, cts):
    (ct,) = cts
    lhs, rhs = site.inputs
    p = _conv_params(site)
    return [conv_transpose_lhs(ct, lhs.aval, rhs, p) if site.active[0] else None,
            conv_transpose_rhs(ct, lhs, rhs.aval, p) if site.active[1] else None]


# -- window bodies --------------------------------------------------------------------------------
_MONOIDS = {"stablehlo.add": "add", "stablehlo.maximum": "maximum", "stablehlo.minimum": "minimum"}
_SELECTS = {"maximum": "GE", "minimum": "LE"}


def window_body(region, n):
    """What a reduction body over `n` operands computes: ('add' | 'maximum' | 'minimum', None)
    for a single-operand monoid; ('select', direction) when it compares the first operand of
    each side and selects every operand by that comparison; (None, None) otherwise."""
    block = region.blocks[0]
    body = [op.operation for op in block.operations]
    *ops_, ret = body
    args = list(block.arguments)
    if n == 1 and len(ops_) == 1 and ops_[0].name in _MONOIDS \
            and list(ops_[0].operands) == args and list(ret.operands) == list(ops_[0].results):
        return _MONOIDS[ops_[0].name], None
    if len(ops_) != 1 + n or ops_[0].name != "stablehlo.compare" \
            or list(ops_[0].operands) != [args[0], args[n]]:
        return None, None
    pick = ops_[0].results[0]
    for i, sel in enumerate(ops_[1:]):
        if sel.name != "stablehlo.select" or list(sel.operands) != [pick, args[i], args[n + i]] \
                or ret.operands[i] != sel.results[0]:
            return None, None
    direction = stablehlo.ComparisonDirectionAttr(ops_[0].attributes["comparison_direction"]).value
    return ("select", direction) if direction in ("GE", "GT", "LE", "LT") else (None, None)


def _compare_direction(region):
    """The direction of a select_and_scatter select region `compare(a, b)`, else None."""
    block = region.blocks[0]
    *ops_, ret = [op.operation for op in block.operations]
    if len(ops_) == 1 and ops_[0].name == "stablehlo.compare" \
            and list(ops_[0].operands) == list(block.arguments) \
            and list(ret.operands) == list(ops_[0].results):
        return stablehlo.ComparisonDirectionAttr(ops_[0].attributes["comparison_direction"]).value
    return None


# -- reduce_window -----------------------------------------------------------------------------
def _window_params(site, x):
    n = x.ndim
    return dict(window_dimensions=site.ints("window_dimensions"),
                window_strides=_ints_or(site, "window_strides", (1,) * n),
                base_dilation=_ints_or(site, "base_dilations", (1,) * n),
                window_dilation=_ints_or(site, "window_dilations", (1,) * n),
                padding=_pairs(_ints_or(site, "padding", (0,) * (2 * n))))


def _reduce_window_kind(site):
    n = len(site.outputs)
    kind, direction = window_body(site.op.regions[0], n)
    if kind is None:
        site.fail("no differentiation rule for this reduce_window body (supported: add, "
                  "maximum, minimum, and selections by comparing the first operand)")
    if kind in _SELECTS:
        return "select", _SELECTS[kind]
    return kind, direction


@jvp_rule("stablehlo.reduce_window")
def _reduce_window_jvp(site, tangents):
    kind, direction = _reduce_window_kind(site)
    if kind == "add":
        return linear_in(0, 1)(site, tangents)
    n = len(site.outputs)
    keys = site.inputs[0]
    p = _window_params(site, keys)
    out = []
    for i in range(n):
        t, t_init = tangents[i], tangents[n + i]
        if t is None and t_init is None:
            out.append(None)
            continue
        out.append(lax.select_and_gather_add(
            instantiate(t, site.inputs[i]), keys, direction, p["window_dimensions"],
            p["window_strides"], p["padding"], p["base_dilation"], p["window_dilation"],
            init_tangent=t_init))
    return out


def _reduce_window_sum_transpose(ct, x_aval, p):
    """JAX's reduce_window_sum transpose: pad the cotangent, then sum windows over it."""
    pads = _vjp_lhs_padding(x_aval.shape, p["window_dimensions"], p["window_strides"], ct.shape,
                            p["padding"], p["base_dilation"], p["window_dilation"])
    config = [(lo, hi, s - 1) for (lo, hi), s in zip(pads, p["window_strides"])]
    padded = lax.pad(ct, lax.full((), 0, ct.dtype), config)
    return lax.reduce_window(padded, 0, lax.add, p["window_dimensions"], p["base_dilation"],
                             [(0, 0)] * ct.ndim, window_dilation=p["window_dilation"])


def _scatter_to_selected(site, ct, keys, direction, p):
    """The transpose of select_and_gather_add(., keys): select_and_scatter_add, with base
    dilation written as interior padding of the keys."""
    if any(d != 1 for d in p["window_dilation"]):
        site.fail("no VJP for a max/min reduce_window with window dilation (as in JAX)")
    dilated = any(d != 1 for d in p["base_dilation"])
    if dilated:
        monoid = "maximum" if direction in ("GE", "GT") else "minimum"
        identity = lax.full((), lax.identity_value(monoid, keys.dtype), keys.dtype)
        keys = lax.pad(keys, identity, [(0, 0, d - 1) for d in p["base_dilation"]])
    out = lax.select_and_scatter_add(ct, keys, direction, p["window_dimensions"],
                                     p["window_strides"], p["padding"])
    if dilated:
        out = lax.slice(out, [0] * out.ndim, out.shape, p["base_dilation"])
    return out


@vjp_rule("stablehlo.reduce_window")
def _reduce_window_vjp(site, cts):
    kind, direction = _reduce_window_kind(site)
    n = len(site.outputs)
    keys = site.inputs[0]
    p = _window_params(site, keys)
    if kind == "add":
        (ct,), (x, init) = cts, site.inputs
        t_init = None
        if site.active[1]:  # each output counts init once per padding element and once more
            counts = reemit(site, [zeros_like(x), lax.full((), 1, x.dtype)])[0]
            t_init = lax.reduce_sum(lax.mul(ct, counts), range(ct.ndim))
        return [_reduce_window_sum_transpose(ct, x.aval, p) if site.active[0] else None, t_init]
    if any(site.active[n + i] and cts[i] is not None for i in range(n)):
        site.fail("no VJP with respect to the init value of a max/min/select reduce_window")
    return [_scatter_to_selected(site, cts[i], keys, direction, p)
            if cts[i] is not None and site.active[i] else None for i in range(n)] + [None] * n


# -- select_and_scatter ------------------------------------------------------------------------
def _select_and_scatter_direction(site):
    direction = _compare_direction(site.op.regions[0])
    scatter_kind, _ = window_body(site.op.regions[1], 1)
    if direction is None or scatter_kind != "add":
        site.fail("no differentiation rule for this select_and_scatter (supported: a select "
                  "region that is one compare, and an add scatter region)")
    return direction


@jvp_rule("stablehlo.select_and_scatter")
def _select_and_scatter_jvp(site, tangents):
    _select_and_scatter_direction(site)
    return linear_in(1, 2)(site, tangents)


@vjp_rule("stablehlo.select_and_scatter")
def _select_and_scatter_vjp(site, cts):
    (ct,) = cts
    direction = _select_and_scatter_direction(site)
    operand, source, _ = site.inputs
    n = operand.ndim
    t_source = None
    if site.active[1]:
        t_source = lax.select_and_gather_add(
            ct, operand, direction, site.ints("window_dimensions"),
            _ints_or(site, "window_strides", (1,) * n),
            _pairs(_ints_or(site, "padding", (0,) * 2 * n)))
    t_init = lax.reduce_sum(ct, range(ct.ndim)) if site.active[2] else None
    return [None, t_source, t_init]


# -- cholesky ----------------------------------------------------------------------------------
def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    low = linalg.tril(x)
    return lax.sub(low, lax.mul(lax.sub(low, linalg.tril(x, -1)), 0.5))


def _hermitian_from_lower(t):
    return lax.add(linalg.tril(t), linalg.adjoint(linalg.tril(t, -1)))


def cholesky_lower_jvp(L, t):
    """dL = L phi(L^-1 dA L^-H), dA the Hermitian matrix of t's lower triangle."""
    return cholesky_jvp(L, _hermitian_from_lower(t))


def cholesky_jvp(L, s):
    """dL = L phi(L^-1 s L^-H) for the tangent s of the whole matrix (JAX's rule)."""
    s_linv_h = linalg.triangular_solve(L, s, left_side=False, lower=True, transpose_a=True,
                                       conjugate_a=True)
    x = linalg.triangular_solve(L, s_linv_h, left_side=True, lower=True)
    return linalg.batch_matmul(L, _phi(x))


def cholesky_lower_vjp(L, ct):
    """The transpose of cholesky_lower_jvp(L, .)."""
    s_bar = cholesky_vjp(L, ct)
    return lax.add(linalg.tril(s_bar), linalg.tril(linalg.adjoint(s_bar), -1))


def cholesky_vjp(L, ct):
    """The transpose of cholesky_jvp(L, .)."""
    x_bar = _phi(linalg.batch_matmul(linalg.matrix_transpose(L), ct))
    tmp = linalg.triangular_solve(L, x_bar, left_side=True, lower=True, transpose_a=True)
    return linalg.triangular_solve(L, tmp, left_side=False, lower=True, conjugate_a=True)


def _is_lower(site):
    return ir.BoolAttr(site.attr("lower")).value if site.has("lower") else False


@jvp_rule("stablehlo.cholesky")
def _cholesky_jvp(site, tangents):
    (t,), (y,) = tangents, site.outputs
    if _is_lower(site):
        return [cholesky_lower_jvp(linalg.tril(y), t)]
    # an upper factor U of A is L^H for the lower factor L of A^H
    L = linalg.adjoint(linalg.triu(y))
    return [linalg.adjoint(cholesky_lower_jvp(L, linalg.adjoint(t)))]


@vjp_rule("stablehlo.cholesky")
def _cholesky_vjp(site, cts):
    (ct,), (y,) = cts, site.outputs
    if _is_lower(site):
        return [cholesky_lower_vjp(linalg.tril(y), ct)]
    L = linalg.adjoint(linalg.triu(y))
    return [linalg.adjoint(cholesky_lower_vjp(L, linalg.adjoint(ct)))]


# -- triangular_solve --------------------------------------------------------------------------
# op(a) for each transpose_a, and the (operand, transpose_a) that solves with op(a)^T instead.
_OP_OF_A = {"NO_TRANSPOSE": lambda a: a, "TRANSPOSE": linalg.matrix_transpose,
            "ADJOINT": linalg.adjoint}
_TRANSPOSED_SOLVE = {"NO_TRANSPOSE": (lambda a: a, "TRANSPOSE"),
                     "TRANSPOSE": (lambda a: a, "NO_TRANSPOSE"),
                     "ADJOINT": (lax.conj, "NO_TRANSPOSE")}


def _solve_attrs(site):
    flag = lambda name: ir.BoolAttr(site.attr(name)).value  # noqa: E731
    return dict(left_side=flag("left_side"), lower=flag("lower"),
                unit_diagonal=flag("unit_diagonal"),
                transpose_a=stablehlo.TransposeAttr(site.attr("transpose_a")).value)


def _read_triangle(t, attrs):
    """The part of `a` the solve reads: its triangle, without the diagonal if unit."""
    k = 1 if attrs["unit_diagonal"] else 0
    return linalg.tril(t, -k) if attrs["lower"] else linalg.triu(t, k)


@jvp_rule("stablehlo.triangular_solve")
def _triangular_solve_jvp(site, tangents):
    return triangular_solve_jvp(site, tangents, _solve_attrs(site))


def triangular_solve_jvp(site, tangents, attrs):
    """The JVP of a triangular solve op (this op or LAPACK's trsm) with lax's `attrs`."""
    t_a, t_b = tangents
    a, _ = site.inputs
    (x,) = site.outputs
    from_b = reemit(site, [a, t_b])[0] if t_b is not None else None
    from_a = None
    if t_a is not None:
        dm = _OP_OF_A[attrs["transpose_a"]](_read_triangle(t_a, attrs))
        rhs = linalg.batch_matmul(dm, x) if attrs["left_side"] else linalg.batch_matmul(x, dm)
        from_a = reemit(site, [a, lax.neg(rhs)])[0]
    return [add_maybe(from_a, from_b)]


@vjp_rule("stablehlo.triangular_solve")
def _triangular_solve_vjp(site, cts):
    return triangular_solve_vjp(site, cts, _solve_attrs(site))


def triangular_solve_vjp(site, cts, attrs):
    """The VJP of a triangular solve op (this op or LAPACK's trsm) with lax's `attrs`."""
    (ct,) = cts
    a, _ = site.inputs
    (x,) = site.outputs
    operand, kind = _TRANSPOSED_SOLVE[attrs["transpose_a"]]
    ct_b = ops.triangular_solve.bind(operand(a), ct, **{**attrs, "transpose_a": kind})
    ct_a = None
    if site.active[0]:
        left = attrs["left_side"]
        dm = (linalg.batch_matmul(ct_b, linalg.matrix_transpose(x)) if left
              else linalg.batch_matmul(linalg.matrix_transpose(x), ct_b))
        ct_a = _read_triangle(_OP_OF_A[attrs["transpose_a"]](lax.neg(dm)), attrs)
    return [ct_a, ct_b if site.active[1] else None]
