"""Time the main job's Xavier fill of a GPT-2 model against a torch.nn.init loop.

Both fill the same preallocated, pre-faulted float32 weight buffers of the model (the
2-D weights only), alternating over repetitions, and the script prints the medians and
their ratio. torch writes through torch.from_numpy views, so neither side allocates.

    python bench/gpt2_vs_torch.py --model gpt2-xl --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import fastxavier
from fastxavier._mainjob import MODELS, gpt2_tensors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="gpt2-xl")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions")
    args = parser.parse_args()

    import torch

    weights = [spec.shape for spec in gpt2_tensors(args.model) if len(spec.shape) == 2]
    arrays = [np.zeros(shape, dtype=np.float32) for shape in weights]
    tensors = [torch.from_numpy(array) for array in arrays]

    def fastxavier_fill() -> None:
        for stream, array in enumerate(arrays):
            fastxavier.uniform_(array, seed=0, stream=stream)

    def torch_fill() -> None:
        for tensor in tensors:
            torch.nn.init.xavier_uniform_(tensor)

    times: dict[str, list[float]] = {"fastxavier": [], "torch": []}
    for _ in range(args.repeat):
        for name, function in (("fastxavier", fastxavier_fill), ("torch", torch_fill)):
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)

    parameters = sum(array.size for array in arrays)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"{args.model}: {len(arrays)} weights, {parameters:,} parameters, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads"
    )
    for name, median in medians.items():
        print(f"  {name:10s} median {median:8.3f} s over {args.repeat} runs")
    print(
        f"  fastxavier is {medians['torch'] / medians['fastxavier']:.1f} times faster"
    )


if __name__ == "__main__":
    main()
