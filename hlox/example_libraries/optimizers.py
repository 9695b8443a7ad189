"""`hlox.example_libraries.optimizers`, as jax.example_libraries.optimizers: first-order
optimizers as (init, update, get_params) triples over pytrees of parameters, learning-rate
schedules, and gradient helpers (`l2_norm`, `clip_grads`).

An optimizer is written for one array (`opt_maker` returns per-array functions whose state may
be any pytree); `@optimizer` lifts it to a pytree of parameters. The lifted state is an
`OptimizerState`: the leaves of each parameter's state (`packed_state`), the parameters' tree
structure and each state's structure."""
from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Callable
from typing import Any, NamedTuple

from hlox import numpy as jnp
from hlox import tree_util
from hlox.numerics.sequences import safe_map, safe_zip, unzip2

map = safe_map
zip = safe_zip

Array = Any
Params = Any  # a pytree of arrays
State = Any  # one parameter's optimizer state (itself a pytree)
Updates = Params  # gradients: the same structure as the parameters
Step = int
Schedule = Callable[[Step], float]

OptimizerState = namedtuple("OptimizerState", ["packed_state", "tree_def", "subtree_defs"])
tree_util.register_pytree_node(
    OptimizerState,
    lambda state: ((state.packed_state,), (state.tree_def, state.subtree_defs)),
    lambda aux, children: OptimizerState(children[0], *aux))

InitFn = Callable[[Params], OptimizerState]
UpdateFn = Callable[[Step, Updates, OptimizerState], OptimizerState]
ParamsFn = Callable[[OptimizerState], Params]


class Optimizer(NamedTuple):
    init_fn: InitFn
    update_fn: UpdateFn
    params_fn: ParamsFn


def _pack(tree_def, states) -> OptimizerState:
    leaves, subtree_defs = unzip2(tree_util.tree_flatten(s) for s in states)
    return OptimizerState(tuple(leaves), tree_def, subtree_defs)


def _unpack(opt_state: OptimizerState) -> list:
    return [tree_util.tree_unflatten(d, leaves)
            for d, leaves in zip(opt_state.subtree_defs, opt_state.packed_state)]


def optimizer(opt_maker: Callable[..., tuple[Callable[[Params], State],
                                              Callable[[Step, Updates, Params], Params],
                                              Callable[[State], Params]]]
              ) -> Callable[..., Optimizer]:
    """Decorator: lift an optimizer written for one array to pytrees of parameters."""

    @functools.wraps(opt_maker)
    def tree_opt_maker(*args, **kwargs) -> Optimizer:
        init, update, get_params = opt_maker(*args, **kwargs)

        @functools.wraps(init)
        def tree_init(x0_tree):
            x0_leaves, tree_def = tree_util.tree_flatten(x0_tree)
            return _pack(tree_def, [init(x0) for x0 in x0_leaves])

        @functools.wraps(update)
        def tree_update(i, grad_tree, opt_state):
            grads, grad_def = tree_util.tree_flatten(grad_tree)
            if grad_def != opt_state.tree_def:
                raise TypeError(
                    "optimizer update function was passed a gradient tree that did not match "
                    "the parameter tree structure with which it was initialized: parameter "
                    f"tree {opt_state.tree_def} and grad tree {grad_def}.")
            states = map(functools.partial(update, i), grads, _unpack(opt_state))
            return _pack(opt_state.tree_def, states)

        @functools.wraps(get_params)
        def tree_get_params(opt_state):
            params = map(get_params, _unpack(opt_state))
            return tree_util.tree_unflatten(opt_state.tree_def, params)

        return Optimizer(tree_init, tree_update, tree_get_params)
    return tree_opt_maker


# -- the optimizers: each returns per-array (init, update, get_params) -------------------------
def _first(state):
    return state[0]


@optimizer
def sgd(step_size):
    """Stochastic gradient descent: x <- x - step_size(i) * g."""
    step_size = make_schedule(step_size)

    def update(i, g, x):
        return x - step_size(i) * g
    return (lambda x0: x0), update, (lambda x: x)


def _with_velocity(step_size, mass, nesterov_lookahead):
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0)

    def update(i, g, state):
        x, velocity = state
        velocity = mass * velocity + g
        direction = mass * velocity + g if nesterov_lookahead else velocity
        return x - step_size(i) * direction, velocity
    return init, update, _first


@optimizer
def momentum(step_size: Schedule, mass: float):
    """Heavy-ball momentum: v <- mass * v + g; x <- x - step_size(i) * v."""
    return _with_velocity(step_size, mass, nesterov_lookahead=False)


@optimizer
def nesterov(step_size: Schedule, mass: float):
    """Nesterov momentum: v <- mass * v + g; x <- x - step_size(i) * (mass * v + g)."""
    return _with_velocity(step_size, mass, nesterov_lookahead=True)


def _inverse_sqrt_where_positive(accumulator):
    return jnp.where(accumulator > 0, 1.0 / jnp.sqrt(accumulator), 0.0)


@optimizer
def adagrad(step_size, momentum=0.9):
    """Adagrad (Duchi et al. 2011) with momentum on the scaled gradient."""
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        m = (1.0 - momentum) * (g * _inverse_sqrt_where_positive(g_sq)) + momentum * m
        return x - step_size(i) * m, g_sq, m
    return init, update, _first


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
    """RMSProp: divide the step by a running root-mean-square of the gradients."""
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0)

    def update(i, g, state):
        x, avg_sq_grad = state
        avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1.0 - gamma)
        return x - step_size(i) * g / jnp.sqrt(avg_sq_grad + eps), avg_sq_grad
    return init, update, _first


@optimizer
def rmsprop_momentum(step_size, gamma=0.9, eps=1e-8, momentum=0.9):
    """RMSProp whose scaled steps accumulate in a momentum term."""
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)

    def update(i, g, state):
        x, avg_sq_grad, mom = state
        avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1.0 - gamma)
        mom = momentum * mom + step_size(i) * g / jnp.sqrt(avg_sq_grad + eps)
        return x - mom, avg_sq_grad, mom
    return init, update, _first


def _bias_correction(beta, i, dtype):
    """1 - beta**(i+1): the weight that unbiases a moment estimate after step i."""
    return 1 - jnp.asarray(beta, dtype) ** (i + 1)


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """Adam (Kingma and Ba 2014): bias-corrected first and second moment estimates."""
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)

    def update(i, g, state):
        x, m, v = state
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * jnp.square(g) + b2 * v
        m_hat = m / _bias_correction(b1, i, m.dtype)
        v_hat = v / _bias_correction(b2, i, m.dtype)
        return x - step_size(i) * m_hat / (jnp.sqrt(v_hat) + eps), m, v
    return init, update, _first


@optimizer
def adamax(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """AdaMax (section 7 of the Adam paper): Adam with the infinity norm for the second
    moment."""
    step_size = make_schedule(step_size)

    def init(x0):
        return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)

    def update(i, g, state):
        x, m, u = state
        m = (1 - b1) * g + b1 * m
        u = jnp.maximum(b2 * u, jnp.abs(g))
        corrected_step = step_size(i) / _bias_correction(b1, i, m.dtype)
        return x - corrected_step * m / (u + eps), m, u
    return init, update, _first


def _along_axis(ndim, vector, axis):
    """`vector` shaped to broadcast along `axis` of an ndim-dimensional array."""
    return jnp.reshape(vector, tuple(-1 if d == axis else 1 for d in range(ndim)))


@optimizer
def sm3(step_size, momentum=0.9):
    """SM3 (Anil et al. 2019): memory-efficient adaptive steps keeping one accumulator vector
    per axis; the per-entry accumulator is the minimum of the vectors covering it."""
    step_size = make_schedule(step_size)

    def init(x0):
        x_shape = x0.shape
        x0 = jnp.atleast_1d(x0)
        vs = [jnp.zeros(size, dtype=x0.dtype) for size in x0.shape]
        return x0, jnp.zeros_like(x0), vs, x_shape

    def update(i, g, state):
        x, m, vs, x_shape = state
        g = jnp.reshape(g, x.shape)
        covers = [_along_axis(x.ndim, v, axis) for axis, v in enumerate(vs)]
        accumulator = functools.reduce(jnp.minimum, covers) + jnp.square(g)
        m = (1.0 - momentum) * (g * _inverse_sqrt_where_positive(accumulator)) + momentum * m
        x = x - step_size(i) * m
        vs = [jnp.max(accumulator, axis=tuple(d for d in range(x.ndim) if d != axis))
              for axis in range(x.ndim)]
        return x, m, vs, x_shape

    def get_params(state):
        x, _, _, x_shape = state
        return jnp.reshape(x, x_shape)
    return init, update, get_params


# -- learning-rate schedules: step number -> step size -----------------------------------------
def constant(step_size) -> Schedule:
    def schedule(i):
        return step_size
    return schedule


def exponential_decay(step_size, decay_steps, decay_rate):
    def schedule(i):
        return step_size * decay_rate ** (i / decay_steps)
    return schedule


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
    def schedule(i):
        elapsed = jnp.floor(i / decay_steps) if staircase else i / decay_steps
        return step_size / (1 + decay_rate * elapsed)
    return schedule


def polynomial_decay(step_size, decay_steps, final_step_size, power=1.0):
    def schedule(i):
        fraction_left = 1 - jnp.minimum(i, decay_steps) / decay_steps
        return fraction_left ** power * (step_size - final_step_size) + final_step_size
    return schedule


def piecewise_constant(boundaries: Any, values: Any):
    """values[k] for steps in (boundaries[k-1], boundaries[k]]."""
    boundaries, values = jnp.array(boundaries), jnp.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError("boundaries and values must be sequences")
    if not boundaries.shape[0] == values.shape[0] - 1:
        raise ValueError("boundaries length must be one shorter than values length")

    def schedule(i):
        return values[jnp.sum(i > boundaries)]
    return schedule


def make_schedule(scalar_or_schedule: float | Schedule) -> Schedule:
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    if jnp.ndim(scalar_or_schedule) == 0:
        return constant(scalar_or_schedule)
    raise TypeError(type(scalar_or_schedule))


# -- gradient helpers --------------------------------------------------------------------------
def l2_norm(tree):
    """The Euclidean norm of all the leaves of `tree` taken together."""
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in tree_util.tree_leaves(tree)))


def clip_grads(grad_tree, max_norm):
    """Scale `grad_tree` down so that its l2_norm is at most `max_norm`."""
    norm = l2_norm(grad_tree)

    def clip(g):
        return jnp.where(norm < max_norm, g, g * (max_norm / norm))
    return tree_util.tree_map(clip, grad_tree)


# -- optimizer states as nested pytrees (for saving and restoring) -----------------------------
class JoinPoint:
    """A leaf of an unpacked optimizer state: one parameter's state, kept whole, at the place
    of that parameter in the parameter tree."""

    def __init__(self, subtree):
        self.subtree = subtree

    def __iter__(self):
        yield self.subtree


def unpack_optimizer_state(opt_state):
    """An OptimizerState as the parameter tree whose leaves are JoinPoints of each state."""
    join_points = [JoinPoint(state) for state in _unpack(opt_state)]
    return tree_util.tree_unflatten(opt_state.tree_def, join_points)


def pack_optimizer_state(marked_pytree):
    """The inverse of unpack_optimizer_state."""
    join_points, tree_def = tree_util.tree_flatten(marked_pytree)
    assert all(isinstance(p, JoinPoint) for p in join_points)
    return _pack(tree_def, [p.subtree for p in join_points])
