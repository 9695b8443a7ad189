"""`hlox.scipy.stats`: jax.scipy.stats's distributions, one module each (norm.logpdf, ...)."""
from hlox.scipy.stats import (bernoulli, beta, binom, cauchy, chi2, dirichlet,  # noqa: F401
                              expon, gamma, laplace, logistic, multivariate_normal, norm,
                              poisson, t, uniform)

__all__ = ["bernoulli", "beta", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma",
           "laplace", "logistic", "multivariate_normal", "norm", "poisson", "t", "uniform"]
