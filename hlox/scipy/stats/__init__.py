"""`hlox.scipy.stats`: jax.scipy.stats's distributions, one module each (norm.logpdf, ...)."""
from hlox.scipy.stats import (bernoulli, beta, betabinom, binom, cauchy, chi2,  # noqa: F401
                              dirichlet, expon, gamma, geom, gumbel_l, gumbel_r, laplace,
                              logistic, multinomial, multivariate_normal, nbinom, norm, pareto,
                              poisson, t, uniform)

__all__ = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon",
           "gamma", "geom", "gumbel_l", "gumbel_r", "laplace", "logistic", "multinomial",
           "multivariate_normal", "nbinom", "norm", "pareto", "poisson", "t", "uniform"]
