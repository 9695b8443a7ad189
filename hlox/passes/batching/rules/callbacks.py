"""Python-callback custom_calls (hlox.pure_callback, hlox.debug): batched as the op's
`hlox.vmap_method` says, JAX's vmap_method semantics.

"sequential" (debug callbacks, and pure callbacks that ask for it) calls the callback once per
example in a loop; "expand_dims" and "broadcast_all" call it once on the whole batch, with
unbatched operands given a leading axis of size 1 or of the batch size; "legacy_vectorized"
moves batched operands' axis to the front and leaves the others alone.
"""
from __future__ import annotations

from hlox.frontend import lax
from hlox.lowering import callbacks
from hlox.passes.batching.common import custom_call_rule, move_to_front, reemit
from hlox.passes.batching.core import per_example_loop

_LEADING_SIZE = {"expand_dims": lambda size: 1, "broadcast_all": lambda size: size,
                 "legacy_vectorized": lambda size: None}


def _whole_batch(site, args, dims, method):
    lead = _LEADING_SIZE[method](site.size)
    operands = [move_to_front(a, d) if d is not None or lead is None
                else lax.broadcast(a, (lead,)) for a, d in zip(args, dims)]
    outs = reemit(site, operands, [(site.size,) + a.shape for a in site.out_avals])
    return [(o, 0) for o in outs]


@custom_call_rule("callback")
def _callback(site, args, dims):
    method = callbacks.vmap_method(site.op)
    if method in ("sequential", "sequential_unrolled"):
        return per_example_loop(site, args, dims)
    if method in _LEADING_SIZE:
        return _whole_batch(site, args, dims, method)
    raise NotImplementedError(
        "vmap is only supported for the pure_callback primitive when vmap_method is one of "
        "'sequential', 'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
        f"'legacy_vectorized'. Got vmap_method=None. (at {site.op.location})")
