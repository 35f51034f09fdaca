"""A TG4 bot strategy plugin that asks `tg4 policy serve` for its signals, so that the bot runs promoted policies.

Plugin shape (the bot's): STRATEGY_NAME, STRATEGY_VERSION, SYMBOLS, CONFIG and generate_signal(data, config, state).
The server (ZeroMQ REP, plain msgpack maps; docs/live.md) keeps the features, the policy's paper portfolio and the
trading rules; this module sends it the closed bars it has not seen yet and returns the bot's signal dict. A registry
alias served with `tg4 policy serve --policy name@champion` is hot-swapped on the server: the bot needs no restart.

Fail closed: when the server cannot be reached, answers late or refuses, the signal is "hold" with an "error" field,
never a trade. Needs pyzmq and msgpack.
"""
from __future__ import annotations

import math
from typing import Any

import msgpack
import zmq

STRATEGY_NAME = "tg4gym"
STRATEGY_VERSION = "1.0.0"
SYMBOLS = ["BTC/USD"]
CONFIG: dict[str, Any] = {
    "address": "tcp://127.0.0.1:5556",  # where `tg4 policy serve` listens
    "timeout_ms": 2000,  # per request; a late answer is a hold
    "max_bars": 5000,  # bars sent on the first call (the server's warm-up)
}

_COLUMNS = ("open", "high", "low", "close", "volume")


def _ms(t: Any) -> int:
    """A bar time as ms since the epoch: ms or s numbers, datetime/Timestamp objects."""
    if hasattr(t, "timestamp"):
        return int(round(t.timestamp() * 1000))
    v = float(t)
    return int(round(v * 1000)) if v < 1e11 else int(round(v))


def _rows(candles: Any) -> list[list[float]]:
    """Closed bars as [time ms, open, high, low, close, volume]: a pandas DataFrame, a list of dicts or of lists."""
    if hasattr(candles, "to_dict") and hasattr(candles, "columns"):  # pandas DataFrame
        cols = {c.lower(): c for c in candles.columns}
        tcol = cols.get("timestamp") or cols.get("time") or cols.get("date")
        times = list(candles[tcol]) if tcol is not None else list(candles.index)
        data = [list(candles[cols[c]]) for c in _COLUMNS]
        return [[_ms(times[i])] + [float(d[i]) for d in data] for i in range(len(times))]
    out = []
    for c in candles:
        if isinstance(c, dict):
            t = c.get("timestamp", c.get("time"))
            out.append([_ms(t)] + [float(c[k]) for k in _COLUMNS])
        else:
            out.append([_ms(c[0])] + [float(x) for x in c[1:6]])
    return out


def _hold(symbol: str, price: float | None, error: str) -> dict[str, Any]:
    return {
        "strategy": STRATEGY_NAME,
        "symbol": symbol,
        "action": "hold",
        "price": price,
        "stop_loss": None,
        "take_profit": None,
        "error": error,
    }


def _request(config: dict[str, Any], state: dict[str, Any], msg: dict[str, Any]) -> dict[str, Any]:
    """One REQ/REP round trip; a timeout closes the socket (a REQ socket cannot be reused after a lost answer)."""
    sock = state.get("_socket")
    if sock is None:
        ctx = state.setdefault("_context", zmq.Context.instance())
        sock = ctx.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(config.get("address", CONFIG["address"]))
        state["_socket"] = sock
    sock.send(msgpack.packb(msg, use_bin_type=True))
    if not sock.poll(int(config.get("timeout_ms", CONFIG["timeout_ms"])), zmq.POLLIN):
        sock.close(0)
        state["_socket"] = None
        raise TimeoutError(f"no answer from {config.get('address', CONFIG['address'])} within {config.get('timeout_ms')} ms")
    return msgpack.unpackb(sock.recv(), raw=False)


def _one(symbol: str, candles: Any, config: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    try:
        rows = _rows(candles)
    except (KeyError, TypeError, ValueError, IndexError) as e:
        return _hold(symbol, None, f"bars not understood: {e}")
    if not rows:
        return _hold(symbol, None, "no bars")
    price = rows[-1][4]
    if any(not all(math.isfinite(x) for x in r) for r in rows):
        return _hold(symbol, price, "a bar has a NaN or infinite value")
    sent = state.setdefault("_last_sent", {})
    last = sent.get(symbol)
    new = [r for r in rows if last is None or r[0] > last]
    if last is None:
        new = new[-int(config.get("max_bars", CONFIG["max_bars"])):]
    if not new:
        return dict(state.get("_last_signal", {}).get(symbol) or _hold(symbol, price, "no new closed bar"))
    try:
        reply = _request(config, state, {"op": "signal", "symbol": symbol, "bars": new})
    except Exception as e:  # noqa: BLE001 - any transport failure is a hold, never a trade
        return _hold(symbol, price, f"policy server: {e}")
    if not reply.get("ok"):
        return _hold(symbol, price, f"policy server refused: {reply.get('error')}")
    sent[symbol] = new[-1][0]
    sig = reply["signal"]
    out = {
        "strategy": STRATEGY_NAME,
        "symbol": symbol,
        "action": sig["action"] if reply.get("ready") else "hold",
        "price": sig["price"],
        "stop_loss": sig["stop_loss"],
        "take_profit": sig["take_profit"],
        "metadata": {"policy": reply.get("policy"), "target_exposure": reply.get("target"), "bar_time": reply.get("bar_time")},
    }
    state.setdefault("_last_signal", {})[symbol] = out
    return out


def generate_signal(data: Any, config: dict[str, Any] | None = None, state: dict[str, Any] | None = None) -> Any:
    """The bot's entry point. `data`: closed candles of one symbol (config["symbol"] or SYMBOLS[0]), or a dict
    {symbol: candles}; `state`: a dict the bot keeps between calls. Returns the signal dict (or a dict of them)."""
    cfg = {**CONFIG, **(config or {})}
    st = state if state is not None else {}
    if isinstance(data, dict) and not any(k in data for k in ("open", "close")):
        return {sym: _one(sym, candles, cfg, st) for sym, candles in data.items()}
    return _one(cfg.get("symbol", SYMBOLS[0]), data, cfg, st)
