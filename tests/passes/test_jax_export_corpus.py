"""hlox-jvp, hlox-vjp/hlox-grad and hlox-batch on StableHLO exported by real JAX.

Each program of the table is exported with `jax.jit(f).lower(*args).as_text()` (chlo ops,
private functions, func.call, while/case/if, LAPACK custom_calls, threefry bit twiddling),
transformed by the passes, run through PJRT, and compared with jax.jvp / jax.vjp / jax.grad /
jax.vmap of the same function on the same inputs. A few also go through the command line
(hlox-opt then hlox-run).
"""
from __future__ import annotations

import dataclasses
import functools
import subprocess
import sys

import jax
import jax.numpy as jr
import ml_dtypes
import numpy as np
import pytest
from conftest import assert_matches
from jax import lax

from hlox.lowering import module_runner
from hlox.lowering.mlir import ir, make_context
from hlox.passes import PassError, autodiff, batching
from hlox.tools import run

B = 3  # the batch size
F32, F64, I32, C64 = np.float32, np.float64, np.int32, np.complex64
BF16, F16 = np.dtype(ml_dtypes.bfloat16), np.float16


# -- inputs: each program makes its arguments from a generator, so a batch is B draws ------------
def _normal(r, shape, dtype):
    x = r.normal(size=shape)
    return x + 1j * r.normal(size=shape) if np.dtype(dtype).kind == "c" else x


def rand(*shape, dtype=F32):
    return lambda r: _normal(r, shape, dtype).astype(dtype)


def positive(*shape, dtype=F32):
    return lambda r: r.uniform(0.5, 2.0, size=shape).astype(dtype)


def distinct(*shape, dtype=F32):
    """No ties (max/sort/argmax stay away from their kinks)."""
    n = int(np.prod(shape))
    return lambda r: (r.permutation(n).reshape(shape) * 0.25 + r.uniform(0, 0.05, shape)).astype(dtype)


def ints(lo, hi, *shape, dtype=I32):
    return lambda r: r.integers(lo, hi, size=shape).astype(dtype)


def spd(n, dtype=F32):
    def make(r):
        a = _normal(r, (n, n), dtype)
        return (a @ a.conj().T + n * np.eye(n)).astype(dtype)
    return make


def well_conditioned(n, dtype=F32):
    return lambda r: (_normal(r, (n, n), dtype) + 3 * np.eye(n)).astype(dtype)


def batch_of(n, make):
    """n draws of `make` stacked: a leading batch dimension of the program's own."""
    return lambda r: np.stack([make(r) for _ in range(n)])


def key():
    return lambda r: np.asarray(r.integers(0, 2**32, size=(2,), dtype=np.uint64), np.uint32)


@dataclasses.dataclass
class Program:
    name: str
    fn: object
    args: tuple  # makers: generator -> array
    in_axes: tuple | None = None  # per argument (default: 0 for all)
    checks: tuple = ("jvp", "vjp", "batch")
    tol: float = 2e-5
    x64: bool = False
    cli: bool = False
    oracle: object = None  # the same function in a form JAX can differentiate (default: fn)
    fails: dict = dataclasses.field(default_factory=dict)  # check: what its PassError says


def _scan_cumsum(x):
    def step(c, xi):
        c = jr.sin(c) + xi
        return c, c * 2.0
    return lax.scan(step, jr.zeros(x.shape[1:], x.dtype), x)


def _fori(x):
    return lax.fori_loop(0, 3, lambda i, c: c * jr.cos(c) + i, x)


def _while(x):
    def cond(c):
        return c[0] < 5

    def body(c):
        return c[0] + 1, c[1] * 0.9 + jr.sin(c[1])
    return lax.while_loop(cond, body, (0, x))[1]


def _while_as_scan(x):
    return lax.scan(lambda c, _: (c * 0.9 + jr.sin(c), None), x, length=5)[0]


def _while_value_cond(x):
    """The predicate depends on the (batched) value: under vmap the loop runs until all stop."""
    def body(c):
        return c * 1.5
    return lax.while_loop(lambda c: jr.sum(c) < 10.0, body, x)


def _cond(p, x):
    return lax.cond(p > 0, lambda v: jr.sin(v) * 2, lambda v: jr.cos(v), x)


def _switch(i, x):
    return lax.switch(i, [jr.sin, jr.cos, lambda v: v * v], x)


@jax.jit
def _inner(h):
    return jr.tanh(h) * 2.0


def _nested(w, x):
    return jr.sum(jax.nn.softplus(_inner(x @ w)) ** 2)


def _random(k, x):
    noise = jax.random.normal(jax.random.wrap_key_data(k), x.shape)
    return x * noise + jax.random.uniform(jax.random.key(0), x.shape)


def _conv(x, w):
    return lax.conv_general_dilated(x, w, window_strides=(2, 1), padding=((1, 0), (2, 1)),
                                    rhs_dilation=(1, 2), dimension_numbers=("NCHW", "OIHW", "NCHW"))


def _grouped_conv(x, w):
    return lax.conv_general_dilated(x, w, (1, 1), "SAME", lhs_dilation=(1, 1), feature_group_count=2,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"))


def _pools(x):
    mx = lax.reduce_window(x, -jr.inf, lax.max, (1, 2, 2), (1, 2, 1), "VALID")
    sm = lax.reduce_window(x, 0.0, lax.add, (1, 3, 2), (1, 1, 1), ((0, 0), (1, 1), (0, 1)))
    return mx, sm


def _scatter_ops(x, i, u):
    """mul with repeated indices has no derivative in JAX either (see the error test)."""
    return (x.at[i].set(u), x.at[i].add(u), x.at[i].min(u), x.at[i].max(u),
            x.at[jr.array([4, 1, 0])].mul(u, unique_indices=True))


def _pytree_out(x, y):
    return {"prod": x * y, "pair": (jr.sum(x), jr.exp(y))}


def _solve_inv_det(a, b):
    return jr.linalg.solve(a, b), jr.linalg.inv(a), jr.linalg.det(a)


def _triangular_cho_solve(a, b):
    lower = jax.scipy.linalg.solve_triangular(a, b, lower=True, trans=1)
    upper = jax.scipy.linalg.solve_triangular(a, b, lower=False, unit_diagonal=True)
    return lower, upper, jax.scipy.linalg.cho_solve(jax.scipy.linalg.cho_factor(a, lower=True), b)


def _topk(x):
    v, i = lax.top_k(x, 3)
    return v * 2.0, i


# What the passes cannot differentiate yet: each such check asserts a PassError naming the op.
_QR = {"jvp": "custom_call' to 'lapack_sgeqrf_ffi'", "vjp": "custom_call' to 'lapack_sorgqr_ffi'"}
_WINDOW_BODY = {"jvp": "reduce_window body", "vjp": "reduce_window body"}

PROGRAMS = [
    Program("elementwise", lambda x, y: jr.tanh(x) * jr.exp(-y) + x ** 3 - jr.expm1(x) / jr.log1p(y * y)
            + jr.abs(x) ** 2.5 + jr.arctan2(x, y) + jr.sqrt(y * y + 1) * jr.sign(x),
            (rand(3, 4), rand(3, 4)), in_axes=(0, None), cli=True),
    Program("chlo_special", lambda x: jax.scipy.special.erf(x) + jax.scipy.special.gammaln(x + 3)
            + jax.scipy.special.digamma(x + 3) + jr.sinh(x) + jr.arcsinh(x) + jr.tan(x * 0.5),
            (rand(5),)),
    Program("erf_inv_lgamma", lambda x: jax.scipy.special.erfinv(x * 0.5) * lax.lgamma(x + 2.0),
            (rand(2, 3),), in_axes=(1,)),
    Program("relu_silu_softplus", lambda x: jax.nn.relu(x) + jax.nn.silu(x) + jax.nn.softplus(x)
            + jax.nn.sigmoid(x) + jax.nn.elu(x) + jax.nn.leaky_relu(x), (rand(4, 3),)),
    Program("gelu_both", lambda x: (jax.nn.gelu(x, approximate=True), jax.nn.gelu(x, approximate=False)),
            (rand(6),)),
    Program("softmax_family", lambda x: (jax.nn.softmax(x, axis=-1), jax.nn.log_softmax(x, axis=0),
                                         jax.nn.logsumexp(x, axis=1)), (rand(3, 4),), in_axes=(2,)),
    Program("batched_dot_einsum", lambda a, b: (lax.dot_general(a, b, (((2,), (1,)), ((0,), (0,)))),
                                                jr.einsum("bij,bjk->ik", a, b)),
            (rand(2, 3, 4), rand(2, 4, 5)), in_axes=(None, 1)),
    Program("matmul_chain", lambda w, x: jr.sum(jax.nn.tanh(x @ w) @ w.T),
            (rand(4, 3), rand(5, 4)), in_axes=(None, 0)),
    Program("reductions", lambda x: (jr.sum(x, 0), jr.max(x, 1), jr.prod(x, 1), jr.var(x), jr.mean(x ** 2),
                                     jr.min(x)), (distinct(3, 4),)),
    Program("argmax_argmin", lambda x: (jr.argmax(x, axis=1), jr.argmin(x), jr.max(x) * x),
            (distinct(3, 4),)),
    Program("cumulative", lambda x: (jr.cumsum(x, 0), lax.cummax(x, 1)), (distinct(3, 4),)),
    Program("cumprod", lambda x: jr.cumprod(x, 1), (distinct(3, 4),), fails=_WINDOW_BODY),
    Program("cumlogsumexp", lambda x: lax.cumlogsumexp(x, 0), (rand(3, 4),), fails=_WINDOW_BODY),
    Program("sort_argsort", lambda x: (jr.sort(x, axis=1), jr.argsort(x, axis=0), x[jr.argsort(x[:, 0])]),
            (distinct(4, 3),), in_axes=(1,)),
    Program("top_k", _topk, (distinct(2, 6),)),
    Program("gather_indexing", lambda x, i: (x[i], x[:, i], x[i, ::-1][:, 1:], jr.take(x, i, axis=1, mode="clip")),
            (rand(4, 5), ints(-4, 4, 3)), in_axes=(0, None)),
    Program("gather_batched_indices", lambda x, i: (x[i] * 2, jr.take_along_axis(x, i[:, None] % 5, axis=1)),
            (rand(3, 5), ints(0, 3, 3)), in_axes=(None, 0)),
    Program("scatter_at_ops", _scatter_ops, (distinct(5, 2), ints(0, 5, 3), distinct(3, 2)),
            in_axes=(0, 0, 1)),
    Program("scatter_unique", lambda x, u: x.at[jr.array([0, 2, 3])].set(u, unique_indices=True),
            (rand(5, 2), rand(3, 2))),
    Program("scatter_drop_clip", lambda x, i, u: (x.at[i].add(u, mode="drop"), x.at[i].set(u, mode="clip"),
                                                  x.at[i].get(mode="fill", fill_value=-1.0)),
            (rand(4), ints(-2, 7, 3), rand(3)), in_axes=(None, 0, 0)),
    Program("dynamic_slices", lambda x, i: (lax.dynamic_slice(x, (i, 1), (2, 2)),
                                            lax.dynamic_update_slice(x, jr.ones((2, 2)) * x[0, 0], (1, i))),
            (rand(4, 4), ints(0, 3, dtype=I32)), in_axes=(0, 0)),
    Program("scan", _scan_cumsum, (rand(4, 3),), in_axes=(1,), cli=True),
    Program("fori_loop", _fori, (rand(3),)),
    Program("while_loop", _while, (rand(2, 2),), oracle=_while_as_scan),
    Program("while_value_cond", _while_value_cond, (positive(3),), checks=("batch",)),
    Program("cond", _cond, (rand(), rand(3)), in_axes=(0, None)),
    Program("switch", _switch, (ints(0, 3), rand(4)), in_axes=(0, 0), cli=True),
    Program("conv_strided_dilated", _conv, (rand(1, 2, 6, 5), rand(3, 2, 2, 2)), in_axes=(0, None)),
    Program("conv_grouped", _grouped_conv, (rand(2, 5, 4, 4), rand(3, 3, 2, 4)), in_axes=(None, 0)),
    Program("pooling", _pools, (distinct(2, 5, 4),)),
    Program("pad_concat_structural", lambda x, y: jr.concatenate([
        lax.pad(x, 0.5, ((1, -1, 1), (-1, 2, 0))).reshape(-1), jr.transpose(y, (1, 0)).reshape(-1),
        jr.broadcast_to(x[0], (2, 3)).ravel(), jr.flip(y, 0).ravel()]),
        (rand(2, 3), rand(3, 2)), in_axes=(1, 0)),
    Program("select_clamp_where", lambda x, y: (jr.where(x > y, x * y, jr.sin(y)), jr.clip(x, -0.5, 0.5),
                                                lax.clamp(-0.3, y, 0.3)), (distinct(5), distinct(5))),
    Program("convert_dtypes", lambda x, n: (x.astype(jr.float16).astype(jr.float32) * n + jr.round(x),
                                            (x * 3).astype(jr.int32), n.astype(jr.float32) * x),
            (rand(4), ints(-3, 3, 4)), in_axes=(0, None)),
    Program("iota_arange", lambda x: x * jr.arange(4.0) + jr.sum(jr.eye(4) * x[:, None], 0),
            (rand(4),)),
    Program("linalg_solve_inv", lambda a, b: (jr.linalg.solve(a, b), jr.linalg.inv(a)),
            (well_conditioned(3), rand(3, 2)), tol=1e-4),
    Program("linalg_cholesky_slogdet", lambda a: (jr.linalg.cholesky(a), jr.linalg.slogdet(a)[1]),
            (spd(3),), tol=1e-4),
    Program("linalg_solve_inv_det_x64", _solve_inv_det, (well_conditioned(3, F64), rand(3, 2, dtype=F64)),
            tol=1e-9, x64=True),
    Program("linalg_cholesky_slogdet_x64", lambda a: (jr.linalg.cholesky(a), jr.linalg.slogdet(a)[1]),
            (spd(4, F64),), tol=1e-9, x64=True),
    Program("linalg_batched_solve_det", _solve_inv_det,
            (batch_of(2, well_conditioned(3)), batch_of(2, rand(3, 2))), tol=1e-4),
    Program("linalg_triangular_cho_solve", _triangular_cho_solve, (spd(3), rand(3, 2)), tol=1e-4),
    Program("linalg_triangular_cho_solve_x64", _triangular_cho_solve,
            (batch_of(2, spd(3, F64)), batch_of(2, rand(3, 2, dtype=F64))), tol=1e-9, x64=True),
    Program("linalg_grad_slogdet_solve", lambda a, b: jr.linalg.slogdet(a)[1] + jr.sum(jr.linalg.solve(a, b) ** 2),
            (well_conditioned(4), rand(4)), tol=1e-4),
    Program("linalg_complex", lambda a, b, h: (jr.linalg.solve(a, b), jr.linalg.cholesky(h),
                                               jax.scipy.linalg.solve_triangular(a, b, trans=2),
                                               jr.linalg.eigvalsh(h)),
            (well_conditioned(3, C64), rand(3, 2, dtype=C64), spd(3, C64)), tol=1e-4),
    Program("linalg_qr", lambda a: jr.linalg.qr(a), (rand(4, 3),), tol=1e-4, fails=_QR),
    Program("linalg_eigh", lambda a: jr.linalg.eigh(a), (spd(3),), tol=1e-3),
    Program("linalg_eigh_x64", lambda a: (jr.linalg.eigvalsh(a), jr.linalg.eigh(a)[1] ** 2),
            (batch_of(2, spd(3, F64)),), tol=1e-8, x64=True),
    Program("random_threefry", _random, (key(), rand(4)), in_axes=(0, None)),
    Program("nested_jit", _nested, (rand(4, 3), rand(5, 4)), in_axes=(None, 0), cli=True),
    Program("pytree_outputs", _pytree_out, (rand(3), rand(3))),
    Program("bfloat16", lambda x, y: jr.tanh(x @ y) * x.sum(), (rand(2, 2, dtype=BF16), rand(2, 2, dtype=BF16)),
            tol=3e-2),
    Program("float16", lambda x: jax.nn.softmax(x) * jr.exp(x), (rand(5, dtype=F16),), tol=3e-3),
    Program("x64", lambda x, i: (jr.sin(x) * jr.sum(x[i]), jr.cumsum(x) ** 2), (rand(5, dtype=F64), ints(0, 5, 2, dtype=np.int64)),
            in_axes=(0, None), tol=1e-12, x64=True),
]


# -- running the passes and the oracle ------------------------------------------------------------
def _example(program, seed):
    return [make(np.random.default_rng(seed * 101 + k)) for k, make in enumerate(program.args)]


def _batched(program):
    axes = program.in_axes or (0,) * len(program.args)
    examples = [_example(program, s) for s in range(B)]
    return [examples[0][k] if a is None else np.stack([e[k] for e in examples], axis=a)
            for k, a in enumerate(axes)], axes


def _float(x):
    return np.asarray(x).dtype.kind in "fcV"


def _outputs(fn):
    return lambda *a: jax.tree.leaves(fn(*a))


@functools.lru_cache(maxsize=None)
def _export_text(name):
    program = _PROGRAMS_BY_NAME[name]
    return jax.jit(program.fn).lower(*_example(program, 0)).as_text()


def _module(program):
    ctx = make_context()
    with ctx:
        return ir.Module.parse(_export_text(program.name)), ctx


def _wrt(args):
    return [i for i, a in enumerate(args) if _float(a)]


def _with_wrt(program, args, wrt):
    """f of the differentiated arguments only (the others fixed), its float outputs flattened."""
    def g(*diff):
        full = list(args)
        for i, d in zip(wrt, diff):
            full[i] = d
        return [o for o in jax.tree.leaves((program.oracle or program.fn)(*full)) if jr.issubdtype(o.dtype, jr.inexact)]
    return g


def _tol(program, rtol=None):
    return dict(rtol=program.tol, atol=program.tol)


def check_jvp(program):
    args = _example(program, 0)
    wrt = _wrt(args)
    tangents = [np.asarray(rand(*args[i].shape, dtype=args[i].dtype)(np.random.default_rng(7 + i)))
                for i in wrt]
    module, ctx = _module(program)
    with ctx, ir.Location.unknown():
        autodiff.jvp(module.operation, "main", wrt=wrt, name="main_jvp")
        assert module.operation.verify()
        outs = module_runner.run_function(module, "main_jvp", args + tangents)
    g = _with_wrt(program, args, wrt)
    ref_y, ref_t = jax.jit(lambda p, t: jax.jvp(g, p, t))([args[i] for i in wrt], tangents)
    n = len(outs) // 2
    ys, ts = outs[:n], outs[n:]
    floats = [k for k, y in enumerate(ys) if _float(y)]
    assert len(floats) == len(ref_y)
    for k, ry, rt in zip(floats, ref_y, ref_t):
        assert_matches(ys[k], ry, **_tol(program))
        assert_matches(ts[k], rt, **_tol(program))
    for k in set(range(n)) - set(floats):
        assert not np.any(ts[k]), "an integer output has a nonzero tangent"


def check_vjp(program):
    args = _example(program, 0)
    wrt = _wrt(args)
    g = _with_wrt(program, args, wrt)
    primals = [args[i] for i in wrt]
    leaves = jax.tree.leaves(jax.eval_shape(program.fn, *args))
    scalar = len(leaves) == 1 and leaves[0].shape == () and jr.issubdtype(leaves[0].dtype, jr.inexact)
    module, ctx = _module(program)
    if scalar:  # the hlox-grad path
        with ctx, ir.Location.unknown():
            autodiff.grad(module.operation, "main", wrt=wrt, name="main_grad")
            assert module.operation.verify()
            grads = module_runner.run_function(module, "main_grad", args)
        ref = jax.jit(jax.grad(lambda *p: g(*p)[0], argnums=tuple(range(len(wrt)))))(*primals)
    else:
        r = np.random.default_rng(11)
        cts = [r.normal(size=o.shape).astype(o.dtype) if jr.issubdtype(o.dtype, jr.inexact)
               else np.zeros(o.shape, o.dtype) for o in leaves]
        with ctx, ir.Location.unknown():
            autodiff.vjp(module.operation, "main", wrt=wrt, name="main_vjp")
            assert module.operation.verify()
            grads = module_runner.run_function(module, "main_vjp", args + cts)[len(leaves):]
        float_cts = [c for c in cts if _float(c)]
        ref = jax.jit(lambda p, c: jax.vjp(g, *p)[1](c))(primals, float_cts)
    assert len(grads) == len(ref)
    for got, want in zip(grads, ref):
        assert_matches(got, want, **_tol(program))


def check_batch(program):
    args, axes = _batched(program)
    module, ctx = _module(program)
    with ctx, ir.Location.unknown():
        batching.batch(module.operation, "main", in_axes=list(axes), size=B, name="main_batch")
        assert module.operation.verify()
        outs = module_runner.run_function(module, "main_batch", args)
    ref = jax.jit(jax.vmap(_outputs(program.fn), in_axes=tuple(axes)))(*args)
    assert len(outs) == len(ref)
    for got, want in zip(outs, ref):
        assert_matches(got, want, **_tol(program))


CHECKS = {"jvp": check_jvp, "vjp": check_vjp, "batch": check_batch}
_PROGRAMS_BY_NAME = {p.name: p for p in PROGRAMS}


@pytest.mark.parametrize("name,check", [(p.name, c) for p in PROGRAMS for c in p.checks])
def test_exported_program(request, name, check):
    program = _PROGRAMS_BY_NAME[name]
    if program.x64:
        request.getfixturevalue("x64")
    if check in program.fails:
        with pytest.raises(PassError, match=program.fails[check]) as error:
            CHECKS[check](program)
        assert "loc(" in str(error.value)  # where the op is
        return
    CHECKS[check](program)


def test_scatter_mul_with_repeated_indices_is_not_differentiable_in_updates():
    """As in JAX (NotImplementedError there): a clear PassError naming the scatter."""
    program = Program("scatter_mul_repeated", lambda x, i, u: x.at[i].mul(u),
                      (rand(4), ints(0, 4, 3), rand(3)))
    _PROGRAMS_BY_NAME[program.name] = program
    with pytest.raises(NotImplementedError):
        jax.jvp(lambda u: program.fn(jr.ones(4, F32), np.array([1, 1, 2]), u), (np.ones(3, F32),),
                (np.ones(3, F32),))
    for check in (check_jvp, check_vjp):
        with pytest.raises(PassError, match="scatter.*unique_indices.*'stablehlo.scatter' at loc"):
            check(program)


# -- the command line: hlox-opt runs a pass, hlox-run runs the result ------------------------------
def _hlox_opt(*argv):
    """The installed command, as a user runs it (one process per program: it imports jaxlib)."""
    done = subprocess.run([sys.executable, "-m", "hlox.tools.opt", *map(str, argv)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _hlox_run(capsys, *argv):
    rc = run.main([str(a) for a in argv])
    assert rc == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", [p.name for p in PROGRAMS if p.cli])
def test_command_line(tmp_path, capsys, name):
    """hlox-opt --hlox-vjp then --hlox-batch on the exported file; hlox-run runs both results."""
    program = _PROGRAMS_BY_NAME[name]
    src = tmp_path / "in.mlir"
    src.write_text(_export_text(name))
    args = _example(program, 0)
    wrt = _wrt(args)
    batched, axes = _batched(program)
    leaves = jax.tree.leaves(jax.eval_shape(program.fn, *args))
    cts = [np.random.default_rng(5).normal(size=o.shape).astype(o.dtype) for o in leaves]
    axes_text = ",".join("none" if a is None else str(a) for a in axes)
    _hlox_opt(src, f"--hlox-vjp=wrt={','.join(map(str, wrt))}",
         f"--hlox-batch=in-axes={axes_text} size={B}", "-o", tmp_path / "out.mlir")
    np.savez(tmp_path / "vjp.npz", **{f"arg{k}": a for k, a in enumerate(args + cts)})
    np.savez(tmp_path / "batch.npz", **{f"arg{k}": a for k, a in enumerate(batched)})
    _hlox_run(capsys, tmp_path / "out.mlir", "--func", "main_vjp", "--inputs", tmp_path / "vjp.npz",
         "-o", tmp_path / "vjp_out.npz")
    _hlox_run(capsys, tmp_path / "out.mlir", "--func", "main_batch", "--inputs", tmp_path / "batch.npz",
         "-o", tmp_path / "batch_out.npz")
    ref_vjp = jax.jit(lambda p, c: jax.vjp(_with_wrt(program, args, wrt), *p)[1](c))(
        [args[i] for i in wrt], cts)
    ref_batch = jax.jit(jax.vmap(_outputs(program.fn), in_axes=tuple(axes)))(*batched)
    with np.load(tmp_path / "vjp_out.npz") as got:
        assert len(got.files) == len(leaves) + len(wrt)
        for k, want in enumerate(ref_vjp):
            assert_matches(got[f"out{len(leaves) + k}"], want, **_tol(program))
    with np.load(tmp_path / "batch_out.npz") as got:
        for k, want in enumerate(ref_batch):
            assert_matches(got[f"out{k}"], want, **_tol(program))
