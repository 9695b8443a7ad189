"""`hlox.errors`, as `jax.errors`: the exceptions hlox raises that are its own."""
from hlox.frontend.errors import (ConcretizationTypeError, InconclusiveDimensionOperation,
                                  JAXIndexError, JaxprTypeError, JAXTypeError, KeyReuseError,
                                  TracerArrayConversionError, TracerBoolConversionError,
                                  TracerIntegerConversionError, UnexpectedTracerError)
from hlox.numerics.numpy.indexing import NonConcreteBooleanIndexError
from hlox.lowering.runtime import JaxRuntimeError

__all__ = ["ConcretizationTypeError", "InconclusiveDimensionOperation", "JAXIndexError",
           "JAXTypeError", "JaxRuntimeError", "JaxprTypeError", "KeyReuseError", "NonConcreteBooleanIndexError",
           "TracerArrayConversionError", "TracerBoolConversionError",
           "TracerIntegerConversionError", "UnexpectedTracerError"]
