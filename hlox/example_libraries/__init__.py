"""`hlox.example_libraries`: JAX's small example libraries (`optimizers`, `stax`), written on
hlox's public namespaces as JAX writes them on its own."""
