"""Tensor-parallel shard fills across 2 gloo processes on loopback equal a full fill."""

import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")
dist = pytest.importorskip("torch.distributed")

import fastxavier.torch as ft  # noqa: E402

WORLD_SIZE = 2
# 15 columns per rank make row-parallel shards start mid-row, and split the
# Box-Muller pairs of xavier_normal_ between ranks.
GLOBAL_SHAPE = (64, 30)
SEED = 20240601
STREAM = "decoder.layers.3.mlp.weight"
TIMEOUT_SECONDS = 120
FILLS = ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_")

# Each rank fills its shard of the weight, split by rows (column-parallel Linear) and
# by columns (row-parallel Linear), all-gathers the shards and saves what it gathered.
WORKER = """
import os, sys
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist

import fastxavier.torch as ft

rank = int(os.environ["RANK"])
world = int(os.environ["WORLD_SIZE"])
global_shape = {shape}
out_features, in_features = global_shape
dist.init_process_group("gloo", rank=rank, world_size=world,
                        timeout=timedelta(seconds=60))


def gather(shard, dim):
    parts = [torch.empty_like(shard) for _ in range(world)]
    dist.all_gather(parts, shard)
    return torch.cat(parts, dim).numpy()


gathered = {{}}
for name in {fills}:
    fill = getattr(ft, name)
    rows = out_features // world
    shard = torch.empty(rows, in_features)
    fill(shard, seed={seed}, stream={stream!r}, global_shape=global_shape,
         index=(slice(rank * rows, (rank + 1) * rows),))
    gathered[name + "rows"] = gather(shard, 0)

    columns = in_features // world
    shard = torch.empty(out_features, columns)
    fill(shard, seed={seed}, stream={stream!r}, global_shape=global_shape,
         index=(slice(None), slice(rank * columns, (rank + 1) * columns)))
    gathered[name + "columns"] = gather(shard, 1)

dist.barrier()
dist.destroy_process_group()
np.savez(os.path.join(sys.argv[1], f"rank{{rank}}.npz"), **gathered)
"""


def loopback_interface():
    """Return the name of the loopback interface, or None."""
    for _, name in socket.if_nameindex():
        if name.startswith("lo"):
            return name
    return None


def free_loopback_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_environment(rank, port, interface):
    env = dict(os.environ)
    env.update(
        {
            "RANK": str(rank),
            "WORLD_SIZE": str(WORLD_SIZE),
            "MASTER_ADDR": "127.0.0.1",
            "MASTER_PORT": str(port),
            # Keeps gloo's connections on loopback instead of the host name's address.
            "GLOO_SOCKET_IFNAME": interface,
        }
    )
    return env


def run_workers(output_dir, interface):
    """Run one process per rank and fail unless all exit 0 within TIMEOUT_SECONDS."""
    code = WORKER.format(shape=GLOBAL_SHAPE, fills=FILLS, seed=SEED, stream=STREAM)
    port = free_loopback_port()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(output_dir)],
            env=worker_environment(rank, port, interface),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rank in range(WORLD_SIZE)
    ]
    deadline = time.monotonic() + TIMEOUT_SECONDS
    outputs = []
    try:
        for process in processes:
            remaining = max(deadline - time.monotonic(), 1.0)
            outputs.append(process.communicate(timeout=remaining))
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
            process.communicate()
        pytest.fail(f"{WORLD_SIZE} gloo workers timed out after {TIMEOUT_SECONDS} s")
    for rank, (process, (_, stderr)) in enumerate(zip(processes, outputs)):
        assert process.returncode == 0, f"rank {rank} failed:\n{stderr}"


def full_fill(name):
    full = torch.empty(GLOBAL_SHAPE)
    return getattr(ft, name)(full, seed=SEED, stream=STREAM).numpy()


@pytest.fixture(scope="module")
def gathered(tmp_path_factory):
    if not dist.is_available():
        pytest.skip("torch.distributed is not available in this build")
    if not dist.is_gloo_available():
        pytest.skip("the gloo backend is not available in this build")
    interface = loopback_interface()
    if interface is None:
        pytest.skip("no loopback network interface found")
    output_dir = tmp_path_factory.mktemp("gloo")
    run_workers(output_dir, interface)
    return [dict(np.load(output_dir / f"rank{rank}.npz")) for rank in range(WORLD_SIZE)]


@pytest.mark.slow
@pytest.mark.parametrize("name", FILLS)
@pytest.mark.parametrize("split", ["rows", "columns"])
@pytest.mark.parametrize("rank", range(WORLD_SIZE))
def test_gathered_shards_equal_full_fill(gathered, name, split, rank):
    actual = gathered[rank][name + split]
    expected = full_fill(name)
    assert actual.shape == expected.shape
    mismatch = np.flatnonzero(actual.view(np.int32) != expected.view(np.int32))
    assert mismatch.size == 0, f"rank {rank}: first differing flat index {mismatch[:1]}"


def test_full_fill_halves_differ():
    # Guards the test above: a shard fill that ignored index would gather the same
    # block twice, which cannot equal the full fill.
    full = full_fill("xavier_uniform_")
    assert not np.array_equal(full[:32], full[32:])
    assert not np.array_equal(full[:, :15], full[:, 15:])
