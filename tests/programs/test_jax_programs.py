"""Whole JAX programs, written once the way JAX users write them, run with real `jax` and with
`hlox` (`import hlox as jax; import hlox.numpy as jnp`); every output leaf must agree in value,
shape, dtype and weak type.

Each program is `program(jax, jnp)` and returns a pytree of results. It may only reach the
libraries through those two modules (jax.lax, jax.nn, jax.random, jax.tree_util,
jax.scipy.special, ...), so the same source runs on both.
"""
from __future__ import annotations

import collections
import functools

import jax
import jax.numpy as jjnp
import jax.scipy.linalg  # noqa: F401  (users import the submodules they use)
import jax.scipy.special  # noqa: F401
import numpy as np
import pytest

import hlox
import hlox.numpy as hjnp
from conftest import assert_matches, enable_x64

PROGRAMS = {}


def program(tol=1e-5, x64=False):
    """Register `fn` under its name; `tol` is the relative/absolute tolerance of float leaves."""
    def register(fn):
        PROGRAMS[fn.__name__] = (fn, tol, x64)
        return fn
    return register


def _data(seed, *shape, dtype=np.float32):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


Params = collections.namedtuple("Params", ["w", "b"])
AdamState = collections.namedtuple("AdamState", ["step", "mu", "nu"])


# -- training loops over pytrees --------------------------------------------------------------
@program()
def linear_regression_sgd(jax, jnp):
    x, y = _data(0, 32, 3), _data(1, 32)
    params = {"w": jnp.zeros(3), "b": jnp.array(0.0)}

    def loss(p, x, y):
        return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

    @jax.jit
    def step(p, x, y):
        l, g = jax.value_and_grad(loss)(p, x, y)
        return jax.tree_util.tree_map(lambda a, b: a - 0.1 * b, p, g), l

    losses = []
    for _ in range(5):
        params, l = step(params, x, y)
        losses.append(l)
    return params, jnp.stack(losses)


@program(tol=2e-5)
def logistic_regression_adam(jax, jnp):
    x = _data(2, 40, 4)
    y = (x @ np.array([1.0, -2.0, 0.5, 0.0], np.float32) > 0).astype(np.float32)
    params = Params(w=jnp.zeros((4,)), b=jnp.zeros(()))
    state = AdamState(0, jax.tree_util.tree_map(jnp.zeros_like, params),
                      jax.tree_util.tree_map(jnp.zeros_like, params))

    def loss(p):
        logits = x @ p.w + p.b
        return -jnp.mean(y * jax.nn.log_sigmoid(logits) + (1 - y) * jax.nn.log_sigmoid(-logits))

    @jax.jit
    def update(p, s):
        g = jax.grad(loss)(p)
        step = s.step + 1
        mu = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, s.mu, g)
        nu = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, s.nu, g)
        mhat = jax.tree_util.tree_map(lambda m: m / (1 - 0.9 ** step), mu)
        vhat = jax.tree_util.tree_map(lambda v: v / (1 - 0.999 ** step), nu)
        p = jax.tree_util.tree_map(lambda p, m, v: p - 0.05 * m / (jnp.sqrt(v) + 1e-8), p, mhat, vhat)
        return p, AdamState(step, mu, nu)

    for _ in range(4):
        params, state = update(params, state)
    return params, state, loss(params)


@program(tol=1e-4)
def mlp_per_example_grads(jax, jnp):
    sizes = [3, 8, 2]
    keys = jax.random.split(jax.random.PRNGKey(0), len(sizes) - 1)
    params = [(jax.random.normal(k, (m, n)) / jnp.sqrt(m), jnp.zeros(n))
              for k, m, n in zip(keys, sizes[:-1], sizes[1:])]
    x, labels = _data(3, 6, 3), np.array([0, 1, 1, 0, 1, 0])

    def loss(params, x, label):
        h = x
        for w, b in params[:-1]:
            h = jax.nn.relu(h @ w + b)
        w, b = params[-1]
        logits = h @ w + b
        return -jax.nn.log_softmax(logits)[label]

    @jax.jit
    def private_grads(params, x, labels):
        grads = jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(params, x, labels)
        norms = jnp.sqrt(sum(jnp.sum(g.reshape(g.shape[0], -1) ** 2, axis=1)
                             for g in jax.tree_util.tree_leaves(grads)))
        clipped = jax.tree_util.tree_map(
            lambda g: g / jnp.maximum(1.0, norms / 0.5).reshape((-1,) + (1,) * (g.ndim - 1)), grads)
        return grads, norms, jax.tree_util.tree_map(lambda g: g.mean(0), clipped)
    return private_grads(params, x, labels)


# -- sequence models ---------------------------------------------------------------------------
@program(tol=1e-4)
def rnn_scan_grad(jax, jnp):
    params = {"wx": _data(4, 3, 5) * 0.5, "wh": _data(5, 5, 5) * 0.3, "b": np.zeros(5, np.float32)}
    xs = _data(6, 7, 3)

    def loss(p, xs):
        def cell(h, x):
            h = jnp.tanh(x @ p["wx"] + h @ p["wh"] + p["b"])
            return h, h.sum()
        h, ys = jax.lax.scan(cell, jnp.zeros(5), xs)
        return jnp.sum(h ** 2) + ys.mean()

    return jax.jit(jax.value_and_grad(loss))(params, xs)


@program(tol=1e-4)
def lstm_scan(jax, jnp):
    hidden = 4
    w = _data(7, 3 + hidden, 4 * hidden) * 0.4
    b = np.zeros(4 * hidden, np.float32)
    xs = _data(8, 5, 2, 3)  # (time, batch, features)

    def lstm_cell(carry, x):
        h, c = carry
        gates = jnp.concatenate([x, h], axis=-1) @ w + b
        i, f, g, o = jnp.split(gates, 4, axis=-1)
        c = jax.nn.sigmoid(f + 1.0) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    init = (jnp.zeros((2, hidden)), jnp.zeros((2, hidden)))
    (h, c), hs = jax.jit(lambda xs: jax.lax.scan(lstm_cell, init, xs))(xs)
    _, hs_rev = jax.lax.scan(lstm_cell, init, xs, reverse=True)
    return h, c, hs, hs_rev


@program(tol=1e-5)
def masked_attention(jax, jnp):
    b, h, t, d = 2, 2, 5, 4
    q, k, v = _data(9, b, h, t, d), _data(10, b, h, t, d), _data(11, b, h, t, d)
    lengths = np.array([5, 3])

    def attention(q, k, v, lengths):
        scores = jnp.einsum("bhqd,bhkd->bhqk", q, k) / jnp.sqrt(d).astype(q.dtype)
        causal = jnp.tril(jnp.ones((t, t), dtype=bool))
        padding = jnp.arange(t)[None, :] < lengths[:, None]
        mask = causal[None, None] & padding[:, None, None, :]
        scores = jnp.where(mask, scores, jnp.finfo(scores.dtype).min)
        weights = jax.nn.softmax(scores, axis=-1)
        return jnp.einsum("bhqk,bhkd->bhqd", weights, v), weights

    out, weights = jax.jit(attention)(q, k, v, lengths)
    g = jax.grad(lambda q: attention(q, k, v, lengths)[0].sum())(q)
    return out, weights, g


@program(tol=1e-4)
def layernorm_batchnorm(jax, jnp):
    x = _data(12, 6, 4) * 3 + 1

    def layernorm(x, scale, bias, eps=1e-5):
        mean = x.mean(-1, keepdims=True)
        var = jnp.var(x, axis=-1, keepdims=True)
        return (x - mean) * jax.lax.rsqrt(var + eps) * scale + bias

    def batchnorm(x, state, train=True, momentum=0.9):
        if train:
            mean, var = x.mean(0), x.var(0)
            state = {"mean": momentum * state["mean"] + (1 - momentum) * mean,
                     "var": momentum * state["var"] + (1 - momentum) * var}
        else:
            mean, var = state["mean"], state["var"]
        return (x - mean) / jnp.sqrt(var + 1e-5), state

    state = {"mean": jnp.zeros(4), "var": jnp.ones(4)}
    y, state = jax.jit(batchnorm, static_argnames="train")(x, state)
    y_eval, _ = batchnorm(x, state, train=False)
    ln = layernorm(x, jnp.ones(4), jnp.zeros(4))
    g = jax.grad(lambda s: layernorm(x, s, 0.0).std())(jnp.ones(4))
    return y, state, y_eval, ln, g


@program(tol=1e-4)
def transformer_block_with_initializers(jax, jnp):
    d, heads = 8, 2
    init_dense = jax.nn.initializers.glorot_uniform()
    keys = jax.random.split(jax.random.PRNGKey(5), 4)
    params = {"qkv": init_dense(keys[0], (d, 3 * d)), "out": init_dense(keys[1], (d, d)),
              "mlp": jax.nn.initializers.he_normal()(keys[2], (d, 2 * d)),
              "mlp_out": jax.nn.initializers.lecun_normal()(keys[3], (2 * d, d)),
              "ln": jax.nn.initializers.ones(None, (d,)), "bias": jax.nn.initializers.zeros(None, (d,))}
    x = _data(40, 2, 5, d)

    def block(params, x):
        h = jax.nn.standardize(x, axis=-1) * params["ln"] + params["bias"]
        q, k, v = jnp.split(h @ params["qkv"], 3, axis=-1)
        q, k, v = (t.reshape(t.shape[:-1] + (heads, d // heads)) for t in (q, k, v))
        att = jax.nn.dot_product_attention(q, k, v, is_causal=True)
        x = x + att.reshape(x.shape) @ params["out"]
        return x + jax.nn.gelu(x @ params["mlp"]) @ params["mlp_out"]

    loss = lambda p: jnp.mean(block(p, x) ** 2)  # noqa: E731
    return params, jax.jit(jax.value_and_grad(loss))(params)


# -- numerics ----------------------------------------------------------------------------------
@program(tol=1e-8, x64=True)
def gaussian_process_loglik(jax, jnp):
    x = np.linspace(0, 3, 8)
    y = np.sin(x) + 0.1 * np.random.default_rng(13).normal(size=8)

    def neg_log_likelihood(log_params):
        lengthscale, variance, noise = jnp.exp(log_params)
        sqdist = (x[:, None] - x[None, :]) ** 2
        k = variance * jnp.exp(-0.5 * sqdist / lengthscale ** 2) + noise * jnp.eye(len(x))
        chol = jnp.linalg.cholesky(k)
        alpha = jnp.linalg.solve(k, y)
        logdet = 2 * jnp.sum(jnp.log(jnp.diag(chol)))
        return 0.5 * (y @ alpha + logdet + len(x) * jnp.log(2 * jnp.pi))

    p = jnp.array([0.0, 0.0, -2.0])
    val, grad = jax.value_and_grad(neg_log_likelihood)(p)
    sign, logdet = jnp.linalg.slogdet(jnp.eye(3) * 2.0)
    return val, grad, jax.jit(neg_log_likelihood)(p), sign, logdet


@program(tol=1e-5)
def ode_rk4_fori(jax, jnp):
    def dynamics(y, t):
        x, v = y
        return jnp.stack([v, -x - 0.1 * v])

    def rk4(y0, dt, n):
        def body(i, y):
            t = i * dt
            k1 = dynamics(y, t)
            k2 = dynamics(y + dt / 2 * k1, t + dt / 2)
            k3 = dynamics(y + dt / 2 * k2, t + dt / 2)
            k4 = dynamics(y + dt * k3, t + dt)
            return y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return jax.lax.fori_loop(0, n, body, y0)

    y0 = jnp.array([1.0, 0.0])
    final = jax.jit(rk4, static_argnums=2)(y0, 0.05, 40)
    sensitivity = jax.jacfwd(lambda y0: rk4(y0, 0.05, 40))(y0)
    return final, sensitivity


@program(tol=1e-5)
def ode_euler_while(jax, jnp):
    def integrate(y0, t_end):
        def cond(state):
            t, y, n = state
            return (t < t_end) & (n < 1000)

        def body(state):
            t, y, n = state
            dt = jnp.minimum(0.01 * (1 + jnp.abs(y).max()), t_end - t)
            return t + dt, y + dt * jnp.array([y[1], -y[0]]), n + 1
        return jax.lax.while_loop(cond, body, (0.0, y0, 0))

    return jax.jit(integrate)(jnp.array([1.0, 0.0]), 1.0)


@program(tol=1e-5)
def newton_method(jax, jnp):
    def f(x, a):
        return x ** 3 - a

    def newton(a, x0=1.0, iters=20):
        df = jax.grad(f)

        def body(_, x):
            return x - f(x, a) / df(x, a)
        return jax.lax.fori_loop(0, iters, body, x0)

    cube_roots = jax.vmap(newton)(jnp.array([2.0, 8.0, 27.0]))

    def newton_while(x0):
        def cond(s):
            x, i = s
            return (jnp.abs(jnp.cos(x) - x) > 1e-6) & (i < 50)
        return jax.lax.while_loop(cond, lambda s: (s[0] - (jnp.cos(s[0]) - s[0]) /
                                                   (-jnp.sin(s[0]) - 1), s[1] + 1), (x0, 0))
    return cube_roots, jax.jit(newton_while)(1.0)


@program(tol=1e-5)
def kmeans(jax, jnp):
    rng = np.random.default_rng(14)
    points = np.concatenate([rng.normal(c, 0.3, size=(10, 2)) for c in (-2, 0, 2)]).astype(np.float32)
    k = 3

    @functools.partial(jax.jit, static_argnums=2)
    def kmeans_step(centroids, points, k):
        d = jnp.sum((points[:, None, :] - centroids[None, :, :]) ** 2, axis=-1)
        assign = jnp.argmin(d, axis=1)
        onehot = jax.nn.one_hot(assign, k)
        counts = onehot.sum(0)
        new = (onehot.T @ points) / jnp.maximum(counts, 1)[:, None]
        return jnp.where(counts[:, None] > 0, new, centroids), assign, jnp.min(d, axis=1).sum()

    centroids = points[jnp.array([0, 10, 20])]
    for _ in range(3):
        centroids, assign, inertia = kmeans_step(centroids, points, k)
    return centroids, assign, inertia, jnp.bincount(assign, length=k)


@program(tol=1e-4)
def convnet(jax, jnp):
    keys = jax.random.split(jax.random.PRNGKey(1), 3)
    params = {"conv1": jax.random.normal(keys[0], (3, 3, 1, 4)) * 0.3,
              "conv2": jax.random.normal(keys[1], (3, 3, 4, 4)) * 0.3,
              "dense": jax.random.normal(keys[2], (4, 3)) * 0.3}
    images = _data(15, 2, 8, 8, 1)

    def forward(params, x):
        dn = ("NHWC", "HWIO", "NHWC")
        x = jax.lax.conv_general_dilated(x, params["conv1"], (1, 1), "SAME", dimension_numbers=dn)
        x = jax.nn.relu(x)
        x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        x = jax.lax.conv_general_dilated(x, params["conv2"], (1, 1), ((1, 1), (1, 1)),
                                         rhs_dilation=(1, 1), dimension_numbers=dn)
        x = jax.nn.gelu(x)
        x = jax.lax.reduce_window(x, 0.0, jax.lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4
        x = x.mean(axis=(1, 2))
        return x @ params["dense"]

    def loss(params, x):
        logits = forward(params, x)
        return jnp.mean(jax.nn.logsumexp(logits, axis=-1)), logits

    return jax.jit(jax.value_and_grad(loss, has_aux=True))(params, images)


# -- random ------------------------------------------------------------------------------------
@program(tol=1e-6)
def random_sampling(jax, jnp):
    key = jax.random.PRNGKey(42)
    key, k1, k2, k3, k4, k5, k6 = jax.random.split(key, 7)
    normal = jax.random.normal(k1, (3, 2))
    uniform = jax.random.uniform(k2, (4,), minval=-1.0, maxval=2.0)
    logits = jnp.log(jnp.array([0.1, 0.2, 0.7]))
    categorical = jax.random.categorical(k3, logits, shape=(10,))
    bernoulli = jax.random.bernoulli(k4, 0.3, (8,))
    perm = jax.random.permutation(k5, 10)
    shuffled = jax.random.permutation(k5, jnp.arange(12).reshape(4, 3), axis=0)
    randint = jax.random.randint(k6, (5,), 0, 100)
    choice = jax.random.choice(k6, 10, (3,), replace=False)
    noise = jax.vmap(lambda k: jax.random.normal(k, (2,)))(jax.random.split(key, 3))
    return normal, uniform, categorical, bernoulli, perm, shuffled, randint, choice, noise


@program(tol=1e-5)
def dropout_and_reparameterization(jax, jnp):
    x = _data(16, 4, 6)

    @functools.partial(jax.jit, static_argnames="rate")
    def dropout(key, x, rate=0.5):
        keep = jax.random.bernoulli(key, 1 - rate, x.shape)
        return jnp.where(keep, x / (1 - rate), 0)

    def elbo(params, key):
        mu, log_sigma = params
        eps = jax.random.normal(key, mu.shape)
        z = mu + jnp.exp(log_sigma) * eps
        kl = 0.5 * jnp.sum(jnp.exp(2 * log_sigma) + mu ** 2 - 1 - 2 * log_sigma)
        return -jnp.sum(z ** 2) - kl

    params = (jnp.array([0.5, -0.3]), jnp.array([0.1, -0.2]))
    return dropout(jax.random.PRNGKey(3), x), jax.grad(elbo)(params, jax.random.PRNGKey(4))


# -- numpy -------------------------------------------------------------------------------------
@program(tol=1e-5)
def numpy_toolbox(jax, jnp):
    x = _data(17, 4, 5)
    idx = jnp.argsort(x, axis=1)
    top2 = jnp.take_along_axis(x, idx[:, -2:], axis=1)
    return (jnp.where(x > 0, x, 0.1 * x), jnp.clip(x, -0.5, 0.5), jnp.cumsum(x, axis=0),
            jnp.sort(x, axis=-1), idx, top2, jnp.einsum("ij,kj->ik", x, x),
            jnp.einsum("ii", x[:, :4]), jnp.argmax(x, axis=0), jnp.percentile(x, 75.0),
            jnp.linspace(0, 1, 5), jnp.meshgrid(jnp.arange(3), jnp.arange(2)),
            jnp.pad(x, ((1, 0), (0, 2)), mode="constant"), jnp.diff(x, axis=1),
            jnp.unique(jnp.array([3, 1, 3, 2]), return_counts=True),
            jnp.nanmean(jnp.where(x > 1, jnp.nan, x)), jnp.any(x > 2), jnp.allclose(x, x + 1e-9),
            x.T.reshape(-1)[::3], x[1:3, jnp.array([0, 2])], x[x[:, 0] > 0, 1:].shape)


@program(tol=1e-5)
def scatter_updates(jax, jnp):
    x = jnp.zeros((5, 3))
    idx = jnp.array([0, 2, 2, 4])
    vals = jnp.arange(12.0).reshape(4, 3)

    @jax.jit
    def updates(x, idx, vals):
        a = x.at[idx].add(vals)
        b = x.at[idx, 1].set(-1.0)
        c = x.at[1:3].multiply(2.0).at[:, 0].max(vals[:, 0].mean())
        d = x.at[idx].get(mode="fill", fill_value=-7.0)
        seg = jnp.zeros(3).at[jnp.array([0, 1, 1, 2, 0])].add(jnp.arange(5.0))
        return a, b, c, d, seg

    g = jax.grad(lambda v: jnp.sum(x.at[idx].add(v) ** 2))(vals)
    return updates(x, idx, vals), g, jnp.ones(4, jnp.int32).at[jnp.array([1, 9])].add(5)


@program(tol=1e-5)
def cond_and_switch(jax, jnp):
    def piecewise(x):
        return jax.lax.cond(x > 0, lambda x: x ** 2, lambda x: -x, x)

    def activate(kind, x):
        return jax.lax.switch(kind, [jnp.tanh, jax.nn.relu, lambda x: x * 2.0], x)

    xs = jnp.array([-1.5, 0.5, 2.0])
    return (jax.jit(piecewise)(2.0), jax.vmap(piecewise)(xs), jax.vmap(jax.grad(piecewise))(xs),
            jax.jit(activate)(1, xs), jax.vmap(activate)(jnp.array([0, 1, 2]), xs),
            jax.lax.cond(True, lambda a, b: (a + b, a * b), lambda a, b: (a - b, a / b), 3.0, 4.0))


@program(tol=1e-5)
def jit_static_and_donate(jax, jnp):
    @functools.partial(jax.jit, static_argnums=(1,), donate_argnums=(0,))
    def power_iteration(m, n_iter):
        v = jnp.ones(m.shape[0]) / jnp.sqrt(m.shape[0])
        for _ in range(n_iter):
            v = m @ v
            v = v / jnp.linalg.norm(v)
        return v @ m @ v

    @functools.partial(jax.jit, static_argnames=("activation",))
    def layer(x, activation="relu"):
        return getattr(jax.nn, activation)(x)

    m = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)
    return (power_iteration(jnp.asarray(m), 10), power_iteration(jnp.asarray(m), 3),
            layer(jnp.array([-1.0, 1.0])), layer(jnp.array([-1.0, 1.0]), activation="tanh"))


@program(tol=1e-5)
def value_and_grad_has_aux(jax, jnp):
    x, y = _data(18, 10, 3), _data(19, 10)

    def loss(params, x, y):
        pred = x @ params["w"] + params["b"]
        err = pred - y
        return jnp.mean(err ** 2), {"mae": jnp.mean(jnp.abs(err)), "pred": pred}

    params = {"w": jnp.ones(3), "b": 0.5}
    (l, aux), g = jax.value_and_grad(loss, has_aux=True)(params, x, y)
    g_x, aux2 = jax.grad(loss, argnums=1, has_aux=True)(params, x, y)
    return l, aux, g, g_x, aux2["mae"]


@program(tol=1e-4)
def jacobians_and_hessians(jax, jnp):
    def f(x):
        return jnp.array([x[0] * jnp.sin(x[1]), x[1] ** 2 * x[2], jnp.exp(x[0] - x[2])])

    def energy(p):
        return jnp.sum(p["a"] ** 2 * p["b"]) + jnp.prod(p["a"])

    x = jnp.array([0.5, -1.0, 2.0])
    p = {"a": jnp.array([1.0, 2.0]), "b": jnp.array(3.0)}
    rosen = lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)  # noqa: E731
    return (jax.jacfwd(f)(x), jax.jacrev(f)(x), jax.hessian(rosen)(x),
            jax.jacrev(energy)(p), jax.hessian(energy)(p), jax.jit(jax.jacfwd(jax.grad(rosen)))(x),
            jax.jvp(f, (x,), (jnp.ones(3),)), jax.vjp(f, x)[1](jnp.ones(3)))


@program(tol=1e-5)
def custom_jvp_log1pexp(jax, jnp):
    @jax.custom_jvp
    def log1pexp(x):
        return jnp.log(1.0 + jnp.exp(x))

    @log1pexp.defjvp
    def log1pexp_jvp(primals, tangents):
        x, = primals
        x_dot, = tangents
        ans = log1pexp(x)
        return ans, x_dot * (1.0 - 1.0 / (1.0 + jnp.exp(x)))

    @jax.custom_vjp
    def clip_gradient(x, lo, hi):
        return x

    clip_gradient.defvjp(lambda x, lo, hi: (x, (lo, hi)),
                         lambda res, g: (jnp.clip(g, *res), None, None))

    xs = jnp.array([-3.0, 0.0, 10.0, 100.0])
    return (jax.vmap(jax.grad(log1pexp))(xs), jax.jit(log1pexp)(3.0),
            jax.grad(lambda x: jnp.sum(clip_gradient(x, -0.5, 0.5) * 3.0))(xs),
            jax.jvp(log1pexp, (2.0,), (1.0,)))


@program(tol=1e-4)
def checkpointed_mlp(jax, jnp):
    ws = [_data(20 + i, 6, 6) * 0.4 for i in range(3)]
    x = _data(24, 4, 6)

    @jax.checkpoint
    def block(w, h):
        return jnp.tanh(h @ w) + h

    def loss(ws, x):
        h = x
        for w in ws:
            h = block(w, h)
        return jnp.sum(h ** 2)

    policy_block = jax.checkpoint(lambda w, h: jax.nn.gelu(h @ w),
                                  policy=jax.checkpoint_policies.dots_with_no_batch_dims_saveable)
    return (jax.jit(jax.grad(loss))(ws, x),
            jax.grad(lambda w: policy_block(w, x).sum())(ws[0]))


@program(tol=1e-4)
def fft_filtering(jax, jnp):
    t = np.linspace(0, 1, 32, endpoint=False).astype(np.float32)
    signal = np.sin(2 * np.pi * 3 * t) + 0.5 * np.sin(2 * np.pi * 10 * t)
    spectrum = jnp.fft.rfft(signal)
    freqs = jnp.fft.rfftfreq(32, d=1 / 32)
    filtered = jnp.fft.irfft(jnp.where(freqs < 5, spectrum, 0), n=32)
    img = _data(25, 4, 4)
    power = jnp.abs(jnp.fft.fft2(img)) ** 2
    kernel = np.array([1.0, 2.0, 1.0], np.float32)
    conv = jnp.fft.ifft(jnp.fft.fft(signal[:8], 10) * jnp.fft.fft(kernel, 10)).real
    return spectrum, freqs, filtered, power, conv, jnp.fft.fftshift(jnp.fft.fftfreq(6))


@program(tol=2e-5)
def nn_functions(jax, jnp):
    @jax.jit
    def activations(x, labels):
        onehot = jax.nn.one_hot(labels, 5)
        smooth = onehot * 0.9 + 0.1 / 5
        return (jax.nn.gelu(x), jax.nn.gelu(x, approximate=False), jax.nn.softplus(x),
                jax.nn.log_softmax(x), -jnp.sum(smooth * jax.nn.log_softmax(x), axis=-1),
                jax.nn.logsumexp(x, axis=1, keepdims=True), jax.nn.silu(x), jax.nn.elu(x),
                jax.nn.standardize(x, axis=-1), onehot,
                jax.nn.one_hot(jnp.array([0, 2]), 3, dtype=jnp.int32),
                jax.scipy.special.logsumexp(x, axis=0, b=np.arange(5.0, dtype=np.float32)),
                jax.scipy.special.expit(x), jax.scipy.special.erf(x / 3),
                jax.scipy.special.gammaln(jnp.abs(x) + 1), jax.nn.tanh(x), jax.nn.glu(x[:, :4]))
    return activations(_data(26, 3, 5) * 3, np.array([1, 4, 0])), jax.nn.relu(2.0), jax.nn.gelu(-1)


@program(tol=2e-5)
def cross_entropy_grad_clipping(jax, jnp):
    params = {"dense": {"kernel": _data(27, 4, 3), "bias": np.zeros(3, np.float32)}}
    x, labels = _data(28, 8, 4), np.array([0, 1, 2, 1, 0, 2, 2, 1])

    def loss(params):
        logits = x @ params["dense"]["kernel"] + params["dense"]["bias"]
        logp = jax.nn.log_softmax(logits)
        nll = -jnp.take_along_axis(logp, labels[:, None], axis=1).squeeze(1)
        acc = jnp.mean(jnp.argmax(logits, -1) == labels)
        return nll.mean(), jax.lax.stop_gradient(acc)

    (l, acc), grads = jax.value_and_grad(loss, has_aux=True)(params)
    gnorm = jnp.sqrt(sum(jnp.vdot(g, g) for g in jax.tree_util.tree_leaves(grads)))
    scale = jnp.minimum(1.0, 0.1 / gnorm)
    clipped = jax.tree_util.tree_map(lambda g: g * scale, grads)
    leaves, treedef = jax.tree_util.tree_flatten(clipped)
    rebuilt = jax.tree_util.tree_unflatten(treedef, [leaf + 1 for leaf in leaves])
    return l, acc, gnorm, clipped, rebuilt, treedef.num_leaves


# -- dtypes ------------------------------------------------------------------------------------
@program(tol=1e-2)
def low_precision_dtypes(jax, jnp):
    x16 = jnp.asarray(_data(29, 4, 4), dtype=jnp.float16)
    xbf = jnp.asarray(_data(30, 4, 4)).astype(jnp.bfloat16)
    i8 = jnp.array([-100, 50, 127, 3], dtype=jnp.int8)
    u8 = jnp.array([200, 100, 3, 0], dtype=jnp.uint8)
    return (x16 @ x16, x16 * 2, x16 + 1.5, x16.mean(), x16.sum(dtype=jnp.float32),
            xbf @ xbf, xbf + x16.astype(jnp.bfloat16), xbf * 3, jax.nn.softmax(xbf),
            (x16 + xbf).dtype.name, i8 + 100, i8 * 2, i8 + i8, i8.astype(jnp.float16), i8 / 4,
            i8 // 3, u8 + u8, i8.sum(), i8.mean(), u8 + 1, jnp.float16(2) * 3, i8 + jnp.int16(1),
            jnp.zeros(3, jnp.bfloat16) + 1.0, jnp.arange(4, dtype=jnp.int8) * 40)


@program(tol=1e-12, x64=True)
def x64_program(jax, jnp):
    x = jnp.arange(5)
    y = jnp.linspace(0.0, 1.0, 5)
    f32 = jnp.ones(3, jnp.float32)

    def f(w):
        return jnp.sum(jnp.sin(w * y) ** 2)

    return (x, x * 1.5, y, y.sum(), f32 * 2.0, f32 + y[:3], jnp.array(3) / 2,
            jax.grad(f)(0.7), jax.random.uniform(jax.random.PRNGKey(0), (3,), dtype=jnp.float64),
            jnp.int32(3) + 2, jnp.cumsum(jnp.ones(4, jnp.int32)), jnp.mean(x), 2 ** jnp.arange(3))


# -- pytrees and transforms ---------------------------------------------------------------------
@program(tol=1e-5)
def pytrees_and_vmap(jax, jnp):
    pts = _data(31, 5, 2)
    pairwise = jax.vmap(jax.vmap(lambda a, b: jnp.linalg.norm(a - b), (None, 0)), (0, None))(pts, pts)
    tree = {"layer": Params(w=jnp.ones((2, 3)), b=jnp.zeros(3)), "scale": (2.0, jnp.array([1.0, 2.0]))}
    doubled = jax.tree_util.tree_map(lambda t: t * 2, tree)
    summed = jax.tree_util.tree_reduce(lambda a, b: a + jnp.sum(b), tree, 0.0)
    n_leaves = len(jax.tree_util.tree_leaves(tree))
    batched = jax.vmap(lambda p, x: x @ p.w + p.b, in_axes=(None, 0), out_axes=1)(
        tree["layer"], _data(32, 4, 2))
    per_dict = jax.vmap(lambda d: d["a"] * d["b"], in_axes=({"a": 0, "b": None},))(
        {"a": jnp.arange(3.0), "b": jnp.array(2.0)})
    stacked = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), Params(1.0, 2.0), Params(3.0, 4.0))
    leaves_none = jax.tree_util.tree_leaves([None, (1, None), {"k": 2}])
    return pairwise, doubled, summed, n_leaves, batched, per_dict, stacked, leaves_none


@program(tol=1e-5)
def scan_cumulative_and_map(jax, jnp):
    xs = _data(33, 6, 3)

    def ema(alpha, xs):
        def step(avg, x):
            avg = alpha * avg + (1 - alpha) * x
            return avg, avg
        return jax.lax.scan(step, xs[0], xs[1:])[1]

    def discounted_returns(rewards, gamma=0.9):
        def step(ret, r):
            ret = r + gamma * ret
            return ret, ret
        return jax.lax.scan(step, 0.0, rewards, reverse=True)[1]

    return (jax.jit(ema)(0.8, xs), discounted_returns(jnp.array([1.0, 0.0, 0.0, 2.0])),
            jax.lax.map(lambda x: jnp.linalg.norm(x), xs), jax.lax.associative_scan(jnp.add, xs[:, 0]),
            jax.lax.scan(lambda c, _: (c * 2, c), 1, None, length=4),
            jax.grad(lambda a: ema(a, xs).sum())(0.8))


@program(tol=1e-4)
def linear_algebra(jax, jnp):
    a = _data(34, 4, 4)
    spd = a @ a.T + 4 * np.eye(4, dtype=np.float32)
    b = _data(35, 4, 2)
    q, r = jnp.linalg.qr(a)
    evals, evecs = jnp.linalg.eigh(spd)
    chol = jnp.linalg.cholesky(spd)
    tri = jax.scipy.linalg.solve_triangular(chol, b, lower=True)
    return (jnp.linalg.solve(spd, b), jnp.linalg.inv(spd) @ spd, jnp.abs(q @ r - a).max() < 1e-4,
            evals, jnp.abs(evecs[0]), tri, jnp.linalg.det(spd), jnp.linalg.norm(a, ord="fro"),
            jnp.linalg.svd(a, compute_uv=False), jnp.trace(a), jnp.outer(a[0], a[1]),
            jax.grad(lambda m: jnp.linalg.slogdet(m)[1])(spd))


# -- more user idioms ---------------------------------------------------------------------------
@program(tol=1e-5)
def pytree_class_module(jax, jnp):
    @jax.tree_util.register_pytree_node_class
    class Linear:
        def __init__(self, w, b):
            self.w, self.b = w, b

        def __call__(self, x):
            return x @ self.w + self.b

        def tree_flatten(self):
            return (self.w, self.b), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)

    model = Linear(jnp.ones((3, 2)), jnp.zeros(2))
    grads = jax.grad(lambda m, x: m(x).sum())(model, jnp.arange(3.0))
    model = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, model, grads)
    decayed = jax.tree_util.tree_map_with_path(
        lambda path, p: p * 0.9 if path[-1].key == "kernel" else p,
        {"dense": {"kernel": model.w, "bias": model.b}})
    return model.w, model.b, jax.jit(lambda m, x: m(x))(model, jnp.ones(3)), decayed


@program(tol=1e-5)
def graph_message_passing(jax, jnp):
    senders, receivers = np.array([0, 1, 2, 2, 3]), np.array([1, 2, 0, 3, 1])
    nodes = _data(41, 4, 3)
    w = _data(42, 3, 3) * 0.5

    def layer(w, nodes):
        messages = jax.nn.relu(nodes[senders] @ w)
        summed = jax.ops.segment_sum(messages, receivers, num_segments=4)
        degree = jax.ops.segment_sum(jnp.ones_like(receivers), receivers, num_segments=4)
        return nodes + summed / jnp.maximum(degree, 1)[:, None], jax.ops.segment_max(
            messages, receivers, num_segments=4)

    return jax.jit(layer)(w, nodes), jax.grad(lambda w: layer(w, nodes)[0].sum())(w)


@program(tol=1e-5)
def scalar_types_and_promotion(jax, jnp):
    i = jnp.arange(3)
    return (i * 0.5, i / 2, i // 2, i ** 2, i + True, jnp.float32(1) + 1, 1 + jnp.int8(3),
            jnp.array([1, 2], jnp.uint8) * 2, jnp.sqrt(i), jnp.mean(i), jnp.array(1.0) * 2,
            jnp.ones(2, jnp.float16) * jnp.ones(2, jnp.bfloat16), i.astype(bool).sum(),
            jax.jit(lambda x: jnp.float32(x) / 2)(i), jnp.abs(jnp.int8(-128)),
            jnp.array(True) + 1, jnp.zeros(2, dtype=jnp.bfloat16).dtype == jnp.bfloat16)


@program(tol=1e-5)
def grad_through_scan_and_cond(jax, jnp):
    def f(x):
        def body(c, _):
            c = jax.lax.cond(c.sum() > 1.0, lambda c: c * 0.5, lambda c: c * 1.5, c)
            return c, c.sum()
        c, ys = jax.lax.scan(body, x, None, length=5)
        return ys.sum() + c.sum()

    img = jnp.arange(16.0).reshape(4, 4)

    def bilinear(y, x):
        y0, x0 = jnp.floor(y).astype(int), jnp.floor(x).astype(int)
        y1, x1 = jnp.clip(y0 + 1, 0, 3), jnp.clip(x0 + 1, 0, 3)
        wy, wx = y - y0, x - x0
        return (img[y0, x0] * (1 - wy) * (1 - wx) + img[y1, x0] * wy * (1 - wx)
                + img[y0, x1] * (1 - wy) * wx + img[y1, x1] * wy * wx)

    return (jax.grad(f)(jnp.array([0.3, 0.4])), jax.jit(jax.grad(f))(jnp.array([1.3, 0.4])),
            jax.grad(bilinear, argnums=(0, 1))(1.2, 2.7))


PROGRAM_NAMES = sorted(PROGRAMS)


@pytest.mark.parametrize("name", PROGRAM_NAMES)
def test_program_matches_jax(name):
    fn, tol, x64 = PROGRAMS[name]
    with enable_x64(x64):
        expected = fn(jax, jjnp)
        actual = fn(hlox, hjnp)
    expected_leaves, expected_def = jax.tree_util.tree_flatten(expected)
    actual_leaves, actual_def = jax.tree_util.tree_flatten(actual)
    assert actual_def == expected_def, f"structure {actual_def} != {expected_def}"
    for i, (got, want) in enumerate(zip(actual_leaves, expected_leaves)):
        assert type(got) is type(want) or hasattr(got, "shape") == hasattr(want, "shape"), \
            f"leaf {i}: {type(got)} vs {type(want)}"
        try:
            assert_matches(got, want, rtol=tol, atol=tol, check_weak=True)
        except AssertionError as e:
            raise AssertionError(f"leaf {i}: {e}") from None

