// Benchmark of the environment server: round trips/s and sub-env steps/s for N = 1, 16, 64, 256 sub-envs over
// tcp://127.0.0.1 and ipc://, against the same-process direct call (makeVec(...).step) measured in the same run.
// The server runs as a real `tg4 serve` subprocess; this process is the client. Then the Python twin
// (scripts/bench/server_client.py) measures the Python client on CartPole N = 64 against a pure-Python CartPole loop,
// and RemoteVecEnv x 64 on tg4/Trading-v0 against gym-anytrading x 64 in SB3's DummyVecEnv (issue 19).
// Row T64: tg4/Trading-v0 x 64 (default kwargs: 996-float observations, 255 KB per reply) with random actions, served
// against the same vector env stepped in this process (issue 19's goal: the served step takes at most 1.5x the
// in-process one, i.e. remote/direct >= 0.67).
// Figures are noisy on a shared 2-core machine: compare ratios within one run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../envs/index.ts';
import { makeVec } from '../../src/core/index.ts';
import { Rng } from '../../src/core/rng.ts';
import { make } from '../../src/core/registry.ts';
import { decodeMessage, encodeMessage } from '../../src/server/protocol/codec.ts';
import { encodeBatchReply, ReplyMemory } from '../../src/server/protocol/fast-reply.ts';
import { readStepRequest } from '../../src/server/protocol/fast-step.ts';
import { parseRequest, type StepRequest } from '../../src/server/protocol/messages.ts';
import { VectorEngine } from '../../src/server/session.ts';
import { Tg4Client } from '../../src/server/client.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SIZES = [1, 16, 64, 256];
const SECONDS = Number(process.env.TG4_BENCH_SECONDS ?? 1.5);
const TRADING = 'tg4/Trading-v0';
const TRADING_N = 64;

/** 256 batches of seeded uniform random Discrete(k) actions, drawn before timing. */
function randomActions(n: number, k: number): Int32Array[] {
  const rng = new Rng(19);
  return Array.from({ length: 256 }, () => Int32Array.from({ length: n }, () => rng.integer(k)));
}

function startServe(bind: string): Promise<{ proc: ChildProcess; address: string }> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'tg4.js'), 'serve', '--bind', bind], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ proc, address: m[1]! });
    });
    proc.on('exit', (c) => reject(new Error(`tg4 serve exited (${c}) before listening`)));
  });
}

/** Runs `fn` repeatedly for about SECONDS (after a short warm-up); returns calls per second. */
async function rate(fn: () => unknown, seconds: number): Promise<number> {
  const warm = performance.now() + 50;
  while (performance.now() < warm) await fn();
  let calls = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let k = 0; k < 10; k++) await fn();
    calls += 10;
  }
  return calls / ((performance.now() - t0) / 1000);
}

/** A bare ROUTER echo in another process: the transport's own round-trip floor on this machine right now. */
function startEcho(bind: string): Promise<{ proc: ChildProcess; address: string }> {
  const code = `import * as zmq from 'zeromq';
const r = new zmq.Router({ linger: 0 });
await r.bind(${JSON.stringify(bind)});
console.log('listening on ' + r.lastEndpoint);
for await (const m of r) await r.send(m);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve({ proc, address: m[1]! });
    });
    proc.on('exit', (c) => reject(new Error(`echo server exited (${c})`)));
  });
}

function fmt(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

interface Cell {
  transport: string;
  label: string;
  n: number;
  perCall: number;
  run: () => unknown;
  samples: number[];
  /** CPU µs per call: this process's (direct rows), or the `tg4 serve` process's, all threads (T64 rows). */
  cpu?: { pid: number | null; samples: number[] };
}

/** CPU seconds (user + system, all threads) of a process so far, from /proc (Linux); NaN where it cannot be read. */
function procCpuS(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(/\s+/);
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of `pid` (or of this process when null). */
function cpuS(pid: number | null): number {
  if (pid !== null) return procCpuS(pid);
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/**
 * The server's own work per Trading-v0 x 64 step request, in this process (no socket): decode and check the message,
 * step the session's vector engine, write the reply; with reuse_reply (the reply written over the previous one's
 * memory) and without (a fresh buffer per reply, as before it existed), against the vector env's bare step. CPU time
 * of this process, interleaved rounds, medians. Issue 19's goal: the served step adds at most half again.
 */
function serverWork(rounds: number): void {
  const n = TRADING_N;
  const tape = randomActions(n, 3);
  const direct = makeVec(TRADING, { numEnvs: n, autoresetMode: 'same-step' });
  direct.reset({ seed: 0 });
  const engine = new VectorEngine(makeVec(TRADING, { numEnvs: n, autoresetMode: 'same-step' }), make(TRADING));
  engine.reset(0, null, null);
  // The same with window deltas (make.obs_window): the byte-for-byte check of each window and a smaller reply.
  const deltas = new VectorEngine(makeVec(TRADING, { numEnvs: n, autoresetMode: 'same-step' }), make(TRADING), true);
  deltas.reset(0, null, null);
  const requests = (reuse: boolean) =>
    tape.map((a, k) =>
      encodeMessage({
        v: 1,
        id: k,
        op: 'step',
        session: 's',
        actions: { dtype: 'int64', shape: [n], data: new Uint8Array(BigInt64Array.from(a, BigInt).buffer) },
        env_ids: null,
        ...(reuse ? { reuse_reply: true } : {}),
      }),
    );
  const memory = new ReplyMemory();
  const peer = Buffer.from('bench');
  const serve = (bytes: Buffer[], by: VectorEngine = engine) => {
    let k = 0;
    return () => {
      const body = bytes[k++ & 255]!;
      // The server's path: the step reader, the general decode only for what it leaves.
      const req = (readStepRequest(body) ?? parseRequest(decodeMessage(body))) as StepRequest;
      return encodeBatchReply(req.id, by.step(req.actions, req.env_ids), { memory, peer, reuse: req.reuse_reply });
    };
  };
  let t = 0;
  const cases: [string, () => unknown][] = [
    ['in-process step (baseline)', () => direct.step(tape[t++ & 255]!)],
    ['served, reuse_reply', serve(requests(true))],
    ['served, fresh reply buffer', serve(requests(false))],
    ['served, window deltas', serve(requests(true), deltas)],
  ];
  const perCall = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds + 1; r++) {
    cases.forEach(([, fn], i) => {
      const c0 = cpuS(null);
      let calls = 0;
      const end = performance.now() + (SECONDS * 1000) / rounds;
      while (performance.now() < end) {
        for (let j = 0; j < 20; j++) fn();
        calls += 20;
      }
      if (r > 0) perCall[i]!.push(((cpuS(null) - c0) * 1e6) / calls); // round 0 warms up
    });
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(perCall[0]!);
  console.log(
    `server work per ${TRADING} x ${n} step request in this process (decode + step + reply, no socket), CPU, median of ${rounds} interleaved rounds:`,
  );
  cases.forEach(([label, _], i) => {
    const v = median(perCall[i]!);
    console.log(`  ${label.padEnd(28)} ${v.toFixed(1).padStart(7)} us  ${(v / base).toFixed(2)}x (goal <= 1.5x)`);
  });
  engine.close();
  deltas.close();
  direct.close();
}

async function main(): Promise<void> {
  const rounds = Number(process.env.TG4_BENCH_ROUNDS ?? 3);
  if (process.env.TG4_BENCH_ONLY === 'server-work') return serverWork(Math.max(rounds, 5));
  const cells: Cell[] = [];
  const direct = new Map<string | number, Cell>();
  const tradingTape = randomActions(TRADING_N, 3);
  {
    const venv = makeVec(TRADING, { numEnvs: TRADING_N });
    venv.reset({ seed: 0 });
    let t = 0;
    const cell: Cell = {
      transport: 'direct',
      label: 'T64',
      n: TRADING_N,
      perCall: TRADING_N,
      run: () => venv.step(tradingTape[t++ & 255]!),
      samples: [],
      cpu: { pid: null, samples: [] },
    };
    direct.set('T64', cell);
    cells.push(cell);
  }
  for (const n of SIZES) {
    const venv = makeVec('CartPole-v1', { numEnvs: n });
    venv.reset({ seed: 0 });
    const actions = new Int32Array(n);
    let t = 0;
    const cell: Cell = {
      transport: 'direct',
      label: String(n),
      n,
      perCall: n,
      run: () => {
        actions.fill(t++ & 1);
        venv.step(actions);
      },
      samples: [],
    };
    direct.set(n, cell);
    cells.push(cell);
  }
  const procs: ChildProcess[] = [];
  const clients: Tg4Client[] = [];
  try {
    for (const transport of ['tcp', 'ipc'] as const) {
      const echo = await startEcho(
        transport === 'tcp' ? 'tcp://127.0.0.1:0' : `ipc://${join(mkdtempSync(join(tmpdir(), 'tg4-echo-')), 'e.sock')}`,
      );
      procs.push(echo.proc);
      const zmq = await import('zeromq');
      const d = new zmq.Dealer({ linger: 0 });
      d.connect(echo.address);
      const ping = Buffer.from('ping');
      cells.push({
        transport,
        label: 'echo',
        n: 0,
        perCall: 0,
        run: async () => {
          await d.send(ping);
          await d.receive();
        },
        samples: [],
      });
      const bind =
        transport === 'tcp'
          ? 'tcp://127.0.0.1:0'
          : `ipc://${join(mkdtempSync(join(tmpdir(), 'tg4-bench-')), 's.sock')}`;
      const { proc, address } = await startServe(bind);
      procs.push(proc);
      const client = await Tg4Client.connect(address);
      clients.push(client);
      cells.push({ transport, label: 'hello', n: 0, perCall: 0, run: () => client.request('hello'), samples: [] });
      for (const n of SIZES) {
        const env = await client.makeVec('CartPole-v1', { numEnvs: n, seed: 0 });
        await env.reset();
        const actions = new Int32Array(n);
        let t = 0;
        cells.push({
          transport,
          label: String(n),
          n,
          perCall: n,
          run: () => {
            actions.fill(t++ & 1);
            return env.step(actions);
          },
          samples: [],
        });
      }
      const trading = await client.makeVec(TRADING, { numEnvs: TRADING_N, seed: 0 });
      await trading.reset();
      let tt = 0;
      cells.push({
        transport,
        label: 'T64',
        n: TRADING_N,
        perCall: TRADING_N,
        run: () => trading.step(tradingTape[tt++ & 255]!),
        samples: [],
        cpu: { pid: proc.pid!, samples: [] },
      });
      // Pipelining: two half-batches in flight on one connection (EnvPool send/recv), N = 256.
      const n = 256;
      const env = await client.makeVec('CartPole-v1', { numEnvs: n, batchSize: n / 2, seed: 0 });
      await env.reset();
      const halves = [Array.from({ length: n / 2 }, (_, i) => i), Array.from({ length: n / 2 }, (_, i) => i + n / 2)];
      const acts = new Int32Array(n / 2);
      env.send(acts, halves[0]);
      let k = 0;
      cells.push({
        transport,
        label: '256p',
        n,
        perCall: n / 2,
        run: async () => {
          env.send(acts, halves[++k & 1]);
          await env.recv();
        },
        samples: [],
      });
    }
    // Interleaved rounds, median per cell: the machine's load drifts within a run.
    for (let r = 0; r < rounds; r++) {
      for (const c of cells) {
        // T64 rows run 4x longer: /proc counts CPU in 10 ms ticks.
        const seconds = (c.cpu ? 4 : 1) * (SECONDS / rounds);
        const c0 = c.cpu ? cpuS(c.cpu.pid) : 0;
        const t0 = performance.now();
        const r = await rate(c.run, seconds);
        c.samples.push(r);
        if (c.cpu) c.cpu.samples.push(((cpuS(c.cpu.pid) - c0) * 1e6) / (r * ((performance.now() - t0) / 1000)));
      }
    }
  } finally {
    for (const c of clients) c.close();
    for (const p of procs) p.kill('SIGTERM');
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `server bench: CartPole-v1 (T64: tg4/Trading-v0 x 64, random actions), median of ${rounds} interleaved rounds, ${SECONDS}s per cell in all; direct = makeVec(...).step in this process (the baseline)`,
  );
  console.log('256p = N 256 stepped as two pipelined half-batches (batch_size 128, send/recv) on the sub-env engine');
  console.log(
    'echo = a bare ZeroMQ ROUTER echo process (no msgpack, no env): the round-trip floor of the machine right now',
  );
  console.log(
    `${'transport'.padEnd(9)} ${'N'.padStart(5)} ${'round trips/s'.padStart(14)} ${'sub-env steps/s'.padStart(16)} ${'direct steps/s'.padStart(15)} ${'remote/direct'.padStart(14)}`,
  );
  const echoOf = new Map<string, number>();
  const directT64 = direct.get('T64')!;
  const directCpu = median(directT64.cpu!.samples);
  for (const c of cells) {
    if (c.transport === 'direct') continue;
    const rt = median(c.samples);
    if (c.label === 'echo') {
      echoOf.set(c.transport, rt);
      console.log(`${c.transport.padEnd(9)} ${'echo'.padStart(5)} ${fmt(rt).padStart(14)}`);
    } else if (c.label === 'hello') {
      console.log(
        `${c.transport.padEnd(9)} ${'hello'.padStart(5)} ${fmt(rt).padStart(14)} ${''.padStart(16)} ${''.padStart(15)} ${`${(rt / echoOf.get(c.transport)!).toFixed(2)}x echo`.padStart(14)}`,
      );
    } else {
      const d = median(direct.get(c.label === 'T64' ? 'T64' : c.n)!.samples) * c.n;
      const steps = rt * c.perCall;
      console.log(
        `${c.transport.padEnd(9)} ${c.label.padStart(5)} ${fmt(rt).padStart(14)} ${fmt(steps).padStart(16)} ${fmt(d).padStart(15)} ${(steps / d).toFixed(3).padStart(14)}`,
      );
      if (c.cpu) {
        const s = median(c.cpu.samples);
        console.log(
          `${''.padEnd(15)} CPU per batch: tg4 serve ${s.toFixed(0)} us (all threads) vs in-process step ${directCpu.toFixed(0)} us: ${(s / directCpu).toFixed(2)}x (goal <= 1.5x)`,
        );
      }
    }
  }

  // The test venv (scripts/setup/python-venv.sh) has SB3 and Gymnasium, which the trading table needs.
  const venvPython = join(ROOT, process.env.TG4_VENV ?? '.venv-tg4', 'bin', 'python');
  serverWork(Math.max(rounds, 5));

  const py = process.env.TG4_PYTHON ?? (existsSync(venvPython) ? venvPython : '/usr/bin/python3');
  const ok = existsSync(py) && spawnSync(py, ['-c', 'import zmq, msgpack, numpy'], { encoding: 'utf8' }).status === 0;
  if (!ok) {
    console.log(`(Python twin skipped: ${py} lacks zmq/msgpack/numpy; run bash scripts/setup/python.sh)`);
    return;
  }
  const r = spawnSync(py, [join(ROOT, 'scripts', 'bench', 'server_client.py')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      PYTHONPATH: [join(ROOT, 'agents', 'python'), process.env.PYTHONPATH].filter(Boolean).join(':'),
      TG4_NODE: process.execPath,
    },
  });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
}

await main();
