"""tg4gym's client-side rules, without Gymnasium: addresses, the hello check (protocol and release), kwargs conversion
at every level, the default train split, and data columns. The hello check runs against a stand-in ROUTER socket that
answers hello as a given server would. Run with Debian's python3 by test/python/python.test.ts."""
from __future__ import annotations

import threading
import time
import unittest

import numpy as np
import zmq

import tg4gym
from tg4gym import Client, InvalidAddress, ServerUnreachable, VersionMismatch
from tg4gym.data import DataColumnsError, encode_data
from tg4gym.kwargs import to_wire_kwargs, with_default_range
from tg4gym.wire import pack, unpack


class FakeServer:
    """A ROUTER socket on loopback that answers every request with `hello` (and nothing else)."""

    def __init__(self, hello: dict):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.setsockopt(zmq.LINGER, 0)
        port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.address = f"tcp://127.0.0.1:{port}"
        self.hello = hello
        self.stop_flag = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop_flag:
            if self.sock.poll(50):
                identity, data = self.sock.recv_multipart()
                req = unpack(data)
                self.sock.send_multipart([identity, pack({"id": req["id"], "result": self.hello})])

    def close(self):
        self.stop_flag = True
        self.thread.join()
        self.sock.close(0)


def hello(server: str = f"tg4-gym/{tg4gym.__version__}", protocol: int = 1) -> dict:
    return {"protocol": protocol, "server": server, "env_ids": ["CartPole-v1"],
            "limits": {"max_message_bytes": 1 << 20, "max_sessions": 4, "max_envs_per_session": 8, "idle_timeout_s": 60}}


class HelloCheckTests(unittest.TestCase):
    def connect(self, answer: dict):
        srv = FakeServer(answer)
        try:
            return Client(srv.address, timeout_ms=3_000)
        finally:
            srv.close()

    def test_same_release_connects(self):
        c = self.connect(hello())
        self.assertEqual(c.hello["server"], f"tg4-gym/{tg4gym.__version__}")
        c.close()
        patch = tg4gym.__version__.rsplit(".", 1)[0] + ".99"
        self.connect(hello(server=f"tg4-gym/{patch}")).close()  # a patch release speaks the same wire

    def test_other_protocol_or_release_or_server_is_refused(self):
        major, minor = (int(x) for x in tg4gym.__version__.split(".")[:2])
        for answer, needle in ((hello(protocol=2), "protocol 2"),
                               (hello(server=f"tg4-gym/{major}.{minor + 1}.0"), "same major.minor"),
                               (hello(server="other-thing/1.0"), "not a tg4 server")):
            with self.subTest(answer=answer["server"]):
                with self.assertRaises(VersionMismatch) as cm:
                    self.connect(answer)
                self.assertEqual(cm.exception.code, "PROTOCOL_ERROR")
                self.assertIn(needle, str(cm.exception))

    def test_oversized_request_is_refused_before_sending(self):
        srv = FakeServer(hello())
        try:
            c = Client(srv.address, timeout_ms=3_000)
            with self.assertRaises(tg4gym.RemoteError) as cm:
                c.request("make", env_id="CartPole-v1", kwargs={"blob": b"x" * (2 << 20)})
            self.assertEqual(cm.exception.code, "LIMIT_EXCEEDED")
            c.close()
        finally:
            srv.close()


class AddressTests(unittest.TestCase):
    def test_addresses_without_transport_are_explained(self):
        for bad, hint in (("127.0.0.1:5555", "tcp://127.0.0.1:5555"), ("localhost:5555", "tcp://localhost:5555"),
                          ("/tmp/tg4.sock", "ipc:///tmp/tg4.sock"), ("inproc://x", "same process"),
                          ("tcp://127.0.0.1", "tcp://HOST:PORT"), (5555, "string")):
            with self.subTest(address=bad):
                with self.assertRaises(InvalidAddress) as cm:
                    Client(bad)
                self.assertIn(hint, str(cm.exception))
                self.assertEqual(cm.exception.code, "INVALID_ARGUMENT")

    def test_nothing_listening_fails_within_the_connect_timeout(self):
        t0 = time.monotonic()
        with self.assertRaises(ServerUnreachable) as cm:
            Client("tcp://127.0.0.1:9", connect_timeout_ms=800)
        self.assertLess(time.monotonic() - t0, 3.0)
        self.assertIn("npx tg4 serve --bind tcp://127.0.0.1:9", str(cm.exception))
        self.assertIsInstance(cm.exception, ConnectionError)


class KwargsTests(unittest.TestCase):
    def test_snake_case_at_every_level_specs_verbatim(self):
        kw = {"render_mode": "ansi", "executor": {"fee_rate": 0.002, "stop_loss_atr": 2}, "episode_length": None,
              "levels": [0, 0.5], "reward": {"log_return": 1, "differential_sharpe": 0.5},
              "features": {"base_timeframe": "1h", "features": [{"feature": "rsi", "params": {"rsi_period": 7}}]}}
        self.assertEqual(to_wire_kwargs(kw), {
            "renderMode": "ansi", "executor": {"feeRate": 0.002, "stopLossAtr": 2}, "episodeLength": None,
            "levels": [0, 0.5], "reward": {"log_return": 1, "differential_sharpe": 0.5},
            "features": {"base_timeframe": "1h", "features": [{"feature": "rsi", "params": {"rsi_period": 7}}]}})

    def test_train_split_by_default_for_the_trading_envs_only(self):
        self.assertEqual(with_default_range("tg4/Trading-v0", {}), {"range": "train"})
        self.assertEqual(with_default_range("tg4/Portfolio-v0", {"range": "test"}), {"range": "test"})
        self.assertEqual(with_default_range("CartPole-v1", {}), {})


class DataColumnsTests(unittest.TestCase):
    def columns(self, n=5):
        t = np.arange(n, dtype=np.int64) * 3_600_000 + 1_700_000_000_000
        p = np.linspace(100, 101, n)
        return {"time": t, "open": p, "high": p + 1, "low": p - 1, "close": p, "volume": np.ones(n),
                "sentiment": np.arange(n)}

    def test_dict_of_columns_travels_as_float64_wire_arrays(self):
        enc = encode_data(self.columns())
        self.assertEqual(sorted(enc["columns"]), ["close", "high", "low", "open", "sentiment", "time", "volume"])
        self.assertTrue(all(w["dtype"] == "float64" and w["shape"] == [5] for w in enc["columns"].values()))
        self.assertEqual(encode_data("bundled"), "bundled")
        self.assertEqual(len(encode_data([self.columns(), self.columns()])), 2)

    def test_bad_columns_fail_before_sending(self):
        cols = self.columns()
        for change, needle in (({"time": None}, "no time column"), ({"volume": None}, "missing column(s) volume"),
                               ({"open": np.ones(4)}, "has 4 rows"), ({"note": np.array(["a"] * 5)}, "not numeric"),
                               ({"open": np.ones((5, 2))}, "one-dimensional")):
            bad = {k: v for k, v in {**cols, **change}.items() if v is not None}
            with self.subTest(needle=needle):
                with self.assertRaisesRegex(DataColumnsError, needle.replace("(", r"\(").replace(")", r"\)")):
                    encode_data(bad)
        with self.assertRaisesRegex(DataColumnsError, "DataFrame"):
            encode_data(42)


if __name__ == "__main__":
    unittest.main()
