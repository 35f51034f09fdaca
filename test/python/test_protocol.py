"""The tg4gym protocol layer (pyzmq + msgpack + numpy only) against a real `tg4 serve`, over tcp and ipc: every op,
both autoreset modes, pipelined send/recv, and error replies. Run: PYTHONPATH=agents/python python3 -m unittest
discover -s test/python (scripts/test.sh runs it through vitest: test/python/python.test.ts)."""
from __future__ import annotations

import math
import os
import sys
import time
import unittest

import msgpack
import numpy as np

import tg4gym
from tg4gym import Client, RemoteAttributeError, RemoteError, Session
from tg4gym.wire import encode_array, pack

sys.path.insert(0, __import__("os").path.dirname(__file__))
from serve import TG4Serve  # noqa: E402

SERVERS: dict = {}


CURVE_KEYS: dict = {}


def _write_keys(folder: str, keys: dict) -> None:
    import os
    for name, key in keys.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(key + b"\n")


def setUpModule():
    import tempfile

    import zmq
    server_pub, server_sec = zmq.curve_keypair()
    client_pub, client_sec = zmq.curve_keypair()
    other_pub, other_sec = zmq.curve_keypair()
    CURVE_KEYS["good"] = tempfile.mkdtemp(prefix="tg4py-keys-")
    _write_keys(CURVE_KEYS["good"], {"server.public": server_pub, "server.secret": server_sec, "client.public": client_pub,
                                     "client.secret": client_sec, "authorized_clients": client_pub})
    CURVE_KEYS["stranger"] = tempfile.mkdtemp(prefix="tg4py-stranger-")
    _write_keys(CURVE_KEYS["stranger"], {"server.public": server_pub, "client.public": other_pub, "client.secret": other_sec})
    # The three servers start side by side (the CLI takes seconds to load on a busy machine).
    starting = {"tcp": TG4Serve("tcp", wait=False), "ipc": TG4Serve("ipc", wait=False), "unix": TG4Serve("unix", wait=False),
                "curve": TG4Serve("tcp", "--curve-keys", CURVE_KEYS["good"], wait=False)}
    for name, srv in starting.items():
        SERVERS[name] = srv
    for srv in starting.values():
        srv.wait()


def tearDownModule():
    for s in SERVERS.values():
        s.stop()


def cartpole_next(obs: np.ndarray, action: int) -> np.ndarray:
    """Gymnasium's CartPole equations, from the (float32-rounded) observation."""
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    force = 10.0 if action == 1 else -10.0
    total_mass, pml = 1.1, 0.05
    cos, sin = math.cos(theta), math.sin(theta)
    temp = (force + pml * theta_dot * theta_dot * sin) / total_mass
    theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos * cos / total_mass))
    x_acc = temp - pml * theta_acc * cos / total_mass
    return np.array([x + 0.02 * x_dot, x_dot + 0.02 * x_acc, theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc])


class ProtocolTests:
    transport = "tcp"

    def setUp(self):
        self.client = Client(SERVERS[self.transport].address, timeout_ms=10_000)

    def tearDown(self):
        self.client.close()

    def assert_still_serving(self):
        self.assertEqual(self.client.request("hello")["protocol"], 1)

    def test_hello(self):
        h = self.client.hello
        self.assertEqual(h["protocol"], tg4gym.PROTOCOL_VERSION)
        self.assertIn("CartPole-v1", h["env_ids"])
        self.assertGreater(h["limits"]["max_message_bytes"], 0)

    def test_make_reset_step_spaces_close(self):
        s = Session(self.client, "CartPole-v1", 3, seed=7)
        self.assertEqual(s.observation_space["type"], "Box")
        self.assertEqual(s.action_space, {"type": "Discrete", "n": 2, "start": 0})
        self.assertEqual(s.spec["max_episode_steps"], 500)
        obs, infos = s.reset()
        self.assertEqual(obs.dtype, np.float32)
        self.assertEqual(obs.shape, (3, 4))
        self.assertTrue(obs.flags.writeable)
        self.assertEqual(infos, [{}, {}, {}])
        self.assertTrue(np.all(np.abs(obs) <= 0.05))
        actions = np.array([0, 1, 1])
        r = s.step(actions)
        self.assertEqual(r.rewards.dtype, np.float64)
        self.assertEqual(r.terminated.dtype, np.bool_)
        for i in range(3):
            np.testing.assert_allclose(r.obs[i], cartpole_next(obs[i], actions[i]), rtol=0, atol=1e-6)
        self.assertEqual(s.spaces()["num_envs"], 3)
        s.close()
        with self.assertRaises(RemoteError) as cm:
            s.client.request("reset", session=s.id)
        self.assertEqual(cm.exception.code, "UNKNOWN_SESSION")

    def test_same_seed_same_bits_other_seed_differs(self):
        a = Session(self.client, "CartPole-v1", 4)
        b = Session(self.client, "CartPole-v1", 4)
        c = Session(self.client, "CartPole-v1", 4)
        oa, _ = a.reset(seed=123)
        ob, _ = b.reset(seed=123)
        oc, _ = c.reset(seed=124)
        self.assertEqual(oa.tobytes(), ob.tobytes())
        self.assertNotEqual(oa.tobytes(), oc.tobytes())
        np.testing.assert_array_equal(oa[1], oc[0])  # sub-env i gets seed + i
        rng = np.random.default_rng(0)
        for _ in range(60):
            act = rng.integers(0, 2, size=4)
            ra, rb = a.step(act), b.step(act)
            self.assertEqual(ra.obs.tobytes(), rb.obs.tobytes())
            np.testing.assert_array_equal(ra.terminated, rb.terminated)
        for s in (a, b, c):
            s.close()

    def run_until_done(self, s: Session, rng) -> tuple:
        for _ in range(600):
            r = s.step(rng.integers(0, 2, size=s.num_envs))
            done = np.logical_or(r.terminated, r.truncated)
            if done.any():
                return r, int(np.argmax(done))
        self.fail("no episode ended in 600 steps")

    def test_next_step_autoreset(self):
        s = Session(self.client, "CartPole-v1", 2, seed=1, autoreset="next-step")
        s.reset()
        rng = np.random.default_rng(1)
        r, i = self.run_until_done(s, rng)
        self.assertGreater(abs(r.obs[i][0]) + abs(r.obs[i][2]), 0.05)  # the failing state is returned
        nxt = s.step(np.array([1, 1]))
        self.assertEqual(nxt.rewards[i], 0.0)
        self.assertFalse(nxt.terminated[i] or nxt.truncated[i])
        self.assertTrue(np.all(np.abs(nxt.obs[i]) <= 0.05))  # a fresh episode's first observation
        s.close()

    def test_same_step_autoreset(self):
        s = Session(self.client, "CartPole-v1", 2, seed=2, autoreset="same-step")
        s.reset()
        r, i = self.run_until_done(s, np.random.default_rng(2))
        info = r.infos[i]
        self.assertIn("final_observation", info)
        self.assertEqual(info["final_observation"].shape, (4,))
        self.assertEqual(info["final_observation"].dtype, np.float32)
        self.assertEqual(info["final_info"], {})
        self.assertTrue(np.all(np.abs(r.obs[i]) <= 0.05))
        self.assertGreater(abs(info["final_observation"][0]) + abs(info["final_observation"][2]), 0.05)
        s.close()

    def test_window_deltas_rebuild_whole_observations(self):
        # Trading-v0's observations are a sliding window: with obs_window the step replies carry each sub-env's newest
        # row, and the session rebuilds exactly what a session without them receives, across episode ends.
        kw = dict(autoreset="same-step", seed=5, kwargs={"episode_length": 40})
        a = Session(self.client, "tg4/Trading-v0", 3, obs_window=True, **kw)
        b = Session(self.client, "tg4/Trading-v0", 3, obs_window=False, **kw)
        default = Session(self.client, "tg4/Trading-v0", 1)
        self.assertEqual(a.made["obs_window"], {"rows": 32, "cols": 31, "stride": 1})
        self.assertIsNone(b.made["obs_window"])
        # None (the default) asks for them over tcp and unix:// only.
        self.assertEqual(default.made["obs_window"] is not None, self.transport in ("tcp", "unix"))
        np.testing.assert_array_equal(a.reset()[0], b.reset()[0])
        rng, ended = np.random.default_rng(1), 0
        for t in range(120):
            act = rng.integers(0, 3, 3)
            ra, rb = a.step(act), b.step(act)
            self.assertEqual(ra.obs.tobytes(), rb.obs.tobytes(), f"step {t}")
            self.assertTrue(ra.obs.flags.writeable)
            ra.obs[:] = np.nan  # the caller's copy: the next rebuild must not see it
            for x, y in zip(ra.infos, rb.infos):
                if "final_observation" in x:
                    np.testing.assert_array_equal(x["final_observation"], y["final_observation"])
            ended += int((ra.terminated | ra.truncated).sum())
        self.assertGreaterEqual(ended, 6)
        # A reply this session never read (sent by hand): the next delta cannot be rebuilt, and says so.
        self.client.request("step", session=a.id, actions=encode_array(np.zeros(3, dtype=np.int64)))
        with self.assertRaises(tg4gym.WindowDeltaError) as cm:
            a.step(np.zeros(3, dtype=np.int64))
        self.assertIn("reset() the session", str(cm.exception))
        a.reset()
        a.step(np.zeros(3, dtype=np.int64))
        for s in (a, b, default):
            s.close()

    def test_disabled_autoreset_needs_reset(self):
        s = Session(self.client, "CartPole-v1", 1, autoreset="disabled")
        s.reset(seed=3)
        self.run_until_done(s, np.random.default_rng(3))
        with self.assertRaises(RemoteError) as cm:
            s.step(np.array([0]))
        self.assertEqual(cm.exception.code, "RESET_NEEDED")
        s.reset()
        s.step(np.array([0]))
        s.close()

    def test_pipelined_send_recv_subsets(self):
        s = Session(self.client, "CartPole-v1", 6, seed=5, batch_size=3)
        s.reset()
        twin = [Session(self.client, "CartPole-v1", 1, autoreset="disabled") for _ in range(6)]
        for i, t in enumerate(twin):
            t.reset(seed=5 + i)
        for _ in range(5):
            s.send(np.array([1, 0, 1]), env_ids=[0, 2, 4])
            s.send(np.array([0, 0, 1]), env_ids=[5, 3, 1])
            r1, r2 = s.recv(), s.recv()
            self.assertEqual(r1.env_ids, [0, 2, 4])
            self.assertEqual(r2.env_ids, [5, 3, 1])
            for r, acts in ((r1, [1, 0, 1]), (r2, [0, 0, 1])):
                for j, i in enumerate(r.env_ids):
                    t = twin[i].step(np.array([acts[j]]))
                    self.assertEqual(r.obs[j].tobytes(), t.obs[0].tobytes())
        with self.assertRaises(RuntimeError):
            s.recv()
        reset_obs, _ = s.reset(seed=9, env_ids=[4])
        self.assertEqual(reset_obs.shape, (1, 4))
        for t in twin + [s]:
            t.close()

    def test_render_call_and_kwargs(self):
        s = Session(self.client, "CartPole-v1", 2, kwargs={"render_mode": "ansi"})  # snake_case -> renderMode
        self.assertEqual(s.render_mode, "ansi")
        s.reset(seed=0)
        frames = s.render()
        self.assertEqual(len(frames), 2)
        self.assertIn("x=", frames[0])
        self.assertEqual(s.call("metadata", env_ids=[0]), [{"render_modes": ["ansi"], "render_fps": 50}])
        self.assertEqual(s.call("render_mode"), ["ansi", "ansi"])
        with self.assertRaises(AttributeError):
            s.call("action_masks")
        with self.assertRaises(RemoteAttributeError) as cm:
            s.call("__proto__")
        self.assertEqual(cm.exception.code, "INVALID_ARGUMENT")
        s.close()

    def test_action_masks_of_a_masked_env(self):
        s = Session(self.client, "tg4/Trading-v0", 2, seed=0)
        self.assertIn("action_masks", s.callable["methods"])
        s.reset()
        masks = s.call("action_masks")
        self.assertEqual(len(masks), 2)
        self.assertEqual(masks[0].dtype, np.bool_)
        self.assertEqual(masks[0].shape, (s.action_space["n"],))
        s.close()

    def test_error_replies_and_server_keeps_serving(self):
        s = Session(self.client, "CartPole-v1", 2)
        s.reset(seed=0)
        cases = [
            (lambda: self.client.request("levitate"), "UNKNOWN_OP"),
            (lambda: self.client.request("step", session="0" * 32, actions=encode_array(np.zeros(2, np.int64))), "UNKNOWN_SESSION"),
            (lambda: Session(self.client, "CartPole-v1", 1, kwargs={"gravity": 3}), "INVALID_ARGUMENT"),
            (lambda: Session(self.client, "NoSuchEnv-v0"), "UNKNOWN_ENV"),
            (lambda: s.step(encode_array(np.zeros(3, np.int64)), raw=True), "INVALID_ACTION"),  # wrong-sized batch
            (lambda: s.step(encode_array(np.zeros(2, np.float32)), raw=True), "INVALID_ACTION"),  # wrong dtype
            (lambda: s.step(np.array([np.nan, 0.0])), "INVALID_ACTION"),  # NaN
            (lambda: s.step(np.array([0, 7])), "INVALID_ACTION"),  # out of the space
            (lambda: s.reset(seed=-1), "INVALID_ARGUMENT"),
            (lambda: self.client.request("make", env_id="CartPole-v1", num_envs=10**6), "LIMIT_EXCEEDED"),
            (lambda: self.client.request("hello", pad=b"\0" * (17 * 1024 * 1024)), "LIMIT_EXCEEDED"),
        ]
        for call, code in cases:
            with self.subTest(code=code):
                with self.assertRaises(RemoteError) as cm:
                    call()
                self.assertEqual(cm.exception.code, code, cm.exception.message)
                self.assertTrue(len(cm.exception.message) > 20)
                self.assert_still_serving()
        for raw in (b"\xc1\xc1", msgpack.packb([1, 2]), b"", pack({"id": 5, "v": 9, "op": "hello"})):
            with self.subTest(raw=raw[:8]):
                self.client.send_raw(raw)
                reply = self.client.receive_raw()
                self.assertEqual(reply["error"]["code"], "PROTOCOL_ERROR")
                self.assert_still_serving()
        s.step(np.array([1, 0]))
        s.close()


class TcpProtocolTests(ProtocolTests, unittest.TestCase):
    transport = "tcp"


class IpcProtocolTests(ProtocolTests, unittest.TestCase):
    transport = "ipc"


class UnixProtocolTests(ProtocolTests, unittest.TestCase):
    transport = "unix"


class UnixChannelTests(unittest.TestCase):
    """unix:// from Python: replies larger than the channel's first buffer, pipelined requests that fill the socket
    while the server waits for us to read, a server that goes, and a path with nothing behind it."""

    def test_large_replies_and_pipelining_do_not_deadlock(self):
        with Client(SERVERS["unix"].address, timeout_ms=20_000) as c:
            s = Session(c, "tg4/Trading-v0", 64, seed=0, obs_window=False)
            s.reset()
            # 60 steps sent before any reply is read: 60 x 255 KB of replies, far beyond the socket's buffers.
            for k in range(60):
                s.send(np.full(64, k % 3, dtype=np.int64))
            results = [s.recv() for _ in range(60)]
            self.assertEqual(results[-1].obs.shape, (64, 996))
            # The same steps one at a time on a fresh session give the same observations.
            t = Session(c, "tg4/Trading-v0", 64, seed=0, obs_window=False)
            t.reset()
            for k in range(60):
                last = t.step(np.full(64, k % 3, dtype=np.int64))
                np.testing.assert_array_equal(last.obs, results[k].obs)
                np.testing.assert_array_equal(last.rewards, results[k].rewards)

    def test_a_server_that_goes_is_reported_at_once(self):
        srv = TG4Serve("unix")
        try:
            c = Client(srv.address, timeout_ms=60_000)
            srv.stop()
            t0 = time.time()
            with self.assertRaises(tg4gym.ConnectionLost) as ctx:
                c.request("hello")
            self.assertLess(time.time() - t0, 5)
            self.assertIn("closed the connection", str(ctx.exception))
            c.close()
        finally:
            srv.stop()
        with self.assertRaises(tg4gym.ServerUnreachable) as ctx:
            Client(srv.address)
        self.assertIn("tg4 serve --bind unix://", str(ctx.exception))

    def test_polling_before_sleeping_changes_no_result(self):
        with self.assertRaises(ValueError):
            Client(SERVERS["unix"].address, spin_us=-1)
        runs = []
        for spin in (0, 100, 5000):
            with Client(SERVERS["unix"].address, spin_us=spin) as c:
                s = Session(c, "tg4/Trading-v0", 8, seed=3)
                s.reset()
                runs.append([s.step(np.full(8, k % 3, dtype=np.int64)).obs for k in range(20)])
        for other in runs[1:]:
            for a, b in zip(runs[0], other):
                np.testing.assert_array_equal(a, b)

    def test_a_descriptor_above_1023_still_waits(self):
        # A training process with torch and Ray open holds many files; select() refuses descriptors above 1023.
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(2048, hard), hard))
        held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
        try:
            with Client(SERVERS["unix"].address, spin_us=0) as c:
                self.assertGreater(c._ch._s.fileno(), 1023)
                s = Session(c, "CartPole-v1", 2, seed=0)
                s.reset()
                self.assertEqual(s.step(np.array([0, 1])).obs.shape, (2, 4))
        finally:
            for fd in held:
                os.close(fd)

    def test_curve_keys_are_refused_on_a_local_socket(self):
        with self.assertRaises(tg4gym.InvalidAddress):
            Client(SERVERS["unix"].address, curve_keys_dir=CURVE_KEYS["good"])


class CurveTests(unittest.TestCase):
    """A CURVE server admits the client whose key is in authorized_clients; others get no reply."""

    def test_curve_keys(self):
        from tg4gym import ConnectionTimeout
        address = SERVERS["curve"].address
        with Client(address, curve_keys_dir=CURVE_KEYS["good"], timeout_ms=10_000) as c:
            s = Session(c, "CartPole-v1", 2, seed=0)
            obs, _ = s.reset()
            self.assertEqual(obs.shape, (2, 4))
            s.close()
        with self.assertRaises(ConnectionTimeout):
            Client(address, curve_keys_dir=CURVE_KEYS["stranger"], timeout_ms=700)
        with self.assertRaises(ConnectionTimeout):
            Client(address, timeout_ms=700)


def _importable(name: str) -> bool:
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def _controller(obs: np.ndarray) -> np.ndarray:
    """Keeps CartPole up long enough to reach the 500-step truncation."""
    obs = np.atleast_2d(obs)
    return (obs[:, 2] + 0.5 * obs[:, 3] > 0).astype(np.int64)


@unittest.skipUnless(_importable("gymnasium"), "gymnasium is not installed here (the adapter is checked by hand: docs/server.md)")
class GymnasiumAdapterTests(unittest.TestCase):
    def test_make_passes_gymnasium_check_env(self):
        import gymnasium as gym
        from gymnasium.utils.env_checker import check_env
        env = tg4gym.make(SERVERS["tcp"].address, "CartPole-v1")
        self.assertIsInstance(env, gym.Env)
        ref = gym.make("CartPole-v1").observation_space
        # Velocity bounds differ between Gymnasium releases (float32 max before 1.1, inf after): compare the rest.
        self.assertEqual((env.observation_space.shape, env.observation_space.dtype), (ref.shape, ref.dtype))
        np.testing.assert_array_equal(env.observation_space.high[[0, 2]], ref.high[[0, 2]])
        self.assertEqual(env.action_space, gym.spaces.Discrete(2))
        check_env(env, skip_render_check=True)
        obs, _ = env.reset(seed=1)
        steps = 0
        while True:
            obs, reward, term, trunc, info = env.step(int(_controller(obs)[0]))
            steps += 1
            self.assertEqual(reward, 1.0)
            if term or trunc:
                break
        self.assertEqual((steps, trunc), (500, True))
        with self.assertRaises(RemoteError):
            env.step(0)
        env.close()

    def test_make_vec_next_step_autoreset_as_sync_vector_env(self):
        import gymnasium as gym
        venv = tg4gym.make_vec(SERVERS["ipc"].address, "CartPole-v1", 4, seed=0)
        self.assertIsInstance(venv, gym.vector.VectorEnv)
        # Gymnasium >= 1.1 names the mode with an enum; 1.0 (the CI pin) with the string.
        mode = getattr(gym.vector, "AutoresetMode", None)
        self.assertEqual(venv.metadata["autoreset_mode"], mode.NEXT_STEP if mode else "next-step")
        self.assertEqual(venv.observation_space.shape, (4, 4))
        self.assertEqual(venv.action_space, gym.spaces.MultiDiscrete([2, 2, 2, 2]))
        wrapped = gym.wrappers.vector.RecordEpisodeStatistics(venv)
        obs, infos = wrapped.reset(seed=0)
        self.assertEqual(infos, {})
        done_before = np.zeros(4, dtype=bool)
        episodes = 0
        rng = np.random.default_rng(0)
        for _ in range(300):
            obs, rew, term, trunc, infos = wrapped.step(rng.integers(0, 2, 4))
            self.assertEqual(term.dtype, np.bool_)
            # The step after an episode's end returns the reset observation with reward 0.
            np.testing.assert_array_equal(rew[done_before], 0.0)
            self.assertTrue(np.all(np.abs(obs[done_before]) <= 0.05))
            done_before = term | trunc
            if "episode" in infos:
                episodes += int(infos["_episode"].sum())
        self.assertGreater(episodes, 10)
        wrapped.close()

    def test_make_vec_same_step_has_final_obs(self):
        venv = tg4gym.make_vec(SERVERS["tcp"].address, "CartPole-v1", 3, seed=4, autoreset_mode="same-step")
        venv.reset()
        rng = np.random.default_rng(1)
        for _ in range(200):
            obs, rew, term, trunc, infos = venv.step(rng.integers(0, 2, 3))
            if (term | trunc).any():
                self.assertTrue(np.array_equal(infos["_final_obs"], term | trunc))
                i = int(np.argmax(term | trunc))
                self.assertEqual(infos["final_obs"][i].shape, (4,))
                self.assertTrue(np.all(np.abs(obs[i]) <= 0.05))
                break
        else:
            self.fail("no episode ended")
        venv.close()


@unittest.skipUnless(_importable("stable_baselines3"), "stable_baselines3 is not installed here (checked by hand: docs/server.md)")
class SB3AdapterTests(unittest.TestCase):
    def test_vec_env_contract_with_vec_monitor_and_vec_normalize(self):
        from stable_baselines3.common.vec_env.vec_monitor import VecMonitor
        from stable_baselines3.common.vec_env.vec_normalize import VecNormalize
        from stable_baselines3.common.vec_env.base_vec_env import VecEnv
        from tg4gym.sb3 import RemoteVecEnv
        venv = RemoteVecEnv(SERVERS["tcp"].address, "CartPole-v1", 4, seed=0)
        self.assertIsInstance(venv, VecEnv)
        self.assertIsNone(venv.render_mode)
        self.assertFalse(venv.has_attr("action_masks"))  # CartPole has none: AttributeError path
        obs0 = venv.reset()
        venv.seed(0)
        np.testing.assert_array_equal(venv.reset(), obs0)  # seed() applies to the next reset only
        mon = VecNormalize(VecMonitor(venv), norm_reward=False)
        obs = mon.reset()
        episodes, truncated = 0, 0
        raw = mon.get_original_obs()
        for _ in range(700):
            obs, rew, dones, infos = mon.step(_controller(raw))
            raw = mon.get_original_obs()
            self.assertEqual(rew.dtype, np.float32)
            for i in np.flatnonzero(dones):
                self.assertEqual(infos[i]["terminal_observation"].shape, (4,))
                self.assertIn("episode", infos[i])
                episodes += 1
                truncated += int(infos[i]["TimeLimit.truncated"])
                self.assertEqual(infos[i]["TimeLimit.truncated"], infos[i]["episode"]["l"] == 500)
            self.assertTrue(all("TimeLimit.truncated" in x for x in infos))
        self.assertGreater(episodes, 0)
        self.assertGreater(truncated, 0)
        mon.close()

    def test_get_attr_env_method_render(self):
        from tg4gym.sb3 import RemoteVecEnv
        venv = RemoteVecEnv(SERVERS["ipc"].address, "CartPole-v1", 2, render_mode="ansi")
        self.assertEqual(venv.render_mode, "ansi")
        venv.reset()
        self.assertEqual(venv.get_attr("render_mode", indices=[1]), ["ansi"])
        self.assertIn("x=", venv.env_method("render", indices=0)[0])
        self.assertEqual(venv.env_is_wrapped(object), [False, False])
        with self.assertRaises(AttributeError):
            venv.get_attr("no_such_thing")
        with self.assertRaises(AttributeError):
            venv.set_attr("render_mode", "human")
        venv.close()


if __name__ == "__main__":
    unittest.main()
