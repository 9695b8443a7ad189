"""`hlox.errors`, as `jax.errors`: the exceptions hlox raises that are its own."""
from hlox.frontend.errors import (ConcretizationTypeError, TracerArrayConversionError,
                                  TracerBoolConversionError, TracerIntegerConversionError,
                                  UnexpectedTracerError)
from hlox.numerics.numpy.indexing import NonConcreteBooleanIndexError
from hlox.lowering.runtime import JaxRuntimeError

__all__ = ["ConcretizationTypeError", "JaxRuntimeError", "NonConcreteBooleanIndexError",
           "TracerArrayConversionError", "TracerBoolConversionError",
           "TracerIntegerConversionError", "UnexpectedTracerError"]
