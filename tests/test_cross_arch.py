"""The same bits on x86-64 and aarch64: every path of both builds, compared."""

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "cross_check.sh"
TOOLS = ["g++", "aarch64-linux-gnu-g++", "qemu-aarch64"]


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs g++, g++-aarch64-linux-gnu and qemu-user",
)
def test_x86_and_aarch64_write_same_bits():
    result = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cross check passed" in result.stdout
