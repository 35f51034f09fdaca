"""Wire format of protocol v1 (docs/protocol.md): msgpack maps; arrays as {dtype, shape, data} with raw
little-endian, row-major bytes. Needs only msgpack and numpy."""
from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

PROTOCOL_VERSION = 1

# Wire dtype name -> numpy dtype (explicitly little-endian).
DTYPES: dict[str, np.dtype] = {
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
    "int8": np.dtype("i1"),
    "int16": np.dtype("<i2"),
    "int32": np.dtype("<i4"),
    "int64": np.dtype("<i8"),
    "uint8": np.dtype("u1"),
    "uint16": np.dtype("<u2"),
    "uint32": np.dtype("<u4"),
    "bool": np.dtype("?"),
}
_NAMES = {np.dtype(v).newbyteorder("="): k for k, v in DTYPES.items()}


def dtype_name(dtype: np.dtype) -> str:
    """The wire name of a numpy dtype; raises TypeError for dtypes the protocol does not carry (float16, complex, ...)."""
    d = np.dtype(dtype).newbyteorder("=")
    if d not in _NAMES:
        raise TypeError(f"dtype {dtype} cannot travel on the wire: use one of {', '.join(DTYPES)}")
    return _NAMES[d]


def encode_array(arr: Any, dtype: Any = None) -> dict:
    """A numpy array (or anything np.asarray takes) as a wire array; cast to `dtype` when given."""
    a = np.asarray(arr) if dtype is None else np.asarray(arr, dtype=dtype)
    name = dtype_name(a.dtype)
    a = np.ascontiguousarray(a, dtype=DTYPES[name])
    return {"dtype": name, "shape": list(a.shape), "data": a.tobytes()}


def is_wire_array(x: Any) -> bool:
    return isinstance(x, dict) and len(x) == 3 and isinstance(x.get("data"), (bytes, bytearray)) and "dtype" in x and "shape" in x


def decode_array(w: dict) -> np.ndarray:
    """A writable numpy array with the wire array's values (a copy: msgpack's bytes are read-only)."""
    dtype = DTYPES.get(w["dtype"])
    if dtype is None:
        raise ValueError(f"unknown wire dtype {w['dtype']!r}")
    return np.frombuffer(w["data"], dtype=dtype).reshape(w["shape"]).copy()


def decode_value(x: Any) -> Any:
    """Decodes every wire array inside a reply value (infos, call results) into numpy arrays."""
    if is_wire_array(x):
        return decode_array(x)
    if isinstance(x, dict):
        return {k: decode_value(v) for k, v in x.items()}
    if isinstance(x, list):
        return [decode_value(v) for v in x]
    return x


def pack(msg: dict) -> bytes:
    return msgpack.packb(msg, use_bin_type=True)


def unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)
