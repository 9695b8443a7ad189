"""Host data: frombuffer fromstring fromiter load save savez and numpy's print options."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.numerics.numpy._util import asarray

__all__ = ["frombuffer", "fromstring", "fromiter", "load", "save", "savez", "printoptions",
           "get_printoptions", "set_printoptions"]


# -- host data -----------------------------------------------------------------------------
def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return asarray(np.frombuffer(buffer=buffer, dtype=dtype, count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    return asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def fromiter(*args, **kwargs):
    raise NotImplementedError("jnp.fromiter() is not implemented because it may be non-pure and "
                              "thus unsafe for use with JIT and other transformations. Consider "
                              "using jnp.asarray(np.fromiter(...)) instead.")


def load(file, *args, **kwargs):
    """numpy.load; a plain .npy array comes back as an hlox array (bfloat16 restored)."""
    out = np.load(file, *args, **kwargs)
    if not isinstance(out, np.ndarray):
        return out
    if out.dtype == np.dtype("V2"):  # how numpy saves bfloat16
        out = out.view(dtypes.bfloat16)
    return asarray(out)


save, savez = np.save, np.savez


printoptions, get_printoptions, set_printoptions = (np.printoptions, np.get_printoptions,
                                                     np.set_printoptions)
