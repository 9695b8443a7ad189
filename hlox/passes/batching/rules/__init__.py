"""The batching rule table, filled by importing each family of rules."""
from hlox.passes.batching.rules import core  # noqa: F401
from hlox.passes.batching.rules import indexing_conv  # noqa: F401
from hlox.passes.batching.rules import control  # noqa: F401,E402
from hlox.passes.batching.rules import linalg  # noqa: F401,E402  (after indexing_conv: custom_call)
from hlox.passes.batching.rules import callbacks  # noqa: F401,E402  (after linalg: custom_call)
