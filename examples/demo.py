"""hlox demo: fit a small neural network, then look at the StableHLO hlox produced.

Gradients come from the `hlox-vjp` pass over the loss function's StableHLO, and the
per-example gradient norms from the `hlox-batch` pass: both show up as functions in the
printed module.

Run: python examples/demo.py
"""
import numpy as np

import hlox
import hlox.numpy as jnp


def make_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, size=(n, 1)).astype(np.float32)
    y = np.sin(x) + 0.05 * rng.normal(size=(n, 1)).astype(np.float32)
    return x, y.astype(np.float32)


def init_params(sizes=(1, 32, 32, 1), seed=0):
    rng = np.random.default_rng(seed)
    return [{"w": (rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32),
             "b": np.zeros(b, np.float32)} for a, b in zip(sizes[:-1], sizes[1:])]


def predict(params, x):
    for layer in params[:-1]:
        x = jnp.tanh(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]


def loss(params, x, y):
    return jnp.mean((predict(params, x) - y) ** 2)


@hlox.jit
def train_step(params, x, y, lr):
    value, grads = hlox.value_and_grad(loss)(params, x, y)
    params = hlox.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
    return params, value


@hlox.jit
def per_example_grad_norms(params, x, y):
    def one(xi, yi):
        g = hlox.grad(loss)(params, xi[None], yi[None])
        return jnp.sqrt(sum(jnp.sum(leaf ** 2) for leaf in hlox.tree_util.tree_leaves(g)))
    return hlox.vmap(one)(x, y)


def main():
    x, y = make_data()
    params = init_params()
    print(f"hlox {hlox.__version__} on {hlox.default_backend()}: {hlox.devices()}")
    for step in range(1001):
        params, value = train_step(params, x, y, 0.05)
        if step % 200 == 0:
            print(f"step {step:4d}  loss {float(value):.5f}")
    x_test = jnp.linspace(-3, 3, 5)[:, None]
    print("x      :", np.round(np.asarray(x_test[:, 0]), 2))
    print("sin(x) :", np.round(np.sin(np.asarray(x_test[:, 0])), 3))
    print("model  :", np.round(np.asarray(predict(params, x_test)[:, 0]), 3))
    norms = per_example_grad_norms(params, x[:8], y[:8])
    print("per-example gradient norms (vmap of grad):", np.round(np.asarray(norms), 4))
    print("\nThe StableHLO of one training step: @main calls the gradient function that the "
          "hlox-vjp pass\nderived from the traced loss (every op carries its source line):\n")
    print(train_step.lower(params, x, y, 0.05).as_text(debug_info=False))


if __name__ == "__main__":
    main()
