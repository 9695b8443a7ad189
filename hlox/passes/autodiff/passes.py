"""hlox-jvp, hlox-vjp and hlox-grad as registered passes (options in DESIGN.md)."""
from __future__ import annotations

from hlox.passes.autodiff import forward, reverse
from hlox.passes.registry import register
from hlox.passes.transforms import TRANSFORMS, transform_options

_IMPLEMENTATIONS = {"hlox-jvp": forward.jvp, "hlox-vjp": reverse.vjp, "hlox-grad": reverse.grad}


def _pass(transform):
    def run(module, options):
        transform(module, options.func, wrt=options.wrt, name=options.name)
    return run


for _name, _transform in _IMPLEMENTATIONS.items():
    register(_name, description=TRANSFORMS[_name][0], options=transform_options(_name),
             replace=True)(_pass(_transform))
