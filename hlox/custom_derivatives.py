"""`hlox.custom_derivatives`, as jax.custom_derivatives."""
from hlox.frontend.custom_derivative_helpers import (CustomVJPPrimal, SymbolicZero,  # noqa: F401
                                                     custom_vjp_primal_tree_values, linear_call,
                                                     zero_from_primal)
from hlox.frontend.custom_derivatives import (closure_convert, custom_gradient, custom_jvp,  # noqa: F401
                                              custom_vjp)

__all__ = ["CustomVJPPrimal", "SymbolicZero", "closure_convert", "custom_gradient", "custom_jvp",
           "custom_vjp", "custom_vjp_primal_tree_values", "linear_call", "zero_from_primal"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
