"""Env kwargs from Python to the wire: snake_case option names become the TypeScript envs' camelCase names at every
level of nesting (executor={"fee_rate": 0.002} -> executor={"feeRate": 0.002}), so that a Python call sends exactly what
`tg4 train --kwargs '{"executor": {"feeRate": 0.002}}'` passes to the env. The values of a few options are specs in
their own language and travel verbatim: reward names (log_return, differential_sharpe), feature specs (base_timeframe,
rolling_zscore), and data sent as columns (column names are the user's)."""
from __future__ import annotations

import re
from typing import Any, Optional

# Options whose value is not an options map (keys in camelCase as the env's schema names them).
VERBATIM = frozenset({"reward", "features", "featureMatrix", "featureMatrices"})

# Env ids whose sessions use the chronological train split by default, as `tg4 train --env tg4/Trading-v0` trains on it
# (agents/common/trading-run.ts): validation and test bars stay unseen unless asked for with range=. Portfolio-v0 too,
# for the same reason (the CLI's Portfolio path passes no range yet, so it still trains on every bar).
SPLIT_ENV_PREFIXES = ("tg4/Trading", "tg4/Portfolio")
DEFAULT_RANGE = "train"


def camel(key: str) -> str:
    return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), key)


def _convert(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k) if isinstance(k, str) else k: _option(camel(k) if isinstance(k, str) else k, v)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_convert(v) for v in value]
    return value


def _option(name: Any, value: Any) -> Any:
    if name == "data":
        from .data import encode_data  # pandas-free unless a DataFrame is passed
        return encode_data(value)
    if name in VERBATIM:
        return value
    return _convert(value)


def to_wire_kwargs(kwargs: Optional[dict]) -> dict:
    """The env's kwargs as the server expects them (camelCase option names at every level; specs and data verbatim)."""
    return _convert(dict(kwargs or {}))


def with_default_range(env_id: str, kwargs: dict) -> dict:
    """kwargs with range="train" added for the trading envs when no range was given (range="all" asks for every bar)."""
    if env_id.startswith(SPLIT_ENV_PREFIXES) and "range" not in kwargs:
        return {**kwargs, "range": DEFAULT_RANGE}
    return kwargs
