"""custom_call to jaxlib's LAPACK FFI kernels, as JAX's exports call them for jnp.linalg.

A call to `lapack_<s|d|c|z><kernel>_ffi` is differentiated by its kernel's rule (JAX's
formulas, on the kernel's raw results: LU's 1-based pivots, potrf's untouched other triangle);
integer results (pivots, `info`) carry no derivative. The flags (uplo, side, trans_x, diag) are
the characters of `mhlo.backend_config`. A kernel without a reverse rule of its own is
transposed: its JVP is traced into a private function, linear in the tangent, whose VJP the
reverse pass makes. Every other custom_call keeps the error that names its call target.
"""
from __future__ import annotations

from hlox.frontend import lax, op_catalog
from hlox.frontend import lax_linalg as linalg
from hlox.frontend.core import Trace
from hlox.lowering.mlir import func as func_dialect, ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import instantiate, jvp_rule, no_rule, vjp_rule, zeros_like
from hlox.passes.autodiff.rules import linalg as linalg_rules
from hlox.passes.autodiff.rules.calls import _call

__all__ = ["KERNEL_JVPS", "KERNEL_VJPS", "lapack_kernel"]


def lapack_kernel(op):
    """"potrf", "getrf", ... for a call to a LAPACK FFI kernel, None for any other op."""
    if "call_target_name" not in op.attributes:
        return None
    return op_catalog.lapack_kernel(ir.StringAttr(op.attributes["call_target_name"]).value)


def _flags(op):
    if "mhlo.backend_config" not in op.attributes:
        return {}
    config = ir.DictAttr(op.attributes["mhlo.backend_config"])
    return {config[i].name: chr(ir.IntegerAttr(config[i].attr).value) for i in range(len(config))}


def _no_rule(site, mode):
    target = ir.StringAttr(site.attr("call_target_name")).value if site.has("call_target_name") \
        else "?"
    raise no_rule(site.op, mode, f"'{site.name}' to '{target}'")


# -- potrf: the factor in the `uplo` triangle, the other triangle passed through -------------------
# As JAX's rules (cholesky, eigh), the tangent of the whole matrix is used, not of the triangle that
# the kernel reads: JAX's programs symmetrize the matrix first, and there the two agree.
def _other_triangle(t, uplo):
    return linalg.triu(t, 1) if uplo == "L" else linalg.tril(t, -1)


def _lower(y, uplo):
    """The lower factor L (of A, or of A^H for an upper factor U = L^H)."""
    return linalg.tril(y) if uplo == "L" else linalg.adjoint(linalg.triu(y))


def _potrf_jvp(site, flags, tangents):
    (t,), (y, _) = tangents, site.outputs
    uplo = flags.get("uplo", "L")
    if uplo == "L":
        dy = linalg_rules.cholesky_jvp(_lower(y, uplo), t)
    else:
        dy = linalg.adjoint(linalg_rules.cholesky_jvp(_lower(y, uplo), linalg.adjoint(t)))
    return [lax.add(dy, _other_triangle(t, uplo)), None]


def _potrf_vjp(site, flags, cts):
    ct, (y, _) = instantiate(cts[0], site.outputs[0]), site.outputs
    uplo = flags.get("uplo", "L")
    if uplo == "L":
        ct_a = linalg_rules.cholesky_vjp(_lower(y, uplo), linalg.tril(ct))
    else:
        ct_a = linalg.adjoint(linalg_rules.cholesky_vjp(_lower(y, uplo),
                                                        linalg.adjoint(linalg.triu(ct))))
    return [lax.add(ct_a, _other_triangle(ct, uplo))]


# -- trsm: stablehlo.triangular_solve's rules ------------------------------------------------------
_TRANSPOSE = {"N": "NO_TRANSPOSE", "T": "TRANSPOSE", "C": "ADJOINT"}


def _solve_attrs(flags):
    return dict(left_side=flags["side"] == "L", lower=flags["uplo"] == "L",
                unit_diagonal=flags["diag"] == "U", transpose_a=_TRANSPOSE[flags["trans_x"]])


def _trsm_jvp(site, flags, tangents):
    return linalg_rules.triangular_solve_jvp(site, tangents, _solve_attrs(flags))


def _trsm_vjp(site, flags, cts):
    return linalg_rules.triangular_solve_vjp(site, [instantiate(cts[0], site.outputs[0])],
                                   _solve_attrs(flags))


# -- getrf: JAX's LU JVP on the permutation of the 1-based pivots ----------------------------------
def _getrf_jvp(site, flags, tangents):
    (t,), (lu_, ipiv, _) = tangents, site.outputs
    perm = linalg.pivots_to_permutation(lax.sub(ipiv, lax.full_like(ipiv, 1)), lu_.shape[-2])
    return [linalg.lu_tangent(lu_, perm, t), None, None]


# -- syevd/heevd: JAX's eigh JVP -------------------------------------------------------------------
def _syevd_jvp(site, flags, tangents):
    (t,), (v, w, _) = tangents, site.outputs
    if flags.get("mode", "V") != "V":
        site.fail("eigenvalues without eigenvectors (mode N) have no derivative rule; compute "
                  "the eigenvectors")
    dv, dw = linalg.eigh_tangent(v, w, t)
    return [dv, dw, None]


# kernel -> rule(site, flags, tangents or cotangents)
KERNEL_JVPS = {"potrf": _potrf_jvp, "trsm": _trsm_jvp, "getrf": _getrf_jvp, "syevd": _syevd_jvp}
KERNEL_VJPS = {"potrf": _potrf_vjp, "trsm": _trsm_vjp}


@jvp_rule("stablehlo.custom_call")
def _custom_call_jvp(site, tangents):
    rule = KERNEL_JVPS.get(lapack_kernel(site.op))
    if rule is None:
        _no_rule(site, "jvp")
    return rule(site, _flags(site.op), tangents)


@vjp_rule("stablehlo.custom_call")
def _custom_call_vjp(site, cts):
    kernel = lapack_kernel(site.op)
    if kernel in KERNEL_VJPS:
        return KERNEL_VJPS[kernel](site, _flags(site.op), cts)
    if kernel not in KERNEL_JVPS:
        _no_rule(site, "vjp")
    return _transposed_jvp(site, kernel, cts)


# -- reverse mode by transposing the JVP -----------------------------------------------------------
class _LinearSite:
    """What a kernel's JVP reads of its op, with operands and results from another function."""

    def __init__(self, site, trace, inputs, outputs):
        self.op, self.name, self.trace, self.fail = site.op, site.name, trace, site.fail
        self.inputs, self.outputs = inputs, outputs


def _differentiable(value):
    return irutil.is_differentiable_type(value.type)


def _linearized(site, kernel, wrt):
    """`@<kernel>_lin(operands..., results..., tangents of operands wrt...) -> (tangents of the
    float results...)`, a private function of the module."""
    module_op = site.module_op
    name = irutil.unique_name(module_op, f"lapack_{kernel}_lin")
    values = list(site.op.operands) + list(site.op.results) + [site.op.operands[i] for i in wrt]
    ftype = ir.FunctionType.get([v.type for v in values], [])
    with ir.InsertionPoint(irutil.module_body(module_op)), site.op.location:
        fn = func_dialect.FuncOp(name, ftype)
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        fn.add_entry_block()
    trace = Trace.over_function(module_op, fn, description=f"the linearized {kernel}")
    trace.location = site.op.location
    with trace:
        args = [trace.tracer(a) for a in irutil.entry_block(fn).arguments]
        n_in, n_out = len(site.inputs), len(site.outputs)
        inner = _LinearSite(site, trace, args[:n_in], args[n_in:n_in + n_out])
        tangents = [None] * n_in
        for i, t in zip(wrt, args[n_in + n_out:]):
            tangents[i] = t
        outs = KERNEL_JVPS[kernel](inner, _flags(site.op), tangents)
        floats = [k for k, r in enumerate(site.op.results) if _differentiable(r)]
        trace.finish([instantiate(outs[k], inner.outputs[k]) for k in floats])
    return name, floats


def _transposed_jvp(site, kernel, cts):
    from hlox.passes.autodiff import reverse
    wrt = [i for i, a in enumerate(site.active) if a and _differentiable(site.op.operands[i])]
    if not wrt:
        return [None] * len(site.inputs)
    lin, floats = _linearized(site, kernel, wrt)
    n_fixed = len(site.inputs) + len(site.outputs)
    vjp_name = irutil.unique_name(site.module_op, f"{lin}_vjp")
    reverse.vjp(site.module_op, lin, wrt=list(range(n_fixed, n_fixed + len(wrt))), name=vjp_name)
    irutil.find_function(site.module_op, vjp_name).attributes["sym_visibility"] = \
        ir.StringAttr.get("private")
    operands = (list(site.inputs) + list(site.outputs) + [zeros_like(site.inputs[i]) for i in wrt]
                + [instantiate(cts[k], site.outputs[k]) for k in floats])
    outs = _call(site, vjp_name, operands, irutil.result_avals(site.module_op, vjp_name))
    grads = dict(zip(wrt, outs[len(floats):]))
    return [grads.get(i) for i in range(len(site.inputs))]
