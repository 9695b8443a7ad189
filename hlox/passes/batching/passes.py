"""hlox-batch as a registered pass (options in DESIGN.md)."""
from __future__ import annotations

from hlox.passes.batching.core import batch
from hlox.passes.registry import register
from hlox.passes.transforms import TRANSFORMS, transform_options


@register("hlox-batch", description=TRANSFORMS["hlox-batch"][0],
          options=transform_options("hlox-batch"), replace=True)
def _batch_pass(module, options):
    batch(module, options.func, in_axes=options.in_axes, size=options.size, name=options.name)
