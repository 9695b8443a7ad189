"""hlox demo: fit a small model on the device, then look at the StableHLO hlox produced.

Run: python examples/demo.py
"""
import numpy as np

import hlox
import hlox.numpy as jnp


def make_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    y = np.sin(x) + 0.1 * rng.normal(size=(n, 1)).astype(np.float32)
    return x, y.astype(np.float32)


def features(x):
    # A fixed random-feature expansion: the model is linear in these features.
    freqs = jnp.linspace(0.25, 2.0, 16)
    return jnp.concatenate([jnp.sin(x * freqs), jnp.cos(x * freqs)], axis=1)


@hlox.jit
def train_step(w, x, y, lr):
    phi = features(x)
    err = phi @ w - y
    loss = jnp.mean(err ** 2)
    grad = 2.0 * phi.T @ err / x.shape[0]   # written by hand here; the autodiff issue adds hlox.grad
    return w - lr * grad, loss


def main():
    x, y = make_data()
    w = jnp.zeros((32, 1))
    print(f"hlox {hlox.__version__} on {hlox.default_backend()}: {hlox.devices()}")
    for step in range(301):
        w, loss = train_step(w, x, y, 0.1)
        if step % 50 == 0:
            print(f"step {step:4d}  loss {float(loss):.5f}")
    x_test = jnp.linspace(-3, 3, 5)[:, None]
    pred = features(x_test) @ w
    print("x      :", np.round(np.asarray(x_test[:, 0]), 2))
    print("sin(x) :", np.round(np.sin(np.asarray(x_test[:, 0])), 3))
    print("model  :", np.round(np.asarray(pred[:, 0]), 3))
    print("\nThe StableHLO hlox traced for one training step (with source locations):\n")
    print(train_step.lower(w, x, y, 0.1).as_text())


if __name__ == "__main__":
    main()
