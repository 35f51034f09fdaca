// Executor throughput: orders/s and mark-to-market updates/s, object API (PaperExecutor) and batched kernel (N accounts),
// each as a ratio against a bare arithmetic loop doing the same core math inline, measured in the same run.
// Run: npx tsx scripts/bench/executor.ts [--seconds 1] [--n 64]. Figures are noisy on a shared machine.
import * as K from '../../src/execution/kernel.ts';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';

const args = process.argv.slice(2);
const argNum = (name: string, d: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const SECONDS = argNum('--seconds', 2);
const N = argNum('--n', 64);
const H = 3600_000;

// Deterministic price path (no Math.random): a bounded oscillation, long enough to not repeat in a tight pattern.
const T = 1 << 16;
const OPEN = new Float64Array(T);
const HIGH = new Float64Array(T);
const LOW = new Float64Array(T);
const CLOSE = new Float64Array(T);
for (let t = 0; t < T; t++) {
  const o = 20_000 * (1 + 0.05 * Math.sin(t / 97) + 0.01 * Math.sin(t / 7));
  const c = 20_000 * (1 + 0.05 * Math.sin((t + 1) / 97) + 0.01 * Math.sin((t + 1) / 7));
  OPEN[t] = o;
  CLOSE[t] = c;
  HIGH[t] = Math.max(o, c) * 1.002;
  LOW[t] = Math.min(o, c) * 0.998;
}

let sink = 0;

// ---- baselines: the same core arithmetic inline on plain variables / typed arrays
const bareOrders = (() => {
  let cash = 1e9;
  let size = 0;
  let entry = 0;
  let t = 0;
  return () => {
    for (let k = 0; k < 10_000; k++) {
      const ref = OPEN[t++ & (T - 1)]!;
      const qty = size > 0 ? -size : 0.1;
      const fill = qty > 0 ? ref * 1.0005 : ref * 0.9995;
      const fee = 0.001 * Math.abs(qty) * fill;
      cash -= fee;
      if (size === 0) {
        entry = fill;
        size = qty;
      } else {
        cash += size * (fill - entry);
        size = 0;
      }
    }
    sink += cash;
    return 10_000;
  };
})();
const bareMarks = (() => {
  const cash = new Float64Array(N).fill(1e9);
  const size = new Float64Array(N).fill(0.1);
  const entry = new Float64Array(N).fill(20_000);
  const peak = new Float64Array(N);
  const dd = new Float64Array(N);
  let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const c = CLOSE[t++ & (T - 1)]!;
      for (let i = 0; i < N; i++) {
        const e = cash[i]! + size[i]! * (c - entry[i]!);
        if (e > peak[i]!) peak[i] = e;
        const d = (peak[i]! - e) / peak[i]!;
        if (d > dd[i]!) dd[i] = d;
      }
    }
    sink += dd[0]!;
    return steps * N;
  };
})();

// ---- kernel, batched over N accounts
const params = K.createParams([{}]);
const kernelOrders = (() => {
  const b = K.createBook(N, 1, 1e9);
  let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const ref = OPEN[t & (T - 1)]!;
      const time = t * H;
      t++;
      for (let i = 0; i < N; i++) K.marketOrder(b, params, i, 0, b.size[i]! > 0 ? -b.size[i]! : 0.1, ref, time);
    }
    sink += b.cash[0]!;
    return steps * N;
  };
})();
const kernelMarks = (() => {
  const b = K.createBook(N, 1, 1e9);
  let t = 0;
  for (let i = 0; i < N; i++) K.marketOrder(b, params, i, 0, 0.1, OPEN[0]!, 0);
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const j = t & (T - 1);
      const time = t * H;
      t++;
      for (let i = 0; i < N; i++) {
        b.markPrice[i] = CLOSE[j]!;
        K.markAccount(b, i, time);
      }
    }
    sink += b.equity[0]!;
    return steps * N;
  };
})();
// a full trading-env step per sub-env: target order (clipped to the cap) + exits + intrabar check + mark
const kernelEnvSteps = (() => {
  const b = K.createBook(N, 1, 10_000);
  let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const j = t & (T - 1);
      const time = t * H;
      t++;
      const o = OPEN[j]!;
      for (let i = 0; i < N; i++) {
        if (((t + i) & 7) === 0) {
          const target = ((t + i) & 8) === 0 ? 0.6 : -0.6;
          if (
            K.orderToTarget(b, params, i, 0, target, o, time, true) === K.ORDER_OK &&
            b.size[i] !== 0 &&
            b.stopLoss[i] !== b.stopLoss[i]
          ) {
            K.setExits(
              b,
              i,
              0,
              b.size[i]! > 0 ? o * 0.97 : o * 1.03,
              b.size[i]! > 0 ? o * 1.04 : o * 0.96,
              time + 48 * H,
            );
          }
        }
        K.processBar(b, params, i, 0, o, HIGH[j]!, LOW[j]!, CLOSE[j]!, time);
        K.markAccount(b, i, time);
      }
    }
    sink += b.equity[0]!;
    return steps * N;
  };
})();

// ---- object API
const objectOrders = (() => {
  const ex = new PaperExecutor({ symbols: ['BTC/USD'] });
  const pf = ex.createPortfolio('p', 1e9);
  let t = 0;
  const buy = { portfolio: 'p', symbol: 'BTC/USD', side: 'buy' as const, size: 0.1 };
  const sell = { portfolio: 'p', symbol: 'BTC/USD', side: 'sell' as const, size: 0.1 };
  return () => {
    for (let k = 0; k < 2_000; k++) {
      const ref = OPEN[t & (T - 1)]!;
      ex.marketOrder(pf.book.size[0]! > 0 ? sell : buy, ref, t * H);
      t++;
    }
    sink += pf.cash;
    return 2_000;
  };
})();
const objectBars = (() => {
  const ex = new PaperExecutor({ symbols: ['BTC/USD'] });
  const pf = ex.createPortfolio('p', 1e9);
  let t = 0;
  ex.marketOrder({ portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.1 }, OPEN[0]!, 0);
  return () => {
    for (let k = 0; k < 2_000; k++) {
      const j = t & (T - 1);
      ex.onBar('BTC/USD', { time: t * H, open: OPEN[j]!, high: HIGH[j]!, low: LOW[j]!, close: CLOSE[j]! });
      t++;
    }
    sink += pf.equity;
    return 2_000;
  };
})();

/**
 * Alternates baseline and subject in short slices and reports medians: on a loaded shared machine a ratio measured
 * within the same few hundred ms is far steadier than two figures taken seconds apart.
 */
function paired(base: () => number, subject: () => number): { base: number; subject: number; ratio: number } {
  const rounds = 7;
  const slice = SECONDS / rounds;
  const b: number[] = [];
  const s: number[] = [];
  const r: number[] = [];
  const once = (fn: () => number) => {
    let ops = 0;
    const t0 = performance.now();
    let t1 = t0;
    while (t1 - t0 < slice * 500) {
      ops += fn();
      t1 = performance.now();
    }
    return ops / ((t1 - t0) / 1000);
  };
  base();
  subject();
  for (let k = 0; k < rounds; k++) {
    const x = once(base);
    const y = once(subject);
    b.push(x);
    s.push(y);
    r.push(y / x);
  }
  const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
  return { base: med(b), subject: med(s), ratio: med(r) };
}

console.log(
  `executor bench (N=${N} accounts for the batched kernel; baseline and subject alternate in ${SECONDS}s of slices,`,
);
console.log(
  'medians reported; the machine is shared and loaded, so absolute figures are noisy — the ratios are steadier)',
);
const f = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const ko = paired(bareOrders, kernelOrders);
const oo = paired(bareOrders, objectOrders);
console.log(
  `orders:         bare arithmetic ${f(ko.base)} | kernel marketOrder (batched) ${f(ko.subject)} = ${ko.ratio.toFixed(3)}x bare | PaperExecutor.marketOrder ${f(oo.subject)} = ${oo.ratio.toFixed(3)}x bare (${f(oo.base)})`,
);
const km = paired(bareMarks, kernelMarks);
const ob = paired(bareMarks, objectBars);
console.log(
  `mark-to-market: bare arithmetic ${f(km.base)} | kernel markAccount ${f(km.subject)} = ${km.ratio.toFixed(3)}x bare | PaperExecutor.onBar (exits + mark) ${f(ob.subject)} = ${ob.ratio.toFixed(4)}x bare (${f(ob.base)})`,
);
const ks = paired(bareMarks, kernelEnvSteps);
console.log(
  `env step (order-to-target + exits + intrabar + mark), kernel N=${N}: ${f(ks.subject)} sub-env steps = ${ks.ratio.toFixed(3)}x the bare mark loop (${f(ks.base)}); the trading env aims at ≥ 2 M/s overall`,
);
if (sink === 42) console.log('');
