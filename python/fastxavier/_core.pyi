import numpy as np

def fill(
    array: np.ndarray,
    distribution: int,
    seed: int,
    stream: int,
    threads: int,
    *,
    param: float = 0.0,
    mean: float = 0.0,
    half_limit: int = 0,
    truncation: tuple[float, float, float, float, float] | None = None,
    first: int = 0,
    block_base: int = 0,
    index_strides: tuple[int, ...] | list[int] | None = None,
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
