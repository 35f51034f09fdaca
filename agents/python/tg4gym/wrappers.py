"""A reward computed in Python, on the client: the server's env steps as usual and its step result (observation,
action, the env's own reward, flags, info) goes to your function, whose return value replaces the reward. No code
crosses the wire. For the trading envs, info carries equity, cash, position, exposure, drawdown, fees, trades,
step_costs and fills (docs/trading-env.md); with SB3 use tg4gym.sb3.VecRewardFunction (sub-env engine for full infos).

    def pnl_minus_drawdown(obs, action, reward, terminated, truncated, info):
        return reward - 0.5 * info["drawdown"]

    env = tg4gym.wrappers.RewardFunction(tg4gym.make(address, "tg4/Trading-v0"), pnl_minus_drawdown)
"""
from __future__ import annotations

import math
from typing import Any, Callable

import gymnasium as gym

RewardFn = Callable[[Any, Any, float, bool, bool, dict], float]


def checked_reward(fn: RewardFn, obs: Any, action: Any, reward: float, terminated: bool, truncated: bool,
                   info: dict) -> float:
    """fn's reward as a float; a non-number or NaN/inf is an error naming the function (never silently trained on)."""
    r = fn(obs, action, reward, terminated, truncated, info)
    try:
        value = float(r)
    except (TypeError, ValueError):
        raise TypeError(f"reward function {getattr(fn, '__name__', fn)!r} returned {type(r).__name__}, not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"reward function {getattr(fn, '__name__', fn)!r} returned {value}: rewards must be finite")
    return value


class RewardFunction(gym.Wrapper):
    """Replaces each step's reward with fn(obs, action, reward, terminated, truncated, info), computed client-side."""

    def __init__(self, env: gym.Env, fn: RewardFn):
        super().__init__(env)
        if not callable(fn):
            raise TypeError(f"fn must be callable as fn(obs, action, reward, terminated, truncated, info), got {fn!r}")
        self.fn = fn

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, checked_reward(self.fn, obs, action, reward, terminated, truncated, info), terminated, truncated, info
