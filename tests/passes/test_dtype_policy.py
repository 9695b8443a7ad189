"""Passes emit the dtypes of the IR they read, from a per-thread policy: tracing and
differentiating float64 and float32 modules on 8 threads at once gives each its own dtypes,
and the process-wide jax_enable_x64 flag is never touched."""
from __future__ import annotations

import threading

import numpy as np

import hlox
import hlox.numpy as jnp
import hlox.passes as hp
from hlox import config
from hlox.lowering.mlir import make_context
from hlox.tools.mlir_io import parse_source

F64_MODULE = """
func.func @f(%x: tensor<3xf64>) -> tensor<f64> {
  %c = stablehlo.constant dense<2.5> : tensor<f64>
  %s = stablehlo.sine %x : tensor<3xf64>
  %m = stablehlo.multiply %s, %x : tensor<3xf64>
  %z = stablehlo.constant dense<0.0> : tensor<f64>
  %r = stablehlo.reduce(%m init: %z) applies stablehlo.add across dimensions = [0] : (tensor<3xf64>, tensor<f64>) -> tensor<f64>
  %y = stablehlo.multiply %r, %c : tensor<f64>
  return %y : tensor<f64>
}
"""


def _differentiate_f64_module():
    module = parse_source(F64_MODULE, "f64.mlir", make_context())
    hp.apply(module, "hlox-grad", func="f", name="f_grad")
    text = str(module)
    grad_text = text[text.index("@f_grad"):]
    assert "f32" not in grad_text, grad_text
    assert grad_text.startswith("@f_grad(%arg0: tensor<3xf64>) -> tensor<3xf64>"), grad_text


def _trace_f32_function():
    def loss(x):
        return jnp.sum(jnp.sin(x) * x * 2.5 + 1.0)
    fn = hlox.jit(hlox.grad(loss))
    x = np.linspace(0, 1, 3).astype(np.float32)
    text = fn.lower(x).as_text()
    assert "f64" not in text, text
    out = fn(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), np.cos(x) * x * 2.5 + np.sin(x) * 2.5, rtol=1e-5)


def test_eight_threads_trace_and_differentiate_with_their_own_dtypes():
    assert not config.x64_enabled()
    flag_changes = []
    config.on_update(lambda name, value: flag_changes.append((name, value)))
    barrier = threading.Barrier(8)
    failures = []

    def work(i):
        barrier.wait()
        try:
            for _ in range(10):
                (_differentiate_f64_module if i % 2 else _trace_f32_function)()
        except BaseException as e:  # noqa: BLE001 (reported below, by thread)
            failures.append((i, repr(e)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert [c for c in flag_changes if c[0] == "jax_enable_x64"] == []
    assert not config.x64_enabled()


def test_dtype_policy_is_per_thread():
    seen = {}

    def other():
        seen["other"] = config.x64_enabled()

    with config.dtype_policy(keep_64=True):
        assert config.x64_enabled()
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen["other"] is False and not config.x64_enabled()
