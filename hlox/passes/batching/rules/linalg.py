"""custom_call: the LAPACK kernels loop over leading batch dimensions themselves.

A call to one of jaxlib's LAPACK FFI kernels (frontend/linalg_ops.py) that says how many
leading batch dimensions it has (`mhlo.frontend_attributes.num_batch_dims`) is batched by
adding the batch as one more leading dimension, as JAX does; without that attribute it runs
once per example.
"""
from __future__ import annotations

from hlox.frontend import op_catalog
from hlox.frontend.linalg_ops import layouts_attr
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir
from hlox.passes.batching.common import custom_call_rule, materialize, reemit
from hlox.passes.batching.core import per_example_loop

NUM_BATCH_DIMS = "num_batch_dims"
LAPACK_ROWS = [op.name for op in op_catalog.CATALOG.values() if op.name.startswith("lapack.")]


def _native_batch_dims(site):
    if not site.has("mhlo.frontend_attributes"):
        return None
    frontend = ir.DictAttr(site.attr("mhlo.frontend_attributes"))
    if NUM_BATCH_DIMS not in frontend:
        return None
    return int(ir.StringAttr(frontend[NUM_BATCH_DIMS]).value)


@custom_call_rule(*LAPACK_ROWS)
def _lapack(site, args, dims):
    n_batch = _native_batch_dims(site)
    if n_batch is None:
        return per_example_loop(site, args, dims)
    operands = [materialize(a, d, site.size) for a, d in zip(args, dims)]
    shapes = [(site.size,) + a.shape for a in site.out_avals]
    rank = max(len(a.shape) for a in site.in_avals) + 1
    old = ir.DictAttr(site.attr("mhlo.frontend_attributes"))
    frontend = {entry.name: entry.attr for entry in (old[i] for i in range(len(old)))}
    frontend[NUM_BATCH_DIMS] = ir.StringAttr.get(str(n_batch + 1))
    outs = reemit(site, operands, shapes,
                  operand_layouts=layouts_attr([o.aval for o in operands], rank),
                  result_layouts=layouts_attr(
                      [ShapedArray(s, a.dtype) for s, a in zip(shapes, site.out_avals)], rank),
                  **{"mhlo.frontend_attributes": ir.DictAttr.get(frontend)})
    return [(o, 0) for o in outs]
