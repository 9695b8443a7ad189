"""The constants of jax.numpy: pi e inf nan euler_gamma newaxis."""
import numpy as np

__all__ = ["pi", "e", "inf", "nan", "euler_gamma", "newaxis"]

pi, e, inf, nan, euler_gamma = np.pi, np.e, np.inf, np.nan, np.euler_gamma
newaxis = None
