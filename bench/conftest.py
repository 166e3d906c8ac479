"""Registers the ``huge`` marker of the benchmarks in this folder and skips its
cases when benchmarks are disabled."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "huge: uses a 1 GiB buffer; deselect with -m 'not huge'",
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    # With benchmarks disabled each case runs once as a smoke test, and a 1 GiB case
    # would only add allocation time, so it is skipped. pytest-benchmark disables
    # them for --benchmark-disable unless --benchmark-enable is also given.
    disabled = config.getoption("benchmark_disable", default=False)
    enabled = config.getoption("benchmark_enable", default=False)
    if not disabled or enabled:
        return
    skip = pytest.mark.skip(reason="1 GiB case skipped under --benchmark-disable")
    for item in items:
        if item.get_closest_marker("huge") is not None:
            item.add_marker(skip)
