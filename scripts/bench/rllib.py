"""Ray RLlib env runners over one vs two `tg4 serve` processes: env steps/s of RLlib's sampling (new API stack, torch
policy inference included) with every env on one server (the baseline, same run) and with the envs spread over two
(tg4gym.rllib.RemoteEnvCreator), in interleaved rounds, reported as medians and as a ratio. It also reads each
process's CPU time over the timed windows, which says where the limit is: the servers, the env runners, or the cores.
Run in the test venv: .venv-tg4/bin/python scripts/bench/rllib.py (scripts/bench/rllib.ts does it for npm run bench).
Env: TG4_BENCH_RLLIB_ENV (default tg4/Trading-v0), TG4_BENCH_RLLIB_RUNNERS (2), TG4_BENCH_RLLIB_ENVS (4 per runner),
TG4_BENCH_RLLIB_STEPS (steps per runner per round, 2000), TG4_BENCH_ROUNDS (3), TG4_BENCH_RANDOM_ACTIONS (0)."""
from __future__ import annotations

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "python"))
PACKAGE = os.path.abspath(os.path.join(HERE, "..", "..", "agents", "python"))
sys.path.insert(0, PACKAGE)
# Ray's workers are processes started by its raylet, which inherits this environment (not sys.path).
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE, os.environ.get("PYTHONPATH")) if p)
from serve import TG4Serve  # noqa: E402

ENV = os.environ.get("TG4_BENCH_RLLIB_ENV", "tg4/Trading-v0")
RUNNERS = int(os.environ.get("TG4_BENCH_RLLIB_RUNNERS", 2))
ENVS = int(os.environ.get("TG4_BENCH_RLLIB_ENVS", 4))
STEPS = int(os.environ.get("TG4_BENCH_RLLIB_STEPS", 2000))
ROUNDS = int(os.environ.get("TG4_BENCH_ROUNDS", 3))
RANDOM = os.environ.get("TG4_BENCH_RANDOM_ACTIONS", "0") == "1"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def build(name: str, addresses: list):
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.tune.registry import register_env
    from tg4gym.rllib import RemoteEnvCreator
    kwargs = {"episode_length": 200} if ENV.startswith("tg4/") else {}
    register_env(name, RemoteEnvCreator(addresses, ENV, **kwargs))
    config = (PPOConfig().environment(name).framework("torch")
              .env_runners(num_env_runners=RUNNERS, num_envs_per_env_runner=ENVS, rollout_fragment_length=STEPS // ENVS)
              .training(train_batch_size_per_learner=RUNNERS * STEPS, minibatch_size=128, num_epochs=1)
              .debugging(seed=0))
    return config.build()


def sample_round(algo) -> tuple:
    """(env steps, wall seconds) of one sample() of STEPS steps on every env runner at once."""
    t0 = time.perf_counter()
    counts = algo.env_runner_group.foreach_worker(
        lambda w: sum(len(e) for e in w.sample(num_timesteps=STEPS, random_actions=RANDOM)), local_env_runner=False)
    return sum(counts), time.perf_counter() - t0


def main() -> None:
    import ray
    starting = [TG4Serve("tcp", wait=False), TG4Serve("tcp", wait=False)]
    servers = [s.wait() for s in starting]
    addresses = [s.address for s in servers]
    # Two algorithms live side by side (interleaved rounds): their env runners need logical CPUs, not real ones.
    ray.init(num_cpus=2 * RUNNERS + 1, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        algos = {"one server": build("tg4-one", addresses[:1]), "two servers": build("tg4-two", addresses)}
        pids = {k: a.env_runner_group.foreach_worker(lambda w: os.getpid(), local_env_runner=False)
                for k, a in algos.items()}
        for a in algos.values():
            sample_round(a)  # warm-up: connections, first resets, torch's first forward
        rates = {k: [] for k in algos}
        cpu = {k: {"servers": [0.0, 0.0], "runners": 0.0, "wall": 0.0, "steps": 0} for k in algos}
        for _ in range(ROUNDS):
            for k, a in algos.items():
                before_s = [cpu_seconds(s.proc.pid) for s in servers]
                before_r = sum(cpu_seconds(p) for p in pids[k])
                steps, wall = sample_round(a)
                c = cpu[k]
                c["servers"] = [c["servers"][i] + cpu_seconds(s.proc.pid) - before_s[i] for i, s in enumerate(servers)]
                c["runners"] += sum(cpu_seconds(p) for p in pids[k]) - before_r
                c["wall"] += wall
                c["steps"] += steps
                rates[k].append(steps / wall)
        for a in algos.values():
            a.stop()
    finally:
        ray.shutdown()
        for s in servers:
            s.stop()
    one, two = statistics.median(rates["one server"]), statistics.median(rates["two servers"])
    print(f"RLlib env runners: {RUNNERS} × {ENVS} envs of {ENV}, {STEPS} steps per runner per round, "
          f"{'random actions' if RANDOM else 'policy inference'}, medians of {ROUNDS} interleaved rounds, "
          f"{os.cpu_count()} cores")
    for k in algos:
        c = cpu[k]
        per_k = 1000.0 / max(c["steps"], 1)
        busy = (sum(c["servers"]) + c["runners"]) / c["wall"]
        print(f"  {k:12s} {statistics.median(rates[k]):9,.0f} env steps/s   CPU per 1k steps: servers "
              f"{' + '.join(f'{x * per_k * 1000:.0f}' for x in c['servers'])} ms, runners {c['runners'] * per_k * 1000:.0f} ms;"
              f" cores busy {busy:.2f} of {os.cpu_count()}")
    print(f"  two servers / one server: {two / one:.2f}x")
    print("RESULT " + json.dumps({"one": one, "two": two, "ratio": two / one, "cpu": cpu}))


if __name__ == "__main__":
    main()
