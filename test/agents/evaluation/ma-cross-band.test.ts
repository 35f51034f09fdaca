// The cost-aware baseline of the walk-forward evaluation: a slow EMA crossover that keeps its position inside a
// no-trade band. Its rule on hand-built series, causality, and that the band cuts trades against the same crossover
// without a band on real data.
import { describe, expect, it } from 'vitest';
import { ema } from '../../../agents/baselines/indicators.ts';
import { createBaseline, maCrossBand, runBaseline } from '../../../agents/baselines/index.ts';
import { TradingEnv } from '../../../envs/trading/trading-env.ts';
import { frameFromCloses as frameOf } from '../../envs/trading/helpers.ts';

describe('ma-cross-band (slow crossover with a no-trade band)', () => {
  it('goes long above the band, flat below it (short when allowed), and holds inside it', () => {
    // Rise, then a small dip (inside the band), then a fall.
    const close = [
      ...Array.from({ length: 40 }, (_, i) => 100 + i),
      ...Array.from({ length: 6 }, () => 138),
      ...Array.from({ length: 60 }, (_, i) => 138 - 1.5 * i),
    ];
    const frame = frameOf(close);
    const p = maCrossBand({ fast: 3, slow: 12, band: 0.02 });
    p.prepare(frame);
    const f = ema(frame.close, 3);
    const s = ema(frame.close, 12);
    let pos = 0;
    let longs = 0;
    for (let t = 0; t < frame.length; t++) {
      const next = p.position(t, pos);
      if (Number.isNaN(s[t]!)) expect(next).toBe(0);
      else {
        const spread = f[t]! / s[t]! - 1;
        if (spread > 0.02) expect(next).toBe(1);
        else if (spread < -0.02) expect(next).toBe(0);
        else expect(next).toBe(pos); // inside the band: keep
      }
      if (next === 1) longs++;
      pos = next;
    }
    expect(longs).toBeGreaterThan(20);
    expect(pos).toBe(0);
    const short = maCrossBand({ fast: 3, slow: 12, band: 0.02, allowShort: true });
    short.prepare(frame);
    expect(short.position(frame.length - 1, 0)).toBe(-1);
  });

  it('is causal: changing bars after t never changes the decision at t', () => {
    const close = Array.from({ length: 300 }, (_, i) => 100 + 10 * Math.sin(i / 15) + i * 0.05);
    const a = maCrossBand();
    a.prepare(frameOf(close));
    const cut = 200;
    const b = maCrossBand();
    b.prepare(frameOf([...close.slice(0, cut + 1), ...close.slice(cut + 1).map((c) => c * 1.5)]));
    for (let t = 0; t <= cut; t++) for (const cur of [0, 1]) expect(b.position(t, cur)).toBe(a.position(t, cur));
  });

  it('trades less than half as often as the same crossover without a band on the bundled BTC/USD 1h data', () => {
    const kw = { range: '2019-01-01..2019-07-01', start: 'first' as const, episodeLength: null, ruinFraction: 0 };
    const banded = runBaseline(new TradingEnv(kw), createBaseline('ma-cross-band'));
    const noBand = runBaseline(new TradingEnv(kw), maCrossBand({ band: 0 }));
    expect(banded.metrics.totalTrades).toBeGreaterThan(0);
    expect(banded.metrics.totalTrades * 2).toBeLessThan(noBand.metrics.totalTrades); // measured 11 vs 24
  });
});
