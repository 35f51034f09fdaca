"""Python twin of scripts/bench/server.ts: the tg4gym client's sub-env steps/s on CartPole-v1 with N = 64 against a real
`tg4 serve`, over tcp and ipc, with the baseline measured in the same run: a pure-Python CartPole stepped the way
SB3's DummyVecEnv steps Gymnasium's CartPole (one Python env object per sub-env, numpy float32 observations
gathered into a batch). When stable_baselines3 and gymnasium are importable, it also times SB3's real DummyVecEnv
over Gymnasium's CartPole and tg4gym.sb3.RemoteVecEnv. Figures are noisy on a shared machine: read the ratios."""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "test", "python"))
from serve import TG4Serve  # noqa: E402

from tg4gym import Session  # noqa: E402

N = int(os.environ.get("TG4_BENCH_N", 64))  # and N = 8, the size SB3 figures are usually quoted for
SECONDS = float(os.environ.get("TG4_BENCH_SECONDS", 2.0))


class PyCartPole:
    """Gymnasium's CartPole-v1 step in plain Python (float64 state, float32 observation array), with TimeLimit 500."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.reset()

    def reset(self):
        self.state = [float(v) for v in self.rng.uniform(-0.05, 0.05, 4)]
        self.t = 0
        return np.array(self.state, dtype=np.float32), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot * theta_dot * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        x, x_dot = x + 0.02 * x_dot, x_dot + 0.02 * x_acc
        theta, theta_dot = theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc
        self.state = [x, x_dot, theta, theta_dot]
        self.t += 1
        terminated = x < -2.4 or x > 2.4 or theta < -0.2095 or theta > 0.2095
        return np.array(self.state, dtype=np.float32), 1.0, terminated, self.t >= 500, {}


def timed(fn, seconds: float) -> float:
    """Calls per second of fn over about `seconds`."""
    end = time.perf_counter() + 0.05
    while time.perf_counter() < end:
        fn()
    calls, t0 = 0, time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        for _ in range(10):
            fn()
        calls += 10
    return calls / (time.perf_counter() - t0)


def pure_python_vec(n: int):
    """A step function: n PyCartPoles stepped as SB3's DummyVecEnv steps its envs."""
    envs = [PyCartPole(np.random.default_rng(i)) for i in range(n)]
    buf = np.zeros((n, 4), dtype=np.float32)
    rews = np.zeros(n, dtype=np.float32)
    dones = np.zeros(n, dtype=bool)
    actions = np.zeros(n, dtype=np.int64)

    def step():
        infos = []
        for i, env in enumerate(envs):
            obs, rews[i], term, trunc, info = env.step(actions[i])
            dones[i] = term or trunc
            info["TimeLimit.truncated"] = trunc and not term
            if dones[i]:
                info["terminal_observation"] = obs
                obs, _ = env.reset()
            buf[i] = obs
            infos.append(info)
        return buf.copy(), rews.copy(), dones.copy(), infos

    return step


def main() -> None:
    sizes = sorted({8, N})
    rounds = int(os.environ.get("TG4_BENCH_ROUNDS", 5))
    cases = []  # (label, n, step function); the first case of each n is its baseline
    for n in sizes:
        cases.append((f"pure-Python CartPole, DummyVecEnv-style (baseline)", n, pure_python_vec(n)))
    try:
        import gymnasium as gym
        from stable_baselines3.common.vec_env.dummy_vec_env import DummyVecEnv
        for n in sizes:
            d = DummyVecEnv([lambda: gym.make("CartPole-v1") for _ in range(n)])
            d.reset()
            a = np.zeros(n, dtype=np.int64)
            cases.append(("SB3 DummyVecEnv(gymnasium CartPole-v1)", n, lambda d=d, a=a: d.step(a)))
    except ImportError:
        pass
    servers = [TG4Serve("tcp"), TG4Serve("ipc")]
    closers = []
    try:
        for srv in servers:
            kind = srv.address.split(":")[0]
            for n in sizes:
                sess = Session(srv.address, "CartPole-v1", n, seed=0, autoreset="same-step")
                sess.reset()
                closers.append(sess.close)
                a = np.zeros(n, dtype=np.int64)
                cases.append((f"tg4gym Session.step, {kind}", n, lambda s=sess, a=a: s.step(a)))
                try:
                    from tg4gym.sb3 import RemoteVecEnv
                    v = RemoteVecEnv(srv.address, "CartPole-v1", n, seed=0)
                    v.reset()
                    closers.append(v.close)
                    cases.append((f"tg4gym.sb3.RemoteVecEnv, {kind}", n, lambda v=v, a=a: v.step(a)))
                except ImportError:
                    pass
        # Interleaved rounds, median per case: the machine's load drifts within a run.
        samples = {i: [] for i in range(len(cases))}
        for _ in range(rounds):
            for i, (_, n, fn) in enumerate(cases):
                samples[i].append(timed(fn, SECONDS / rounds) * n)
        for close in closers:
            close()
    finally:
        for srv in servers:
            srv.stop()
    print(f"\nPython client bench: CartPole-v1 sub-env steps/s, median of {rounds} interleaved rounds, {SECONDS}s per case "
          f"(python {sys.version.split()[0]}, numpy {np.__version__}); ratio vs the pure-Python loop of the same N")
    if not any(c[0].startswith("SB3") for c in cases):
        print("  (SB3 DummyVecEnv / RemoteVecEnv rows need stable_baselines3 + gymnasium, not importable here)")
    base = {}
    for i, (label, n, _) in enumerate(cases):
        v = float(np.median(samples[i]))
        base.setdefault(n, v)
        print(f"  N={n:<3} {label:<52} {v:>12,.0f} steps/s  {v / base[n]:6.2f}x")


if __name__ == "__main__":
    main()
