"""Space descriptions from the wire (docs/protocol.md, "Spaces") as gymnasium.spaces objects, exactly: same type,
shape, dtype, bounds (null = infinity), n/start. Imports Gymnasium when called."""
from __future__ import annotations

from typing import Any

import numpy as np


def to_gymnasium(desc: dict, seed: Any = None):
    from gymnasium import spaces

    t = desc["type"]
    if t == "Box":
        dtype = np.dtype(desc["dtype"])
        low = np.array([-np.inf if v is None else v for v in desc["low"]], dtype=np.float64).reshape(desc["shape"])
        high = np.array([np.inf if v is None else v for v in desc["high"]], dtype=np.float64).reshape(desc["shape"])
        if dtype.kind != "f":
            # Integer Boxes carry finite integer bounds; keep them exact in the Box's own dtype.
            low, high = low.astype(dtype), high.astype(dtype)
        else:
            low, high = low.astype(dtype), high.astype(dtype)
        return spaces.Box(low=low, high=high, shape=tuple(desc["shape"]), dtype=dtype, seed=seed)
    if t == "Discrete":
        return spaces.Discrete(int(desc["n"]), seed=seed, start=int(desc["start"]))
    if t == "MultiDiscrete":
        return spaces.MultiDiscrete(np.array(desc["nvec"], dtype=desc["dtype"]), dtype=np.dtype(desc["dtype"]), seed=seed,
                                    start=np.array(desc["start"], dtype=desc["dtype"]))
    if t == "MultiBinary":
        n = desc["n"]
        return spaces.MultiBinary(n[0] if len(n) == 1 else list(n), seed=seed)
    if t == "Dict":
        return spaces.Dict({k: to_gymnasium(v) for k, v in desc["spaces"].items()}, seed=seed)
    if t == "Tuple":
        return spaces.Tuple([to_gymnasium(v) for v in desc["spaces"]], seed=seed)
    raise ValueError(f"unknown space type {t!r} in a space description")
