"""Python twin of scripts/bench/server.ts: the tg4gym client's sub-env steps/s on CartPole-v1 with N = 64 against a real
`tg4 serve`, over tcp and ipc, with the baseline measured in the same run: a pure-Python CartPole stepped the way
SB3's DummyVecEnv steps Gymnasium's CartPole (one Python env object per sub-env, numpy float32 observations
gathered into a batch). When stable_baselines3 and gymnasium are importable, it also times SB3's real DummyVecEnv
over Gymnasium's CartPole and tg4gym.sb3.RemoteVecEnv.

Then the trading table (issue 19): tg4gym.sb3.RemoteVecEnv x 64 on tg4/Trading-v0 with random actions against
gym-anytrading's stocks-v0 x 64 in SB3's DummyVecEnv (window 32, random actions), all in the same run. When the
gym_anytrading package is not importable, the baseline is AnyTradingStocks below, a faithful re-implementation of its
StocksEnv step (same reward, profit, position and history bookkeeping, same observation slice and info dict) over a
seeded price walk of the same length; the table says which one ran. Per batch it also reports this process's CPU time
and the server's (from /proc), since wall time on a loaded box also counts other jobs. Figures are noisy on a shared
machine: read the ratios."""
from __future__ import annotations

import math
import os
import sys
import time

# The SB3 rows need stable_baselines3 and gymnasium: when this python lacks them and the test venv
# (scripts/setup/python-venv.sh) exists, run there instead, so that `npm run bench` measures them.
_VENV_PYTHON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".venv-tg4", "bin", "python")
if os.environ.get("TG4_BENCH_IN_VENV") != "1" and os.path.exists(_VENV_PYTHON):
    import importlib.util  # looked up, not imported: see trading_table on importing torch here
    if any(importlib.util.find_spec(m) is None for m in ("gymnasium", "stable_baselines3")):
        os.environ["TG4_BENCH_IN_VENV"] = "1"
        os.execv(_VENV_PYTHON, [_VENV_PYTHON, os.path.abspath(__file__), *sys.argv[1:]])

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


class AnyTradingStocks:
    """gym-anytrading 2.0.0's StocksEnv (Sell=0/Buy=1, Short/Long, fees 1% bid / 0.5% ask), re-implemented step for
    step for when the package is not installed: float32 [price, diff] features, the observation a view of the last
    `window` rows, info {total_reward, total_profit, position} appended to a history dict every step."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, prices: np.ndarray, window: int):
        import gymnasium as gym
        diff = np.insert(np.diff(prices), 0, 0)
        self.prices = prices.astype(np.float32)
        self.features = np.column_stack((prices, diff)).astype(np.float32)
        self.window = window
        self.observation_space = gym.spaces.Box(low=-1e10, high=1e10, shape=(window, 2), dtype=np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.start, self.end = window, len(prices) - 1

    def reset(self, seed=None, options=None):
        self.tick, self.last_trade = self.start, self.start - 1
        self.long = False
        self.positions = self.window * [None] + [self.long]
        self.total_reward, self.total_profit, self.history = 0.0, 1.0, {}
        return self._obs(), self._info()

    def step(self, action):
        self.tick += 1
        truncated = self.tick == self.end
        trade = (action == 1 and not self.long) or (action == 0 and self.long)
        reward = 0.0
        if trade and self.long:
            reward += self.prices[self.tick] - self.prices[self.last_trade]
        self.total_reward += reward
        if (trade or truncated) and self.long:
            shares = (self.total_profit * (1 - 0.005)) / self.prices[self.last_trade]
            self.total_profit = (shares * (1 - 0.01)) * self.prices[self.tick]
        if trade:
            self.long = not self.long
            self.last_trade = self.tick
        self.positions.append(self.long)
        info = self._info()
        if not self.history:
            self.history = {k: [] for k in info}
        for k, v in info.items():
            self.history[k].append(v)
        return self._obs(), reward, False, truncated, info

    def _obs(self):
        return self.features[self.tick - self.window + 1:self.tick + 1]

    def _info(self):
        return dict(total_reward=self.total_reward, total_profit=self.total_profit, position=int(self.long))

    def close(self):
        pass


def anytrading_baseline(n: int, window: int = 32):
    """(label, step function) of n gym-anytrading stocks-v0 envs in SB3's DummyVecEnv, random actions."""
    from stable_baselines3.common.vec_env.dummy_vec_env import DummyVecEnv
    try:
        import gymnasium as gym
        import gym_anytrading  # noqa: F401  (registers stocks-v0)
        from gym_anytrading.datasets import STOCKS_GOOGL
        bars = len(STOCKS_GOOGL)
        d = DummyVecEnv([lambda: gym.make("stocks-v0", df=STOCKS_GOOGL, window_size=window, frame_bound=(window, bars))
                         for _ in range(n)])
        label = f"gym-anytrading stocks-v0 (package), DummyVecEnv (baseline)"
    except ImportError:
        bars = 2335  # the length of gym-anytrading's STOCKS_GOOGL
        prices = 100 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.01, bars)))
        d = DummyVecEnv([lambda: AnyTradingStocks(prices, window) for _ in range(n)])
        label = "gym-anytrading StocksEnv (re-implemented), DummyVecEnv (baseline)"
    d.reset()
    return label, d, 2


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) of process pid so far, from /proc; 0 where /proc is absent."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


_ECHO = """
import sys, zmq
s = zmq.Context().socket(zmq.ROUTER)
port = s.bind_to_random_port("tcp://127.0.0.1") if sys.argv[1] == "tcp" else None
if port is None:
    s.bind(sys.argv[2])
print(port or sys.argv[2], flush=True)
replies = {}
while True:
    peer, body = s.recv_multipart(copy=False)
    size = int.from_bytes(body.bytes[:4], "little")
    s.send_multipart([peer, replies.setdefault(size, bytes(size))], copy=False)
"""


def zmq_floor(kind: str, reply_bytes: int, seconds: float) -> float:
    """Round trips per second of one DEALER request (700 bytes, about a step's) and a reply of reply_bytes through a
    pyzmq ROUTER echo process that does nothing else: what any ZeroMQ server and client pay per step before any work."""
    import subprocess
    import tempfile
    import zmq
    addr = f"ipc://{tempfile.mkdtemp(prefix='tg4echo-')}/e.sock"
    p = subprocess.Popen([sys.executable, "-c", _ECHO, kind, addr], stdout=subprocess.PIPE, text=True)
    try:
        got = p.stdout.readline().strip()
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.connect(f"tcp://127.0.0.1:{got}" if kind == "tcp" else got)
        msg = reply_bytes.to_bytes(4, "little") + bytes(696)
        rate = timed(lambda: (sock.send(msg), sock.recv(copy=False)), seconds)
        sock.close(0)
        return rate
    finally:
        p.kill()
        p.wait()


def _trading_worker(address: str, deltas: bool) -> None:
    """One case of the trading table in a process of its own (`--trading-worker ADDRESS|baseline DELTAS`): sets up,
    warms up, then answers each `run SECONDS` line on stdin with `steps wall_s cpu_s`. Every case gets its own heap,
    garbage collector and connection, as a user's training process has: cases run in one process disturbed each other
    (a whole-observation session interleaved with a delta session cost the latter a fifth of its rate)."""
    n = N_TRADING
    rng = np.random.default_rng(0)
    if address == "baseline":
        label, venv, n_actions = anytrading_baseline(n)
    else:
        from tg4gym.sb3 import RemoteVecEnv
        venv, n_actions = RemoteVecEnv(address, "tg4/Trading-v0", n, seed=0, obs_window=deltas), 3
        venv.reset()
        label = ""
    tape = [rng.integers(0, n_actions, n) for _ in range(256)]
    # Warm-up, 2 s for every case: V8 optimises the server's step path over thousands of steps (a fresh server ran
    # its first 3 s at 0.72x of its third), and a training run lasts far longer than that.
    k, end = 0, time.perf_counter() + 2.0
    while time.perf_counter() < end:
        venv.step(tape[k & 255])
        k += 1
    print(f"ready {label}", flush=True)
    for line in sys.stdin:
        seconds = float(line.split()[1])
        k, t0, c0 = 0, time.perf_counter(), time.process_time()
        end = t0 + seconds
        while time.perf_counter() < end:
            for _ in range(8):
                venv.step(tape[k & 255])
                k += 1
        print(f"{k} {time.perf_counter() - t0} {time.process_time() - c0}", flush=True)
    venv.close()


N_TRADING = 64


def trading_table(rounds: int) -> None:
    """RemoteVecEnv x 64 on tg4/Trading-v0 vs gym-anytrading x 64 in DummyVecEnv, random actions, interleaved rounds,
    each case in a worker process of its own (and each remote case with a server of its own)."""
    import importlib.util
    import subprocess
    n = N_TRADING
    # Only looked up, not imported: this process only coordinates. Measured: with torch imported (SB3 imports it) in
    # this idle parent, the unix rows ran at 0.77x of their rate with a parent that had not imported it (460-495k vs
    # 600-625k steps/s, same workers, same server), though each worker imports torch itself.
    missing = [m for m in ("stable_baselines3", "gymnasium") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"\n(trading table skipped: {', '.join(missing)} not importable; it needs stable_baselines3 + gymnasium)")
        return
    # TG4_BENCH_TRANSPORTS=unix (comma-separated) runs a subset of the remote rows.
    kinds = os.environ.get("TG4_BENCH_TRANSPORTS", "unix,ipc,tcp").split(",")
    specs = [(None, None)] + [(kind, deltas) for kind in kinds for deltas in (True, False)]
    servers, workers, cases = [], [], []
    try:
        for kind, deltas in specs:
            srv = None
            if kind is not None:
                srv = TG4Serve(kind)
                servers.append(srv)
            w = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--trading-worker",
                                  srv.address if srv else "baseline", "1" if deltas else "0"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ)
            workers.append(w)
            ready = w.stdout.readline().split(" ", 1)
            if ready[0].strip() != "ready":
                raise RuntimeError(f"a trading bench worker did not start: {ready}")
            what = "window deltas" if deltas else "whole obs"
            label = ready[1].strip() if srv is None else f"RemoteVecEnv(tg4/Trading-v0), {kind}, {what}"
            cases.append((label, srv, w))
        samples = {i: [] for i in range(len(cases))}
        for _ in range(rounds):
            for i, (_, srv, w) in enumerate(cases):
                s0 = server_cpu_s(srv.proc.pid) if srv else 0.0
                w.stdin.write(f"run {SECONDS / rounds}\n")
                w.stdin.flush()
                k, wall, cpu = w.stdout.readline().split()
                k, wall, cpu = int(k), float(wall), float(cpu)
                srv_cpu = server_cpu_s(srv.proc.pid) - s0 if srv else 0.0
                samples[i].append((k * n / wall, cpu / k * 1e6, srv_cpu / k * 1e6))
    finally:
        for w in workers:
            if w.stdin:
                w.stdin.close()
            try:
                w.wait(10)
            except subprocess.TimeoutExpired:
                w.kill()
        for srv in servers:
            srv.stop()
    print(f"\nTrading bench (issue 19): N = {n}, random actions, median of {rounds} interleaved rounds; ratio vs the "
          f"baseline row (must be >= 3.00x); each case in its own Python process with its own server; CPU per 64-env batch: that Python process / its tg4 serve process "
          f"(all threads; /proc ticks are 10 ms, so read it as an average)")
    base_rate = base_cpu = None
    for i, (lbl, _, _) in enumerate(cases):
        rate = float(np.median([x[0] for x in samples[i]]))
        py_cpu = float(np.median([x[1] for x in samples[i]]))
        srv_cpu = float(np.median([x[2] for x in samples[i]]))
        base_rate, base_cpu = base_rate or rate, base_cpu or py_cpu
        # The CPU ratio: the baseline's CPU per batch over both processes' (wall time on a loaded box favours neither).
        cpu = f"{py_cpu:6.0f} us python" + (f" + {srv_cpu:5.0f} us server = {base_cpu / (py_cpu + srv_cpu):.2f}x in CPU"
                                            if i else "")
        print(f"  {lbl:<66} {rate:>10,.0f} steps/s {rate / base_rate:6.2f}x   {cpu}")
    # The bound no ZeroMQ transport beats on this machine: one round trip per 64-env batch with a zero-cost env and
    # zero-cost clients (reply sizes of a Trading-v0 x 64 step with window deltas and with whole observations).
    for kind in ("ipc", "tcp"):
        for what, size in (("9 KB reply", 64 * 35 * 4 + 700), ("255 KB reply", 64 * 996 * 4 + 700)):
            rt = zmq_floor(kind, size, SECONDS / 2)
            print(f"  {'  ZeroMQ round trip alone (pyzmq echo), ' + kind + ', ' + what:<66} {rt * n:>10,.0f} steps/s "
                  f"{rt * n / base_rate:6.2f}x   {1e6 / rt:6.0f} us per round trip: the ceiling over ZeroMQ")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--trading-worker":
        _trading_worker(sys.argv[2], sys.argv[3] == "1")
        return
    if os.environ.get("TG4_BENCH_ONLY") == "trading":
        trading_table(int(os.environ.get("TG4_BENCH_ROUNDS", 5)))
        return
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
    servers = [TG4Serve("tcp"), TG4Serve("ipc"), TG4Serve("unix")]
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
    # The trading table from a fresh process: this one imported SB3 and torch above (see trading_table).
    import subprocess
    subprocess.run([sys.executable, os.path.abspath(__file__)], env={**os.environ, "TG4_BENCH_ONLY": "trading"},
                   check=False)


if __name__ == "__main__":
    main()
