"""hlox: a JAX-compatible array library whose transformations are passes over StableHLO."""
from __future__ import annotations

from hlox import config  # noqa: F401  (hlox.config.update(...), as jax.config)
from hlox.numerics import array_methods as _array_methods  # noqa: F401  (attaches operators)
from hlox.frontend.errors import (ConcretizationTypeError, TracerArrayConversionError,  # noqa: F401
                                  TracerIntegerConversionError, UnexpectedTracerError)
from hlox.frontend.jit import ShapeDtypeStruct, jit  # noqa: F401
from hlox.transforms.autodiff import (grad, hessian, jacfwd, jacobian, jacrev, jvp,  # noqa: F401
                                    linear_transpose, linearize, value_and_grad, vjp)
from hlox.frontend.custom_derivatives import closure_convert, custom_gradient, custom_jvp, custom_vjp  # noqa: F401
from hlox.frontend.checkpoint import checkpoint, checkpoint_policies, remat  # noqa: F401
from hlox.transforms.vmap import vmap  # noqa: F401
from hlox.frontend.callbacks import pure_callback  # noqa: F401
from hlox.frontend.api import (clear_caches, default_device, disable_jit, enable_x64,  # noqa: F401
                               ensure_compile_time_eval, live_arrays)
from hlox.frontend.api import (block_until_ready, default_backend, device_count, device_get,  # noqa: F401
                               device_put, devices, eval_shape, local_device_count,
                               local_devices, named_call, named_scope, process_count,
                               process_index)
from hlox.lowering.array import Array  # noqa: F401
from hlox.lowering.runtime import Device  # noqa: F401

from hlox import numpy, lax  # noqa: E402,F401
from hlox import tree_util, tree, nn, scipy  # noqa: E402,F401
from hlox import random  # noqa: E402,F401
from hlox import ad_checkpoint  # noqa: E402,F401
from hlox import ops  # noqa: E402,F401
from hlox import debug  # noqa: E402,F401
from hlox import dtypes, errors  # noqa: E402,F401

__version__ = "0.1.0"
