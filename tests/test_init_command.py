"""Tests of ``fastxavier init``: .npy files written in blocks through a memory map."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import namedtuple

import numpy as np
import pytest

import fastxavier
from fastxavier import __main__ as cli
from fastxavier import _init_command

DTYPES = ["float16", "bfloat16", "float32", "float64"]

# Each case: (--dist, extra options, in-place fill, positional and keyword arguments).
DISTRIBUTIONS = {
    "uniform": (["--gain", "1.5"], fastxavier.uniform_, (), {"gain": 1.5}),
    "normal": (["--fan-in", "40"], fastxavier.normal_, (40,), {}),
    "trunc_normal": (
        ["--mean", "0.5", "--std", "2", "--a=-1", "--b", "3"],
        fastxavier.trunc_normal_,
        (0.5, 2.0, -1.0, 3.0),
        {},
    ),
}

DiskUsage = namedtuple("DiskUsage", "total used free")


def resolve_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def bits(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array).view(f"u{array.dtype.itemsize}")


def load(path, dtype: np.dtype) -> np.ndarray:
    array = np.load(path)
    if array.dtype != dtype:
        array = array.view(dtype)  # bfloat16 is stored as '<V2'
    return array


def expected_fill(dist: str, shape, dtype, seed=3, stream=0) -> np.ndarray:
    _, fill, args, kwargs = DISTRIBUTIONS[dist]
    return fill(np.empty(shape, dtype=dtype), *args, seed=seed, stream=stream, **kwargs)


def init_args(out, shape="37x29", dist="uniform", dtype="float32", *extra) -> list:
    options = DISTRIBUTIONS[dist][0]
    return [
        "--shape",
        shape,
        "--dtype",
        dtype,
        "--dist",
        dist,
        "--seed",
        "3",
        "--out",
        str(out),
        *options,
        *extra,
    ]


def run_init(*args) -> int:
    return _init_command.main([str(arg) for arg in args])


def fail_after_first_block(error: BaseException, seen: list):
    """Return a uniform_ stand-in that raises `error` on any block after the first.

    It records the directory listing when it raises, so a test can check that the
    temporary file existed then.
    """

    def fill(array, *args, index=None, **kwargs):
        if index is not None and index[0].start > 0:
            directory = os.path.dirname(os.path.abspath(array.filename))
            seen.extend(os.listdir(directory))
            raise error
        return fastxavier.uniform_(array, *args, index=index, **kwargs)

    return fill


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_init_command, "BLOCK_BYTES", 1000)


# ---- files equal the in-memory fill --------------------------------------------------


@pytest.mark.parametrize("dist", list(DISTRIBUTIONS))
@pytest.mark.parametrize("dtype_name", DTYPES)
def test_file_equals_fill(tmp_path, dtype_name, dist):
    dtype = resolve_dtype(dtype_name)
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out, "37x29", dist, dtype_name)) == 0
    written = load(out, dtype)
    assert written.shape == (37, 29)
    np.testing.assert_array_equal(
        bits(written), bits(expected_fill(dist, (37, 29), dtype))
    )


@pytest.mark.parametrize(
    ("shape_text", "shape"),
    [("64x50", (64, 50)), ("3x300", (3, 300)), ("5x7x3x3", (5, 7, 3, 3))],
)
@pytest.mark.parametrize("dist", list(DISTRIBUTIONS))
def test_several_blocks_equal_fill(
    tmp_path, small_blocks, monkeypatch, dist, shape_text, shape
):
    calls = []
    _, fill, _, _ = DISTRIBUTIONS[dist]

    def counting_fill(array, *args, **kwargs):
        calls.append(kwargs["index"])
        return fill(array, *args, **kwargs)

    monkeypatch.setitem(_init_command.FILLS, dist, counting_fill)
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out, shape_text, dist, "float64")) == 0
    # One call checks the options on one element, then one call per block.
    assert len(calls) > 3
    np.testing.assert_array_equal(
        bits(np.load(out)), bits(expected_fill(dist, shape, np.float64))
    )


def test_stream_name_equals_hashed_stream(tmp_path):
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out), "--stream", "layer.0.weight") == 0
    stream = fastxavier.stream_of_name("layer.0.weight")
    np.testing.assert_array_equal(
        bits(np.load(out)),
        bits(expected_fill("uniform", (37, 29), np.float32, stream=stream)),
    )


def test_one_dimensional_shape_with_fans(tmp_path):
    out = tmp_path / "w.npy"

    assert (
        run_init(
            *init_args(out, "1000", "uniform"), "--fan-in", "10", "--fan-out", "20"
        )
        == 0
    )
    expected = fastxavier.uniform_(np.empty(1000, np.float32), 10, 20, gain=1.5, seed=3)
    np.testing.assert_array_equal(bits(np.load(out)), bits(expected))


@pytest.mark.parametrize(
    ("shape", "itemsize", "block_bytes"),
    [
        ((64, 50), 4, 1000),
        ((3, 300), 4, 1000),
        ((5, 7, 3, 3), 8, 100),
        ((10,), 2, 4),
        ((4, 4), 8, 1 << 20),
        ((2, 3), 8, 1),
    ],
)
def test_row_blocks_cover_array_in_order(shape, itemsize, block_bytes):
    flat = np.arange(np.prod(shape)).reshape(shape)
    covered = []

    for index, nbytes in _init_command.row_blocks(shape, itemsize, block_bytes):
        block = flat[index]
        assert nbytes == block.size * itemsize
        assert nbytes <= max(block_bytes, itemsize)
        covered.extend(block.ravel().tolist())

    assert covered == list(range(flat.size))


# ---- output and progress -------------------------------------------------------------


def test_summary_line(tmp_path, capsys):
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 0
    summary = capsys.readouterr().out.strip()
    assert re.fullmatch(
        rf"wrote {re.escape(str(out))}: shape 37x29, float32, 4,292 bytes in "
        r"\d+\.\d\d s \(\d+\.\d\d GB/s\)",
        summary,
    ), summary


def test_progress_bar_counts_bytes(tmp_path, capsys):
    pytest.importorskip("tqdm")
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 0
    assert "100%" in capsys.readouterr().err


def test_missing_tqdm_prints_note(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes "import tqdm" fail
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 0
    error = capsys.readouterr().err
    assert "tqdm is not installed, so no progress bar is shown" in error
    assert "%" not in error
    np.testing.assert_array_equal(
        bits(np.load(out)), bits(expected_fill("uniform", (37, 29), np.float32))
    )


def test_bfloat16_file_loads_as_void(tmp_path, capsys):
    dtype = resolve_dtype("bfloat16")
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out, dtype="bfloat16")) == 0
    raw = np.load(out)
    assert raw.dtype == np.dtype("V2")
    np.testing.assert_array_equal(
        bits(raw.view(dtype)), bits(expected_fill("uniform", (37, 29), dtype))
    )
    assert "numpy.load(path).view(ml_dtypes.bfloat16)" in capsys.readouterr().err


def test_file_mode_follows_umask(tmp_path):
    out = tmp_path / "w.npy"
    mask = os.umask(0o027)
    try:
        assert run_init(*init_args(out)) == 0
    finally:
        os.umask(mask)

    assert out.stat().st_mode & 0o777 == 0o640


def test_module_command_runs_init(tmp_path):
    out = tmp_path / "w.npy"
    result = subprocess.run(
        [sys.executable, "-m", "fastxavier", "init", *init_args(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out}: shape 37x29")
    np.testing.assert_array_equal(
        bits(np.load(out)), bits(expected_fill("uniform", (37, 29), np.float32))
    )


def test_main_dispatches_init(tmp_path):
    out = tmp_path / "w.npy"

    assert cli.main(["init", *init_args(out)]) == 0
    assert out.exists()


def test_help_exits_zero(capsys):
    assert run_init("--help") == 0
    assert "--shape" in capsys.readouterr().out


# ---- existing files ------------------------------------------------------------------


def test_existing_out_rejected_without_force(tmp_path, capsys):
    out = tmp_path / "w.npy"
    out.write_bytes(b"old")

    assert run_init(*init_args(out)) == 2
    assert (
        f"--out '{out}' exists; pass --force to replace it" in capsys.readouterr().err
    )
    assert out.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["w.npy"]


def test_force_replaces_existing_out(tmp_path):
    out = tmp_path / "w.npy"
    out.write_bytes(b"old")

    assert run_init(*init_args(out), "--force") == 0
    np.testing.assert_array_equal(
        bits(np.load(out)), bits(expected_fill("uniform", (37, 29), np.float32))
    )


# ---- failures leave nothing behind ---------------------------------------------------


def test_failure_midway_leaves_no_file(tmp_path, small_blocks, monkeypatch):
    seen: list = []
    failing = fail_after_first_block(RuntimeError("injected failure"), seen)
    monkeypatch.setitem(_init_command.FILLS, "uniform", failing)
    out = tmp_path / "w.npy"

    with pytest.raises(RuntimeError, match="injected failure"):
        run_init(*init_args(out))
    assert any(name.startswith(".w.npy.") and name.endswith(".part") for name in seen)
    assert os.listdir(tmp_path) == []


def test_failure_with_force_keeps_old_file(tmp_path, small_blocks, monkeypatch):
    failing = fail_after_first_block(RuntimeError("injected failure"), [])
    monkeypatch.setitem(_init_command.FILLS, "uniform", failing)
    out = tmp_path / "w.npy"
    out.write_bytes(b"old")

    with pytest.raises(RuntimeError):
        run_init(*init_args(out), "--force")
    assert out.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["w.npy"]


def test_os_error_midway_exits_1(tmp_path, small_blocks, monkeypatch, capsys):
    disk_full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setitem(
        _init_command.FILLS, "uniform", fail_after_first_block(disk_full, [])
    )
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 1
    error = capsys.readouterr().err
    assert f"writing {out} failed: No space left on device" in error
    assert f"nothing written to {out}" in error
    assert os.listdir(tmp_path) == []


def test_too_little_free_space_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        _init_command.shutil, "disk_usage", lambda path: DiskUsage(10_000, 9_000, 1_000)
    )
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 1
    error = capsys.readouterr().err
    assert "not enough free space: the array needs 4,292 bytes" in error
    assert "1,000 bytes free" in error
    assert os.listdir(tmp_path) == []


def test_keyboard_interrupt_midway_exits_130(
    tmp_path, small_blocks, monkeypatch, capsys
):
    seen: list = []
    monkeypatch.setitem(
        _init_command.FILLS,
        "uniform",
        fail_after_first_block(KeyboardInterrupt(), seen),
    )
    out = tmp_path / "w.npy"

    assert run_init(*init_args(out)) == 130
    assert f"interrupted; nothing written to {out}" in capsys.readouterr().err
    assert any(name.endswith(".part") for name in seen)
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
def test_sigint_exits_130_promptly(tmp_path):
    # 32768 x 32768 float32 is 4 GiB. Blocks are allocated on disk as they are
    # filled, so the run interrupted after about a second uses far less.
    if shutil.disk_usage(tmp_path).free < 10 << 30:
        pytest.skip("needs 10 GiB of free disk space in the temporary directory")
    out = tmp_path / "w.npy"
    command = [
        sys.executable,
        "-m",
        "fastxavier",
        "init",
        "--shape",
        "32768x32768",
        "--seed",
        "1",
        "--out",
        str(out),
    ]
    started = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        while not any(name.endswith(".part") for name in os.listdir(tmp_path)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() - started < 60, "the temporary file never appeared"
            time.sleep(0.01)
        time.sleep(max(0.2, started + 1.0 - time.monotonic()))
        assert process.poll() is None, "the 4 GiB write ended before the signal"

        process.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        _, error = process.communicate(timeout=30)
        stop_seconds = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 130, error
    assert stop_seconds < 1.5
    assert f"interrupted; nothing written to {out}" in error
    assert os.listdir(tmp_path) == []


# ---- invalid options ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--shape", "4x4", "--out", "w.npy"],
            "the following arguments are required: --seed",
        ),
        (
            ["--shape", "4x4", "--seed", "1"],
            "the following arguments are required: --out",
        ),
        (
            ["--shape", "4y4", "--seed", "1", "--out", "w.npy"],
            "invalid shape '4y4'; expected integers joined by 'x'",
        ),
        (
            ["--shape", "4x0", "--seed", "1", "--out", "w.npy"],
            "invalid shape '4x0'; expected every extent >= 1",
        ),
        (
            ["--shape", "4294967296x4294967297", "--seed", "1", "--out", "w.npy"],
            "argument --shape: invalid shape '4294967296x4294967297'; it has "
            "18446744078004518912 elements, more than 2**64, the length of a stream",
        ),
        (
            ["--shape", "x".join(["1"] * 70), "--seed", "1", "--out", "w.npy"],
            "argument --shape: invalid shape '1x1x1",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--dtype", "int8"],
            "argument --dtype: invalid choice: 'int8'",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--dist", "cauchy"],
            "argument --dist: invalid choice: 'cauchy'",
        ),
        (
            ["--shape", "4x4", "--seed", "-1", "--out", "w.npy"],
            "argument --seed: invalid value -1; expected an integer in [0, 2**64)",
        ),
        (
            ["--shape", "4x4", "--seed", "x", "--out", "w.npy"],
            "argument --seed: invalid value 'x'; expected an integer",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--threads", "0"],
            "argument --threads: invalid value 0; expected an integer >= 1",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--fan-in", "0"],
            "argument --fan-in: invalid value 0; expected an integer >= 1",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--stream", str(2**64)],
            "argument --stream: invalid value 18446744073709551616",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npz"],
            "--out 'w.npz' is invalid; expected a path ending in .npy",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "no-such-dir/w.npy"],
            "the directory",
        ),
        (
            [
                "--shape",
                "4x4",
                "--seed",
                "1",
                "--out",
                "w.npy",
                "--dist",
                "trunc_normal",
                "--gain",
                "2",
            ],
            "--gain applies only to --dist uniform and normal, not to --dist "
            "trunc_normal",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--mean", "1"],
            "--mean applies only to --dist trunc_normal, not to --dist uniform",
        ),
        (
            ["--shape", "100", "--seed", "1", "--out", "w.npy", "--dist", "normal"],
            "--shape 100 has 1 dimension, so --dist normal cannot take fans from it",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--gain", "-1"],
            "gain=-1.0 is invalid; expected a finite number >= 0",
        ),
        (
            [
                "--shape",
                "4x4",
                "--seed",
                "1",
                "--out",
                "w.npy",
                "--dist",
                "trunc_normal",
                "--a",
                "2",
                "--b",
                "1",
            ],
            "a=2.0 and b=1.0 are invalid; expected a < b",
        ),
        (
            [
                "--shape",
                "4x4",
                "--seed",
                "1",
                "--out",
                "w.npy",
                "--dist",
                "trunc_normal",
                "--std",
                "0",
            ],
            "std=0.0 is invalid; expected a finite number > 0",
        ),
        (
            ["--shape", "4x4", "--seed", "1", "--out", "w.npy", "--no-such-option"],
            "unrecognized arguments: --no-such-option",
        ),
    ],
)
def test_invalid_options_exit_2(tmp_path, monkeypatch, capsys, arguments, message):
    monkeypatch.chdir(tmp_path)

    assert run_init(*arguments) == 2
    error = capsys.readouterr().err
    assert "fastxavier init: error:" in error
    assert message in error
    assert "global_shape" not in error
    assert os.listdir(tmp_path) == []


def test_bfloat16_without_ml_dtypes_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)

    assert run_init(*init_args(tmp_path / "w.npy", dtype="bfloat16")) == 2
    assert "--dtype bfloat16 needs the ml_dtypes package" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
