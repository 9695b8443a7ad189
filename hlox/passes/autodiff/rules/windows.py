"""Derivatives of windowed reductions and select_and_scatter.

Windowed max/min differentiate through the element each window selects: forward by a
two-operand reduce_window that carries the tangent beside the value (select_and_gather_add),
backward by select_and_scatter_add, and each of those two is the other's transpose.
"""
from __future__ import annotations

from hlox.frontend import lax, windowed_reductions
from hlox.lowering.mlir import stablehlo
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule, zeros_like
from hlox.passes.autodiff.rules.convolution import pairs, vjp_lhs_padding
from hlox.passes.autodiff.rules.structural import linear_in, reemit

__all__ = ["window_body"]


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
                window_strides=site.ints_or("window_strides", (1,) * n),
                base_dilation=site.ints_or("base_dilations", (1,) * n),
                window_dilation=site.ints_or("window_dilations", (1,) * n),
                padding=pairs(site.ints_or("padding", (0,) * (2 * n))))


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
        out.append(windowed_reductions.select_and_gather_add(
            instantiate(t, site.inputs[i]), keys, direction, p["window_dimensions"],
            p["window_strides"], p["padding"], p["base_dilation"], p["window_dilation"],
            init_tangent=t_init))
    return out


def _reduce_window_sum_transpose(ct, x_aval, p):
    """JAX's reduce_window_sum transpose: pad the cotangent, then sum windows over it."""
    pads = vjp_lhs_padding(x_aval.shape, p["window_dimensions"], p["window_strides"], ct.shape,
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
    out = windowed_reductions.select_and_scatter_add(ct, keys, direction, p["window_dimensions"],
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
        t_source = windowed_reductions.select_and_gather_add(
            ct, operand, direction, site.ints("window_dimensions"),
            site.ints_or("window_strides", (1,) * n),
            pairs(site.ints_or("padding", (0,) * 2 * n)))
    t_init = lax.reduce_sum(ct, range(ct.ndim)) if site.active[2] else None
    return [None, t_source, t_init]

