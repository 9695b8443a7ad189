"""The multi-device suite runs in its own process started with 8 CPU devices (as JAX's CPU
tests get theirs): the device count is fixed when a process first creates its client."""
import os
import subprocess
import sys
from pathlib import Path


def test_multidevice_suite_on_8_cpu_devices():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8",
               HLOX_MULTIDEVICE="1")
    here = Path(__file__).parent
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(here / "multidevice")], env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
