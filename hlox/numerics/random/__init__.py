"""hlox.random's implementation: the threefry hash (threefry), keys (keys), argument checks
(arguments), the basic samplers (samplers), integer samplers (discrete), gamma-based samplers
(gamma) and JAX's parametric distributions (distributions)."""
