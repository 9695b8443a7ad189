"""The transform API: grad/jvp/vjp/vmap and friends, each running a registered pass through `hlox.passes.apply`."""
