// Order-book features from top-of-book and depth aggregates per bar (best bid/ask and sizes at levels 1..k).
import { z } from 'zod';
import { FeatureDataError } from '../errors.ts';
import { defineFeature, int } from '../feature-def.ts';
import { bookColumn, type InputBar } from '../input.ts';

/** Mid price. */
export function mid(bid: number, ask: number): number {
  return (bid + ask) / 2;
}

/** Relative spread in basis points of the mid. */
export function spreadBps(bid: number, ask: number): number {
  return ((ask - bid) / ((bid + ask) / 2)) * 1e4;
}

/** Size-weighted microprice (Stoikov): leans toward the side with less size. Mid when both sizes are 0. */
export function microprice(bid: number, ask: number, bidSize: number, askSize: number): number {
  const t = bidSize + askSize;
  return t > 0 ? (ask * bidSize + bid * askSize) / t : (bid + ask) / 2;
}

/** (Σ bid size − Σ ask size) / (Σ both) over the given levels; 0 for an empty book. */
export function depthImbalance(bidSizes: Float64Array, askSizes: Float64Array, levels: number): number {
  let b = 0;
  let a = 0;
  for (let i = 0; i < levels; i++) {
    b += bidSizes[i]!;
    a += askSizes[i]!;
  }
  const t = a + b;
  return t > 0 ? (b - a) / t : 0;
}

function checkBook(b: InputBar, bid: number, ask: number): void {
  if (!(bid > 0 && ask >= bid)) {
    throw new FeatureDataError(
      b.time,
      `order book input is not a valid book: best bid ${bid}, best ask ${ask} (need 0 < bid ≤ ask)`,
    );
  }
}

const BID_PX = bookColumn('bid', 'px', 1);
const ASK_PX = bookColumn('ask', 'px', 1);
const TOP_OF_BOOK = [BID_PX, ASK_PX];
const noParams = () => z.object({}).strict();

/** A feature of the best bid and ask, checked to be a valid book on every bar. */
const topOfBook = (
  name: string,
  description: string,
  outputs: readonly string[],
  write: (bid: number, ask: number, b: InputBar, out: Float64Array, o: number) => void,
) =>
  defineFeature({
    name,
    description,
    params: noParams(),
    outputs,
    defaultOutputs: outputs.slice(-1),
    warmup: () => 0,
    inputs: TOP_OF_BOOK,
    create: (_p, ctx) => {
      const bi = ctx.column(BID_PX);
      const ai = ctx.column(ASK_PX);
      return {
        update(b, out, o) {
          const bid = b.x[bi]!;
          const ask = b.x[ai]!;
          checkBook(b, bid, ask);
          write(bid, ask, b, out, o);
          return true;
        },
      };
    },
  });

export const spreadFeature = topOfBook(
  'spread',
  'relative bid-ask spread in basis points; needs bid_px_1, ask_px_1',
  ['bps'],
  (bid, ask, _b, out, o) => {
    out[o] = spreadBps(bid, ask);
  },
);

export const midFeature = topOfBook(
  'mid',
  'mid price (bid + ask) / 2; dist = mid / close − 1; needs bid_px_1, ask_px_1',
  ['value', 'dist'],
  (bid, ask, b, out, o) => {
    const m = mid(bid, ask);
    out[o] = m;
    out[o + 1] = m / b.close - 1;
  },
);

const MICROPRICE_INPUTS = ['bid_px_1', 'ask_px_1', 'bid_sz_1', 'ask_sz_1'];

export const micropriceFeature = defineFeature({
  name: 'microprice',
  description:
    'size-weighted microprice; dev_bps = (microprice − mid) / mid in bps; needs bid/ask px and sz at level 1',
  params: noParams(),
  outputs: ['value', 'dev_bps'],
  defaultOutputs: ['dev_bps'],
  warmup: () => 0,
  inputs: MICROPRICE_INPUTS,
  create: (_p, ctx) => {
    const [bp, ap, bs, as] = MICROPRICE_INPUTS.map((c) => ctx.column(c)) as [number, number, number, number];
    return {
      update(b, out, o) {
        const bid = b.x[bp]!;
        const ask = b.x[ap]!;
        checkBook(b, bid, ask);
        const mp = microprice(bid, ask, b.x[bs]!, b.x[as]!);
        const m = mid(bid, ask);
        out[o] = mp;
        out[o + 1] = ((mp - m) / m) * 1e4;
        return true;
      },
    };
  },
});

export const depthImbalanceFeature = defineFeature({
  name: 'depth_imbalance',
  description: '(Σ bid size − Σ ask size) / Σ both over the first k levels; needs bid_sz_1..k, ask_sz_1..k',
  params: z.object({ levels: int(1, 100).default(5) }).strict(),
  idParams: ['levels'],
  outputs: ['value'],
  warmup: () => 0,
  inputs: (p) =>
    Array.from({ length: p.levels }, (_, i) => [bookColumn('bid', 'sz', i + 1), bookColumn('ask', 'sz', i + 1)]).flat(),
  create: (p, ctx) => {
    const bidIdx = Int32Array.from({ length: p.levels }, (_, i) => ctx.column(bookColumn('bid', 'sz', i + 1)));
    const askIdx = Int32Array.from({ length: p.levels }, (_, i) => ctx.column(bookColumn('ask', 'sz', i + 1)));
    const bids = new Float64Array(p.levels);
    const asks = new Float64Array(p.levels);
    return {
      update(b, out, o) {
        for (let i = 0; i < p.levels; i++) {
          bids[i] = b.x[bidIdx[i]!]!;
          asks[i] = b.x[askIdx[i]!]!;
        }
        out[o] = depthImbalance(bids, asks, p.levels);
        return true;
      },
    };
  },
});
