"""Tests of the ``fastxavier bench`` comparison command, in its quick mode."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from fastxavier import _bench


def run_quick(tmp_path, *extra: str) -> dict:
    path = tmp_path / "bench.json"
    status = _bench.main(["--quick", "--json", str(path), *extra])
    assert status == 0
    return json.loads(path.read_text(encoding="utf-8"))


def test_quick_json_has_baseline_and_fastxavier(tmp_path, capsys):
    document = run_quick(tmp_path)
    results = document["results"]
    fill = [r for r in results if r["name"] == _bench.BASELINE]
    ours = [r for r in results if r["library"] == "fastxavier"]
    quick_sizes = [_bench.parse_size(s) for s in _bench.QUICK_SIZES.split(",")]

    assert [r["size_bytes"] for r in fill] == quick_sizes
    assert len(ours) == 4 * len(quick_sizes)
    for record in fill + ours:
        assert record["median_s"] > 0, record
        assert len(record["times_s"]) == 1, record
        assert record["gb_per_s"] > 0, record
    for record in fill:
        assert record["ratio_to_fill"] == 1.0
    assert document["environment"]["repeat"] == 1
    assert "x fill" in capsys.readouterr().out


def test_quick_only_keeps_baseline(tmp_path):
    document = run_quick(tmp_path, "--only", "fastxavier-normal-1t", "--repeat", "3")
    names = {r["name"] for r in document["results"]}

    assert names == {_bench.BASELINE, "fastxavier-normal-1t"}
    assert all(len(r["times_s"]) == 3 for r in document["results"])


def test_unknown_only_name_exits_with_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _bench.main(["--quick", "--only", "fastxavier,no-such-thing"])

    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "unknown --only name(s) no-such-thing" in error
    assert "fastxavier-uniform" in error


@pytest.mark.parametrize("library", ["mkl_random", "jax"])
def test_missing_library_is_skipped_with_note(tmp_path, library):
    if importlib.util.find_spec(library) is not None:
        pytest.skip(f"{library} is installed")
    document = run_quick(tmp_path, "--only", library)

    assert {r["name"] for r in document["results"]} == {_bench.BASELINE}
    assert any(note.startswith(f"skipped {library}:") for note in document["skipped"])


def test_plot_without_matplotlib_exits_early(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes the import fail
    with pytest.raises(SystemExit) as exit_info:
        _bench.main(["--quick", "--plot", str(tmp_path / "plot.png")])

    assert exit_info.value.code == 2
    assert "--plot needs matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "plot.png").exists()


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "plot.png"
    run_quick(tmp_path, "--only", "fastxavier-uniform", "--plot", str(path))

    assert path.read_bytes().startswith(b"\x89PNG")


def test_unallocatable_size_returns_one(capsys):
    # 2**50 bytes exceed the user address space of x86-64 and arm64 Linux (47 or
    # 48 bits by default), so the allocation fails at once even with overcommit.
    status = _bench.main(["--sizes", "1048576GiB", "--only", "fill"])

    assert status == 1
    assert "out of memory" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4096", 4096),
        ("64KiB", 64 * 2**10),
        ("4MiB", 4 * 2**20),
        ("1GiB", 2**30),
        ("1gb", 10**9),
        ("2 MB", 2 * 10**6),
        ("12B", 12),
    ],
)
def test_parse_size_units(text, expected):
    assert _bench.parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MiB", "1.5GiB", "-4", "4TiB", "4 Mi B"])
def test_parse_size_rejects_invalid(text):
    with pytest.raises(ValueError, match="invalid size"):
        _bench.parse_size(text)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "6", "--dtype", "float32"], "multiple of the float32 item size"),
        (["--sizes", "4KiB", "--repeat", "0"], "invalid --repeat 0"),
        (["--sizes", "4KiB", "--threads", "0"], "invalid --threads 0"),
        (["--sizes", ","], "expected at least one size"),
    ],
)
def test_invalid_options_exit_with_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        _bench.main(argv)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
