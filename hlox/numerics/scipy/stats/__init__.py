"""hlox.scipy.stats's implementation, one module per distribution."""
