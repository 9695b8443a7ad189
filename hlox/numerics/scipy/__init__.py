"""hlox.scipy's implementation: special functions, linear algebra, statistics."""
