"""hlox.nn's implementation: activations, normalizations (softmax and friends), attention,
initializers."""
