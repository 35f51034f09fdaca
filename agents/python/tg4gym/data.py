"""Your own market data from Python: a pandas DataFrame or a dict of columns, sent to the server as columns (wire
arrays) in the env's `data` kwarg, where it is validated like a candle CSV (docs/server.md, "Your own data").

Columns: time (a DatetimeIndex, or a column named time/timestamp/date: datetimes, or numbers in s/ms/us since the
epoch, read as the CSV loader reads them), open, high, low, close, volume; optional trades and vwap; every other numeric
column is an extra input of the feature spec (a `sentiment` column feeds the regime score). pandas is needed only when
a DataFrame is passed."""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .wire import encode_array

REQUIRED = ("open", "high", "low", "close", "volume")
TIME_NAMES = ("time", "timestamp", "date")
# The server's bounds (src/server/client-data.ts); checked here too so that a mistake fails before any upload.
MAX_ROWS = 1_000_000
MAX_COLUMNS = 64
MAX_NAME_LENGTH = 64


class DataColumnsError(ValueError):
    code = "DATA_ERROR"


def _is_dataframe(x: Any) -> bool:
    return type(x).__name__ == "DataFrame" and hasattr(x, "columns") and hasattr(x, "index")


def _columns_of(frame: Any) -> dict:
    """A DataFrame's columns as numpy arrays, with its DatetimeIndex as `time` when it has one."""
    cols = {str(k): frame[k].to_numpy() for k in frame.columns}
    index = frame.index
    if "datetime64" in str(getattr(index, "dtype", "")) and not any(n in cols for n in TIME_NAMES):
        cols = {"time": index.to_numpy(), **cols}
    return cols


def _time_ms(values: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(values)
    if a.dtype.kind == "M":
        ms = a.astype("datetime64[ms]")
        if np.isnat(ms).any():
            raise DataColumnsError(f"column {name!r}: row {int(np.argmax(np.isnat(ms)))} has no time (NaT)")
        return ms.astype(np.int64).astype(np.float64)
    if a.dtype.kind in "iuf":
        return a.astype(np.float64)  # seconds, ms or us: the server reads them as the CSV loader does
    if a.dtype.kind == "O" and len(a) and hasattr(a[0], "timestamp"):
        return np.array([v.timestamp() * 1000.0 for v in a], dtype=np.float64)
    raise DataColumnsError(f"column {name!r} must hold datetimes or numbers since the epoch (got dtype {a.dtype})")


def encode_columns(columns: Mapping[str, Any]) -> dict:
    """{"columns": {name: float64 wire array}} from a dict of equal-length 1-D columns (or a DataFrame)."""
    cols = _columns_of(columns) if _is_dataframe(columns) else {str(k): v for k, v in columns.items()}
    time_name = next((n for n in TIME_NAMES if n in cols), None)
    if time_name is None:
        raise DataColumnsError(f"no time column: name one of {', '.join(TIME_NAMES)} or give the DataFrame a DatetimeIndex "
                               f"(columns: {', '.join(list(cols)[:10])})")
    missing = [n for n in REQUIRED if n not in cols]
    if missing:
        raise DataColumnsError(f"missing column(s) {', '.join(missing)}: candles need {', '.join(REQUIRED)} besides time")
    if len(cols) > MAX_COLUMNS:
        raise DataColumnsError(f"{len(cols)} columns is over the limit of {MAX_COLUMNS}: send the ones the features use")
    out: dict = {}
    rows = None
    for name, values in cols.items():
        if len(name) > MAX_NAME_LENGTH or not name:
            raise DataColumnsError(f"column name {name[:80]!r} must be 1..{MAX_NAME_LENGTH} characters")
        a = np.asarray(values)
        if a.ndim != 1:
            raise DataColumnsError(f"column {name!r} must be one-dimensional (got shape {a.shape})")
        if rows is None:
            rows = len(a)
        elif len(a) != rows:
            raise DataColumnsError(f"column {name!r} has {len(a)} rows where the others have {rows}")
        if name == time_name:
            a = _time_ms(a, name)
            name = "time"
        elif a.dtype.kind in "biuf":
            a = a.astype(np.float64)
        else:
            raise DataColumnsError(f"column {name!r} is not numeric (dtype {a.dtype}): send numbers, or leave it out")
        out[name] = encode_array(a)
    if not rows:
        raise DataColumnsError("the data has no rows")
    if rows > MAX_ROWS:
        raise DataColumnsError(f"{rows} rows is over the limit of {MAX_ROWS:,}: send a slice (or resample to a longer timeframe)")
    return {"columns": out}


def encode_data(value: Any) -> Any:
    """The `data` kwarg on the wire: a name/path/URL as is; a DataFrame or dict of columns as columns; a list of them
    (one per symbol, Portfolio-v0) as a list."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [encode_data(v) for v in value]
    if _is_dataframe(value) or isinstance(value, Mapping):
        if isinstance(value, Mapping) and "columns" in value and isinstance(value["columns"], Mapping):
            return value  # already encoded
        return encode_columns(value)
    raise DataColumnsError(f"data must be 'bundled', a pandas DataFrame or a dict of columns (got {type(value).__name__})")
