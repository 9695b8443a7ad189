"""More of hlox.lax: the functions of jax.lax that are compositions of the primitives in
hlox.frontend (shapes, dot, exponentials, selection, convolution) and the implicitly
differentiated solvers (solves)."""
