"""scipy.optimize: minimize with BFGS and L-BFGS on a zoom line search."""
