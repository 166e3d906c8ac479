"""Fills write in place: no temporary the size of the array."""

import json

import pytest
from _support import run_python

# Fills a 4 GiB float32 buffer after touching every page, and reports how far each
# fill raised the peak resident set size (ru_maxrss, KiB on Linux).
SCRIPT = """
import json, resource, numpy as np, fastxavier
array = np.empty(1 << 30, dtype=np.float32)
array.fill(0.0)
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
growth = {}
for name, fill in (
    ("uniform_", lambda: fastxavier.uniform_(array, 100, 100, seed=1)),
    ("normal_", lambda: fastxavier.normal_(array, 100, 100, seed=1)),
    ("trunc_normal_", lambda: fastxavier.trunc_normal_(array, seed=1)),
):
    before = peak()
    fill()
    growth[name] = peak() - before
print(json.dumps(growth))
"""


@pytest.mark.slow
def test_four_gib_fill_peak_rss():
    result = run_python(SCRIPT, {})
    assert result.returncode == 0, result.stderr
    growth_kib = json.loads(result.stdout)
    for name, kib in growth_kib.items():
        assert kib < 16 * 1024, f"{name} raised peak RSS by {kib} KiB"
