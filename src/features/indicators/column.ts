// A column of the data as a feature: a user's own signal (an extra column of the MarketFrame, e.g. sent from Python
// as a DataFrame column) passed through to the observation, normalised like every other feature by the spec.
import { z } from 'zod';
import { defineFeature } from '../feature-def.ts';

export const columnFeature = defineFeature({
  name: 'column',
  description:
    "an extra input column of the data, as it is (a user's own signal, e.g. a DataFrame column sent as data); needs that column",
  params: z.object({ column: z.string().min(1).max(64) }).strict(),
  idParams: ['column'],
  outputs: ['value'],
  warmup: () => 0,
  inputs: (p) => [p.column],
  create: (p, ctx) => {
    const i = ctx.column(p.column);
    return {
      update(b, out, o) {
        out[o] = b.x[i]!; // the engine refuses non-finite inputs before any feature reads them
        return true;
      },
    };
  },
});
