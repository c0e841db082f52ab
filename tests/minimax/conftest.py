"""Fixtures shared by the library's tests."""

import os
import subprocess
import sys

import numpy as np
import pytest


@pytest.fixture
def run_with_host_devices(tmp_path):
    """Run a snippet in a fresh Python that sees ``devices`` virtual CPU devices; return the array it saved.

    JAX fixes its device count when it starts, hence the fresh process. The snippet saves one array to
    ``sys.argv[1]`` and prints ``jax.device_count()`` last, which is checked.
    """

    def run(code: str, devices: int) -> np.ndarray:
        path = tmp_path / f"result_{devices}_devices.npy"
        env = {**os.environ, "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}", "JAX_PLATFORMS": "cpu"}
        completed = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True, text=True,
                                   check=True)
        assert completed.stdout.strip().splitlines()[-1] == str(devices)
        return np.load(path)

    return run
