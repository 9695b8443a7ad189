"""The numerical libraries, written on the tracing core and the transforms: numpy, lax\x27s composite ops, random, nn, scipy."""
