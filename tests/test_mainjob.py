"""Tests of the main job that ``python -m fastxavier`` runs without a subcommand."""

import math
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest

import fastxavier
from fastxavier import __main__ as cli
from fastxavier import _mainjob
from fastxavier._mainjob import TensorSpec

VOCAB_SIZE = 50257
CONTEXT_LENGTH = 1024

# Parameter counts of the GPT-2 models with the output head tied to the token
# embedding; test_parameter_count_matches_formula derives them from the sizes.
PARAMETERS = {
    "gpt2": 124_439_808,
    "gpt2-medium": 354_823_168,
    "gpt2-large": 774_030_080,
    "gpt2-xl": 1_557_611_200,
}

WIDTHS_AND_LAYERS = {
    "gpt2": (768, 12),
    "gpt2-medium": (1024, 24),
    "gpt2-large": (1280, 36),
    "gpt2-xl": (1600, 48),
}

TABLE_LABELS = [
    "model",
    "dtype",
    "distribution",
    "threads",
    "ISA",
    "tensors",
    "parameters",
    "init wall time",
    "throughput",
    "ndarray.fill",
    "ratio to fill",
    "max std deviation",
]


def run_cli(*args, env_update=None):
    env = dict(os.environ)
    env.update(env_update or {})
    return subprocess.run(
        [sys.executable, "-m", "fastxavier", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def table_value(output, label):
    match = re.search(rf"^  {re.escape(label)} +(.+)$", output, re.MULTILINE)
    assert match is not None, f"row {label!r} missing from output:\n{output}"
    return match.group(1)


def std_deviation_percent(output):
    value = table_value(output, "max std deviation")
    return float(value.split(" %")[0])


@pytest.mark.parametrize("model", list(PARAMETERS))
def test_parameter_count_per_model(model):
    specs = _mainjob.gpt2_tensors(model)
    assert _mainjob.count_parameters(specs) == PARAMETERS[model]


@pytest.mark.parametrize("model", list(PARAMETERS))
def test_parameter_count_matches_formula(model):
    width, layers = WIDTHS_AND_LAYERS[model]
    # Per block: qkv 3d*d + 3d, projection d*d + d, MLP 4d*d + 4d and 4d*d + d,
    # two layer norms 4d. Outside: both embeddings and the final layer norm.
    per_block = 12 * width * width + 13 * width
    outside = (VOCAB_SIZE + CONTEXT_LENGTH + 2) * width
    assert layers * per_block + outside == PARAMETERS[model]


def test_gpt2_tensor_shapes():
    specs = {spec.name: spec for spec in _mainjob.gpt2_tensors("gpt2")}
    assert len(specs) == 2 + 12 * 12 + 2
    assert specs["wte.weight"].shape == (50257, 768)
    assert specs["wpe.weight"].shape == (1024, 768)
    assert specs["h.0.ln_1.weight"].shape == (768,)
    assert specs["h.0.attn.c_attn.weight"].shape == (2304, 768)
    assert specs["h.0.attn.c_attn.bias"].shape == (2304,)
    assert specs["h.0.attn.c_proj.weight"].shape == (768, 768)
    assert specs["h.0.attn.c_proj.bias"].shape == (768,)
    assert specs["h.11.ln_2.bias"].shape == (768,)
    assert specs["h.11.mlp.c_fc.weight"].shape == (3072, 768)
    assert specs["h.11.mlp.c_fc.bias"].shape == (3072,)
    assert specs["h.11.mlp.c_proj.weight"].shape == (768, 3072)
    assert specs["h.11.mlp.c_proj.bias"].shape == (768,)
    assert specs["ln_f.weight"].shape == (768,)
    assert "h.12.ln_1.weight" not in specs


def test_gpt2_tensor_inits():
    for spec in _mainjob.gpt2_tensors("gpt2"):
        if len(spec.shape) == 2:
            assert spec.init == _mainjob.XAVIER, spec.name
        elif ".ln_" in spec.name or spec.name.startswith("ln_f"):
            expected = "ones" if spec.name.endswith(".weight") else "zeros"
            assert spec.init == expected, spec.name
        else:
            assert spec.name.endswith(".bias"), spec.name
            assert spec.init == "zeros", spec.name


def test_fill_init_values_and_streams():
    specs = [
        TensorSpec("a.weight", (96, 64), _mainjob.XAVIER),
        TensorSpec("a.bias", (96,), "zeros"),
        TensorSpec("n.weight", (64,), "ones"),
        TensorSpec("b.weight", (32, 96), _mainjob.XAVIER),
    ]
    arrays = _mainjob.allocate(specs, "float32")
    _mainjob.fill_init(specs, arrays, "normal", seed=5, threads=2)

    expected_a = fastxavier.normal_(np.empty((96, 64), np.float32), seed=5, stream=0)
    expected_b = fastxavier.normal_(np.empty((32, 96), np.float32), seed=5, stream=3)
    np.testing.assert_array_equal(arrays[0], expected_a)
    np.testing.assert_array_equal(arrays[1], np.zeros(96, np.float32))
    np.testing.assert_array_equal(arrays[2], np.ones(64, np.float32))
    np.testing.assert_array_equal(arrays[3], expected_b)


def test_empirical_std_matches_numpy():
    rng = np.random.default_rng(3)
    array = rng.normal(0.25, 2.0, size=(37, 29)).astype(np.float32)
    chunk = np.empty(64, dtype=np.float64)  # 1073 elements: 16 full chunks and a part
    result = _mainjob.empirical_std(array, chunk)
    assert result == pytest.approx(np.std(array, dtype=np.float64), rel=1e-12)


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_expected_std_is_xavier_std(distribution):
    expected = math.sqrt(2.0 / (768 + 3072))
    result = _mainjob.expected_std((3072, 768), distribution)
    assert result == pytest.approx(expected, rel=1e-15)


def test_check_std_names_scaled_weight():
    specs = [
        TensorSpec("good.weight", (256, 256), _mainjob.XAVIER),
        TensorSpec("good.bias", (256,), "zeros"),
        TensorSpec("scaled.weight", (256, 256), _mainjob.XAVIER),
    ]
    arrays = _mainjob.allocate(specs, "float64")
    _mainjob.fill_init(specs, arrays, "uniform", seed=1, threads=1)
    arrays[2] *= 1.1

    check = _mainjob.check_std(specs, arrays, "uniform")
    assert check.name == "scaled.weight"
    assert check.deviation == pytest.approx(0.1, abs=0.01)
    assert check.standard_error == pytest.approx(math.sqrt(0.8 / (4 * 256 * 256)))


def test_available_memory_reads_meminfo(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(
        "MemTotal:  8000 kB\nMemFree:  1000 kB\nMemAvailable:  2048 kB\n"
    )
    assert _mainjob.available_memory_bytes(str(meminfo)) == 2048 * 1024


def test_available_memory_falls_back_to_sysconf(tmp_path, monkeypatch):
    values = {"SC_AVPHYS_PAGES": 10, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(_mainjob.os, "sysconf", values.__getitem__)
    missing = str(tmp_path / "no-meminfo")
    assert _mainjob.available_memory_bytes(missing) == 10 * 4096


def test_available_memory_unknown(tmp_path, monkeypatch):
    def unsupported(name):
        raise ValueError(f"unrecognized configuration name {name}")

    monkeypatch.setattr(_mainjob.os, "sysconf", unsupported)
    assert _mainjob.available_memory_bytes(str(tmp_path / "no-meminfo")) is None


def test_memory_margin_leaves_room():
    available = 10 << 30
    usable = _mainjob.usable_memory_bytes(available)
    assert usable == int(available * 0.9) - (256 << 20)
    assert _mainjob.usable_memory_bytes(100 << 20) == 0
    assert _mainjob.memory_error("gpt2", "float32", usable, available) is None
    assert _mainjob.memory_error("gpt2", "float32", usable + 1, available) is not None


def test_main_rejects_model_too_large(monkeypatch, capsys):
    def fail_allocate(specs, dtype):
        raise AssertionError("allocate called although the model does not fit")

    monkeypatch.setattr(_mainjob, "available_memory_bytes", lambda: 1000)
    monkeypatch.setattr(_mainjob, "allocate", fail_allocate)
    status = cli.main(["--model", "gpt2-xl", "--dtype", "float64"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert "not enough memory for model gpt2-xl in float64" in captured.err
    assert f"{1_557_611_200 * 8:,} bytes" in captured.err
    assert "1,000 bytes of available memory" in captured.err
    assert "smaller --model" in captured.err
    assert "--dtype float32" in captured.err


def test_main_float32_rejection_omits_dtype_hint(monkeypatch, capsys):
    monkeypatch.setattr(_mainjob, "available_memory_bytes", lambda: 1000)
    status = cli.main(["--model", "gpt2"])

    captured = capsys.readouterr()
    assert status == 2
    assert f"{124_439_808 * 4:,} bytes" in captured.err
    assert "smaller --model" in captured.err
    assert "--dtype" not in captured.err


def test_main_job_subprocess_gpt2():
    result = run_cli("--model", "gpt2", "--threads", "2")

    assert result.returncode == 0, result.stderr
    for label in TABLE_LABELS:
        table_value(result.stdout, label)
    assert table_value(result.stdout, "model") == "gpt2"
    assert table_value(result.stdout, "threads") == "2"
    assert table_value(result.stdout, "ISA") == fastxavier.isa()
    assert table_value(result.stdout, "parameters").startswith("124,439,808 ")
    assert table_value(result.stdout, "tensors").startswith("148 ")
    assert float(table_value(result.stdout, "ratio to fill")) > 0
    # The smallest weight has 589,824 values, so one standard error of its std is
    # 0.058 %; 0.5 % is over 8 standard errors.
    assert std_deviation_percent(result.stdout) < 0.5
    assert "Each timing is one pass over all tensors" in result.stdout
    assert len(result.stdout.splitlines()) <= 24


def test_main_job_normal_float64(capsys):
    status = cli.main(["--dist", "normal", "--dtype", "float64", "--threads", "1"])

    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert table_value(captured.out, "distribution") == "normal"
    assert table_value(captured.out, "dtype") == "float64"
    assert table_value(captured.out, "parameters").startswith("124,439,808 (1.00 GB)")
    assert std_deviation_percent(captured.out) < 0.5


def test_main_warns_when_memory_unknown(monkeypatch, capsys):
    monkeypatch.setattr(_mainjob, "available_memory_bytes", lambda: None)
    status = cli.main(["--threads", "2"])

    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "available memory is unknown" in captured.err
    assert table_value(captured.out, "model") == "gpt2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--threads", "0"], "--threads: invalid value 0; expected an integer >= 1"),
        (["--threads", "two"], "argument --threads: invalid value 'two'"),
        (["--model", "nope"], "argument --model: invalid choice: 'nope'"),
        (["--dist", "cauchy"], "argument --dist: invalid choice: 'cauchy'"),
        (["--dtype", "float16"], "argument --dtype: invalid choice: 'float16'"),
        (["--seed", "-1"], "argument --seed: invalid value -1"),
        (["--seed", str(1 << 64)], "expected an integer in [0, 2**64)"),
        (["--unknown"], "unrecognized arguments: --unknown"),
    ],
)
def test_main_rejects_bad_option(args, message, capsys):
    status = cli.main(args)

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert message in captured.err


def test_cli_bad_threads_exit_status():
    result = run_cli("--threads", "0")

    assert result.returncode == 2
    assert "--threads: invalid value 0" in result.stderr
    assert result.stdout == ""


def test_cli_bad_thread_environment():
    result = run_cli(env_update={"FASTXAVIER_NUM_THREADS": "many"})

    assert result.returncode == 2
    assert "FASTXAVIER_NUM_THREADS='many' is invalid" in result.stderr
    assert result.stdout == ""


def test_main_help_lists_options(capsys):
    status = cli.main(["--help"])

    output = capsys.readouterr().out
    assert status == 0
    for option in ["--model", "--dist", "--seed", "--threads", "--dtype"]:
        assert option in output


def test_bench_subcommand_dispatch(monkeypatch):
    received = []

    def bench_main(args):
        received.append(args)
        return 7

    stub = types.ModuleType("fastxavier._bench")
    stub.main = bench_main
    monkeypatch.setitem(sys.modules, "fastxavier._bench", stub)

    assert cli.main(["bench", "--quick", "x"]) == 7
    assert received == [["--quick", "x"]]
