# The lit suite of hlox's tools: `lit -v tests/lit` (tests/test_lit.py runs it under pytest).
import os
import sys
import tempfile

import lit.formats

config.name = "hlox"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
# %t files go to the temp dir, not into the source tree.
config.test_exec_root = os.path.join(tempfile.gettempdir(), f"hlox-lit-{os.getuid()}")
config.excludes = ["Inputs"]

python = sys.executable
bindir = os.path.dirname(python)
filecheck = os.path.join(bindir, "filecheck")
if not os.path.exists(filecheck):
    lit_config.fatal("the `filecheck` package is not installed next to " + python)

# Tool names as whole words in RUN lines (not inside paths such as tests/lit/hlox-opt/x.mlir).
config.substitutions.append((r"(?<![\w/.-])hlox-opt(?![\w/.-])", f'"{python}" -m hlox.tools.opt'))
config.substitutions.append((r"(?<![\w/.-])hlox-run(?![\w/.-])", f'"{python}" -m hlox.tools.run'))
config.substitutions.append((r"(?<![\w/.-])FileCheck(?![\w/.-])", f'"{filecheck}"'))
config.substitutions.append(("%python", f'"{python}"'))
config.substitutions.append(("%examples", os.path.join(os.path.dirname(os.path.dirname(config.test_source_root)),
                                                       "examples")))

for name in ("HOME", "PATH", "TMPDIR", "PYTHONPATH", "XLA_FLAGS", "JAX_PLATFORMS"):
    if name in os.environ:
        config.environment[name] = os.environ[name]
