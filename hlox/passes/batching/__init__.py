"""Batching (vmap) as a pass over StableHLO (see DESIGN.md, "Pass conventions")."""
from hlox.passes.batching import rules  # noqa: F401  (fills the rule table)
from hlox.passes.batching.common import BATCH_RULES  # noqa: F401
from hlox.passes.batching.core import batch  # noqa: F401
