"""Helpers shared by the test modules (imported by name, unlike conftest.py)."""

import os
import subprocess
import sys


def run_python(code: str, env_update: dict) -> subprocess.CompletedProcess:
    """Run `code` in a new interpreter with extra environment variables."""
    env = dict(os.environ)
    env.update(env_update)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
