"""hlox.nn's implementation: activations, attention, initializers."""
