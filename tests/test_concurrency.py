"""Fills from several Python threads at once, and in a forked child."""

import os
import threading

import numpy as np
import pytest
from _support import run_python

import fastxavier


def expected_fill(seed, size=500_000):
    return fastxavier.uniform_(
        np.empty(size, dtype=np.float32), 10, 10, seed=seed, threads=1
    )


def test_eight_python_threads():
    outputs = [np.empty(500_000, dtype=np.float32) for _ in range(8)]
    errors = []
    barrier = threading.Barrier(8)

    def work(index):
        try:
            barrier.wait()
            for _ in range(5):
                fastxavier.uniform_(outputs[index], 10, 10, seed=index, threads=2)
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    for index, output in enumerate(outputs):
        assert output.tobytes() == expected_fill(index).tobytes(), f"thread {index}"


def test_threads_release_the_gil():
    # A fill on one thread must not stop another Python thread from running.
    big = np.empty(40_000_000, dtype=np.float32)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)

    thread = threading.Thread(target=ticker)
    thread.start()
    fastxavier.normal_(big, 10, 10, seed=1, threads=1)
    done.set()
    thread.join()
    assert len(ticks) > 100


def test_seedless_calls_use_new_streams():
    fastxavier.manual_seed(77)
    a = fastxavier.uniform_(np.empty(1000, dtype=np.float32), 3, 3)
    b = fastxavier.uniform_(np.empty(1000, dtype=np.float32), 3, 3)
    assert a.tobytes() != b.tobytes()
    fastxavier.manual_seed(77)
    again = fastxavier.uniform_(np.empty(1000, dtype=np.float32), 3, 3)
    assert again.tobytes() == a.tobytes()
    assert fastxavier.initial_seed() == 77


def test_seedless_call_equals_explicit_stream():
    fastxavier.manual_seed(5)
    fastxavier.uniform_(np.empty(10, dtype=np.float32), 3, 3)
    second = fastxavier.uniform_(np.empty(10, dtype=np.float32), 3, 3)
    explicit = fastxavier.uniform_(
        np.empty(10, dtype=np.float32), 3, 3, seed=5, stream=1
    )
    assert second.tobytes() == explicit.tobytes()


def test_seedless_calls_from_threads_never_repeat():
    fastxavier.manual_seed(11)
    results = [None] * 16

    def work(index):
        results[index] = fastxavier.uniform_(np.empty(64, dtype=np.float32), 3, 3)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({result.tobytes() for result in results}) == 16


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fill_in_forked_child():
    # Start the pool in the parent first, so the child inherits a pool whose workers
    # do not exist there.
    parent = fastxavier.normal_(
        np.empty(2_000_000, dtype=np.float32), 5, 5, seed=3, threads=2
    )
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 1
        try:
            child = fastxavier.normal_(
                np.empty(2_000_000, dtype=np.float32), 5, 5, seed=3, threads=2
            )
            status = 0 if child.tobytes() == parent.tobytes() else 3
        finally:
            os.write(write_end, bytes([status]))
            os._exit(status)
    os.close(write_end)
    reported = os.read(read_end, 1)
    os.close(read_end)
    _, wait_status = os.waitpid(pid, 0)
    assert reported == b"\x00"
    assert os.waitstatus_to_exitcode(wait_status) == 0


def test_exit_while_daemon_thread_fills():
    # Interpreter shutdown ends a daemon thread that is inside a fill when it takes
    # the GIL back; that must not abort the process.
    code = (
        "import threading, time, numpy as np, fastxavier\n"
        "def fill_forever():\n"
        "    w = np.empty((2048, 2048), np.float32)\n"
        "    while True:\n"
        "        fastxavier.uniform_(w, seed=0)\n"
        "threading.Thread(target=fill_forever, daemon=True).start()\n"
        "time.sleep(0.2)\n"
    )
    for _ in range(3):
        result = run_python(code, {})
        assert result.returncode == 0, result.stderr
