"""`hlox.numpy.linalg`: the jax.numpy.linalg-compatible namespace."""
from __future__ import annotations

from hlox.numerics.numpy import decompositions as _decompositions
from hlox.numerics.numpy import linalg as _linalg

__all__ = list(_linalg.LINALG_ALL) + list(_linalg.LINALG_FORMS) + list(_decompositions.__all__)
globals().update({name: getattr(_linalg, name) for name in _linalg.LINALG_ALL})
globals().update(_linalg.LINALG_FORMS)
globals().update({name: getattr(_decompositions, name) for name in _decompositions.__all__})
