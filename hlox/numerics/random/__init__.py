"""hlox.random\x27s implementation: keys and PRNG implementations (prng), the samplers (distributions)."""
