import numpy as np

def fill(
    array: np.ndarray,
    distribution: int,
    param: float,
    seed: int,
    stream: int,
    first: int,
    block_base: int,
    threads: int,
) -> None: ...
def xavier_fill(
    array: object,
    fan_in: object,
    fan_out: object,
    gain: object,
    seed: object,
    stream: object,
    threads: object,
    distribution: int,
) -> np.ndarray: ...
def isa() -> str: ...
def supported_isas() -> list[str]: ...
def get_num_threads() -> int: ...
def set_num_threads(threads: int) -> None: ...
def affinity_cpu_count() -> int: ...
