// Executor throughput: orders/s and mark-to-market updates/s, object API (PaperExecutor) and batched kernel (N accounts),
// each as a ratio against a bare arithmetic loop doing the same core math inline, measured in the same run.
// Run: npx tsx scripts/bench/executor.ts [--seconds 1] [--n 64]. Figures are noisy on a shared machine.
import * as K from '../../src/execution/kernel.ts';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';

const args = process.argv.slice(2);
const argNum = (name: string, d: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : d; };
const SECONDS = argNum('--seconds', 1);
const N = argNum('--n', 64);
const H = 3600_000;

// Deterministic price path (no Math.random): a bounded oscillation, long enough to not repeat in a tight pattern.
const T = 1 << 16;
const OPEN = new Float64Array(T); const HIGH = new Float64Array(T); const LOW = new Float64Array(T); const CLOSE = new Float64Array(T);
for (let t = 0; t < T; t++) {
  const o = 20_000 * (1 + 0.05 * Math.sin(t / 97) + 0.01 * Math.sin(t / 7));
  const c = 20_000 * (1 + 0.05 * Math.sin((t + 1) / 97) + 0.01 * Math.sin((t + 1) / 7));
  OPEN[t] = o; CLOSE[t] = c; HIGH[t] = Math.max(o, c) * 1.002; LOW[t] = Math.min(o, c) * 0.998;
}

/** Runs fn(batch) repeatedly for ~SECONDS; fn returns the number of operations it did. */
function rate(fn: () => number): number {
  let ops = 0; fn(); // warm-up
  const t0 = performance.now(); let t1 = t0;
  while ((t1 = performance.now()) - t0 < SECONDS * 1000) ops += fn();
  return ops / ((t1 - t0) / 1000);
}
let sink = 0;

// ---- baselines: the same core arithmetic inline on plain variables / typed arrays
const bareOrders = (() => {
  let cash = 1e9; let size = 0; let entry = 0; let t = 0;
  return () => {
    for (let k = 0; k < 10_000; k++) {
      const ref = OPEN[t++ & (T - 1)]!;
      const qty = size > 0 ? -size : 0.1;
      const fill = qty > 0 ? ref * 1.0005 : ref * 0.9995;
      const fee = 0.001 * Math.abs(qty) * fill;
      cash -= fee;
      if (size === 0) { entry = fill; size = qty; } else { cash += size * (fill - entry); size = 0; }
    }
    sink += cash; return 10_000;
  };
})();
const bareMarks = (() => {
  const cash = new Float64Array(N).fill(1e9); const size = new Float64Array(N).fill(0.1); const entry = new Float64Array(N).fill(20_000);
  const peak = new Float64Array(N); const dd = new Float64Array(N); let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const c = CLOSE[t++ & (T - 1)]!;
      for (let i = 0; i < N; i++) {
        const e = cash[i]! + size[i]! * (c - entry[i]!);
        if (e > peak[i]!) peak[i] = e;
        const d = (peak[i]! - e) / peak[i]!; if (d > dd[i]!) dd[i] = d;
      }
    }
    sink += dd[0]!; return steps * N;
  };
})();

// ---- kernel, batched over N accounts
const params = K.createParams([{}]);
const kernelOrders = (() => {
  const b = K.createBook(N, 1, 1e9); let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const ref = OPEN[t & (T - 1)]!; const time = t * H; t++;
      for (let i = 0; i < N; i++) K.marketOrder(b, params, i, 0, b.size[i]! > 0 ? -b.size[i]! : 0.1, ref, time);
    }
    sink += b.cash[0]!; return steps * N;
  };
})();
const kernelMarks = (() => {
  const b = K.createBook(N, 1, 1e9); let t = 0;
  for (let i = 0; i < N; i++) K.marketOrder(b, params, i, 0, 0.1, OPEN[0]!, 0);
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const j = t & (T - 1); const time = t * H; t++;
      for (let i = 0; i < N; i++) { b.markPrice[i] = CLOSE[j]!; K.markAccount(b, i, time); }
    }
    sink += b.equity[0]!; return steps * N;
  };
})();
// a full trading-env step per sub-env: target order (clipped to the cap) + exits + intrabar check + mark
const kernelEnvSteps = (() => {
  const b = K.createBook(N, 1, 10_000); let t = 0;
  return () => {
    const steps = 200;
    for (let k = 0; k < steps; k++) {
      const j = t & (T - 1); const time = t * H; t++;
      const o = OPEN[j]!;
      for (let i = 0; i < N; i++) {
        if (((t + i) & 7) === 0) {
          const target = ((t + i) & 8) === 0 ? 0.6 : -0.6;
          if (K.orderToTarget(b, params, i, 0, target, o, time, true) === K.ORDER_OK && b.size[i] !== 0 && b.stopLoss[i] !== b.stopLoss[i]) {
            K.setExits(b, i, 0, b.size[i]! > 0 ? o * 0.97 : o * 1.03, b.size[i]! > 0 ? o * 1.04 : o * 0.96, time + 48 * H);
          }
        }
        K.processBar(b, params, i, 0, o, HIGH[j]!, LOW[j]!, CLOSE[j]!, time);
        K.markAccount(b, i, time);
      }
    }
    sink += b.equity[0]!; return steps * N;
  };
})();

// ---- object API
const objectOrders = (() => {
  const ex = new PaperExecutor({ symbols: ['BTC/USD'] }); const pf = ex.createPortfolio('p', 1e9); let t = 0;
  const buy = { portfolio: 'p', symbol: 'BTC/USD', side: 'buy' as const, size: 0.1 };
  const sell = { portfolio: 'p', symbol: 'BTC/USD', side: 'sell' as const, size: 0.1 };
  return () => {
    for (let k = 0; k < 2_000; k++) { const ref = OPEN[t & (T - 1)]!; ex.marketOrder(pf.book.size[0]! > 0 ? sell : buy, ref, t * H); t++; }
    sink += pf.cash; return 2_000;
  };
})();
const objectBars = (() => {
  const ex = new PaperExecutor({ symbols: ['BTC/USD'] }); const pf = ex.createPortfolio('p', 1e9); let t = 0;
  ex.marketOrder({ portfolio: 'p', symbol: 'BTC/USD', side: 'buy', size: 0.1 }, OPEN[0]!, 0);
  return () => {
    for (let k = 0; k < 2_000; k++) { const j = t & (T - 1); ex.onBar('BTC/USD', { time: t * H, open: OPEN[j]!, high: HIGH[j]!, low: LOW[j]!, close: CLOSE[j]! }); t++; }
    sink += pf.equity; return 2_000;
  };
})();

console.log(`executor bench (N=${N} accounts for the batched kernel, ~${SECONDS}s per figure; the machine is shared, figures are noisy)`);
const bo = rate(bareOrders);
const ko = rate(kernelOrders);
const oo = rate(objectOrders);
const bm = rate(bareMarks);
const km = rate(kernelMarks);
const ob = rate(objectBars);
const ks = rate(kernelEnvSteps);
const f = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
console.log(`orders:         bare arithmetic ${f(bo)} | kernel (batched) ${f(ko)} = ${(ko / bo).toFixed(3)}x bare | PaperExecutor.marketOrder ${f(oo)} = ${(oo / bo).toFixed(3)}x bare`);
console.log(`mark-to-market: bare arithmetic ${f(bm)} | kernel markAccount ${f(km)} = ${(km / bm).toFixed(3)}x bare | PaperExecutor.onBar (exits + mark) ${f(ob)} = ${(ob / bm).toFixed(3)}x bare`);
console.log(`env step (order-to-target + exits + intrabar + mark), kernel N=${N}: ${f(ks)} sub-env steps = ${(ks / bm).toFixed(3)}x the bare mark loop; target of the trading env ≥ 2 M/s`);
if (sink === 42) console.log('');
