"""The rule tables, filled by importing each family of rules."""
from hlox.passes.autodiff.rules import calls, control, elementwise, structural  # noqa: F401
from hlox.passes.autodiff.rules import convolution, windows, linalg  # noqa: F401,E402
from hlox.passes.autodiff.rules import indexing  # noqa: F401,E402
from hlox.passes.autodiff.rules import fft  # noqa: F401,E402
from hlox.passes.autodiff.rules import lapack  # noqa: F401,E402  (the custom_call rule)
from hlox.passes.autodiff.rules import collectives  # noqa: F401,E402
from hlox.passes.autodiff.rules import manual_computation  # noqa: F401,E402  (shard_map)
