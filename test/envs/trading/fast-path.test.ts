// The single-symbol hold fast path of TradingCore (a step that holds skips placeOrders) against the full step: the
// same vector env run twice from the same seeds, once with the fast path off, must give the same observations, rewards,
// flags and every column of the account book, bit for bit, through entries, exits (stops, targets, max-hold,
// liquidation), cooldowns, rollover, drawdown terminations and autoresets.
import { describe, expect, it } from 'vitest';
import '../../../envs/index.ts';
import { makeVec } from '../../../src/core/index.ts';
import { BOOK_ACCOUNT_COLUMNS, BOOK_SLOT_COLUMNS } from '../../../src/execution/kernel.ts';
import type { TradingVectorEnv } from '../../../envs/trading/index.ts';
import { Rng } from '../../../src/core/rng.ts';
import { frameFromCloses, randomWalk, simpleFeatures } from './helpers.ts';

const frame = frameFromCloses(randomWalk(1500, 7, 0.02));
/** The same market with bars 300-340 and 900-905 flagged as gap fills (flat at the last close: nothing trades). */
const gapped = ((): typeof frame => {
  const f = frameFromCloses(randomWalk(1500, 7, 0.02));
  const filled = new Uint8Array(f.length);
  for (const [a, b] of [
    [300, 340],
    [900, 905],
  ] as const) {
    for (let k = a; k <= b; k++) {
      filled[k] = 1;
      f.open[k] = f.high[k] = f.low[k] = f.close[k] = f.close[a - 1]!;
    }
  }
  return { ...f, filled };
})();
const BASE = {
  frame,
  featureMatrix: simpleFeatures(frame),
  windowSize: 6,
  reward: { log_return: 1, cost: 1, turnover: 0.1, drawdown: 0.5, holding: 0.001 },
  episodeLength: 120,
  cooldownBars: 2,
  maxDrawdown: 0.25,
  executor: {
    stopLossAtr: 1.2,
    takeProfitAtr: 2,
    maxHoldBars: 10, // (was 15: since flips respect the cooldown, 15 bars no longer ends a trade in these runs)
    rolloverRate: 0.0002,
    maxLongLeverage: 3,
    maxShortLeverage: 3,
  },
};

/** Bytes of a typed array, for a bit-for-bit comparison (NaN payloads and −0 included). */
function bytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function run(kwargs: Record<string, unknown>, fast: boolean, continuous: boolean, sticky: number): Uint8Array[] {
  const N = 6;
  const venv = makeVec('tg4/Trading-v0', { numEnvs: N, kwargs }) as TradingVectorEnv;
  venv.core.fastPath = fast;
  venv.reset({ seed: 11 });
  const rng = new Rng(5);
  const trace: Uint8Array[] = [];
  const disc = new Int32Array(N).fill(1);
  const cont = new Float64Array(N);
  for (let step = 0; step < 600; step++) {
    for (let i = 0; i < N; i++) {
      if (rng.random() < sticky) {
        disc[i] = rng.integer(3);
        cont[i] = rng.random() < 0.3 ? 0 : rng.random() * 2 - 1;
      }
    }
    const r = venv.step(continuous ? cont : disc);
    const c = venv.core;
    trace.push(bytes(r.observations), bytes(c.rewards64), bytes(r.terminated), bytes(r.truncated));
    for (const col of [
      c.bar,
      c.steps,
      c.prevEquity,
      c.equity,
      c.peakEquity,
      c.prevPeakEquity,
      c.costs,
      c.turnover,
      c.exposure,
      c.timeInTrade,
      c.level,
      c.entryBar,
      c.cooldownUntil,
      c.orderQty,
      c.orderStatus,
      c.exitReason,
      c.exitQty,
      c.exitPrice,
      c.exitFee,
      c.blocked,
    ])
      trace.push(bytes(col));
  }
  const book = venv.core.book as unknown as Record<string, ArrayBufferView>;
  for (const c of [...BOOK_ACCOUNT_COLUMNS, ...BOOK_SLOT_COLUMNS]) trace.push(bytes(book[c]!));
  venv.close();
  return trace;
}

describe('single-symbol hold fast path == general step', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['discrete3', { ...BASE, actionScheme: 'discrete3' }, false],
    [
      'discrete-sized (high leverage: liquidations)',
      { ...BASE, actionScheme: 'discrete-sized', levels: [-1, 0, 1], exposure: 2.8 },
      false,
    ],
    ['continuous', { ...BASE, actionScheme: 'continuous' }, true],
    [
      'discrete3 over gap-filled bars',
      { ...BASE, frame: gapped, featureMatrix: simpleFeatures(gapped), actionScheme: 'discrete3', episodeLength: 400 },
      false,
    ],
  ];
  for (const [name, kwargs, continuous] of cases) {
    for (const sticky of [0.05, 1]) {
      it(`${name}, policy redraw ${sticky}/step: identical bytes`, () => {
        const a = run(kwargs, true, continuous, sticky);
        const b = run(kwargs, false, continuous, sticky);
        expect(a.length).toBe(b.length);
        for (let k = 0; k < a.length; k++) {
          if (Buffer.compare(a[k]!, b[k]!) !== 0)
            expect.fail(`trace entry ${k} differs between the fast and the general path`);
        }
      });
    }
  }

  it('the cases exercise exits, entries and holds (the comparison is not vacuous)', () => {
    const venv = makeVec('tg4/Trading-v0', {
      numEnvs: 6,
      kwargs: { ...BASE, actionScheme: 'discrete3' },
    }) as TradingVectorEnv;
    venv.reset({ seed: 11 });
    const rng = new Rng(5);
    const reasons = new Set<number>();
    let holds = 0;
    const a = new Int32Array(6).fill(1);
    for (let step = 0; step < 600; step++) {
      for (let i = 0; i < 6; i++) if (rng.random() < 0.05) a[i] = rng.integer(3);
      venv.step(a);
      for (let i = 0; i < 6; i++) {
        reasons.add(venv.core.exitReason[i]!);
        if (venv.core.book.size[i] !== 0 && venv.core.orderQty[i] === 0) holds++;
      }
    }
    expect(reasons.has(2) && reasons.has(3) && reasons.has(4)).toBe(true); // stop, target, max-hold
    expect(holds).toBeGreaterThan(100);
  });
});
