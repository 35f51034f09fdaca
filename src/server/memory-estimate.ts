// What a session will cost in memory, estimated before it is built, so that the server refuses a make it cannot
// afford instead of finding out by running out of memory. The model is an upper bound fitted to measurements of the
// trading envs (heap + array buffers after a forced GC, 2026-12-06; test/server/memory.test.ts checks it against real
// makes, so a change in the envs that breaks the bound fails that test):
//   sub-env engine, per sub-env:  40 × observation bytes (most of it the env's observationNames: one string per
//     observation element) + the env's own per-bar arrays (Trading-v0 through the server, shared data included:
//     window 32 ×16: 34.9 MB measured, 44 MB estimated; window 4096 ×4: 88.8 MB measured, 98 MB estimated)
//   vector engine: one set of per-bar arrays + per sub-env (3 × observation bytes + 64 KiB: the env's observations,
//     the session's reply batch and the encoder's buffer; Trading-v0 window 1024 × 256 through the server: 84 MB
//     measured, 92 MB estimated), and 3 more with window deltas (obs-window.ts: the batch the client holds, and the
//     full and tail rows of a reply)
// Data shared between sessions (frames, feature matrices: market-store.ts) is counted once, by the store.

export type EngineKind = 'vector' | 'sub-env';

export interface SessionShape {
  engine: EngineKind;
  numEnvs: number;
  /** Float32 elements of one observation. */
  obsElements: number;
  /** Bars of the env's data (0 for envs without market data). */
  bars: number;
  symbols: number;
  /** Feature columns over all symbols. */
  features: number;
  /** The client asked for window deltas (make.obs_window): the vector engine keeps three more observation batches. */
  obsWindow?: boolean;
}

const SUB_ENV_OBS_COPIES = 40;
const VECTOR_OBS_COPIES = 3;
const WINDOW_DELTA_OBS_COPIES = 3;
const VECTOR_PER_ENV_BYTES = 64 * 1024;
const SMALL_ENV_BYTES = 16 * 1024;

/** Per-bar arrays one trading env (or one trading vector env) builds for itself over shared frames and features. */
function perBarBytes(s: SessionShape): number {
  if (s.bars === 0) return SMALL_ENV_BYTES;
  // One symbol: positions, packed bars, ATR and masks (~50-60 B/bar measured). Several: the frames aligned onto one time
  // axis and the features concatenated per env (~385 B/bar for two symbols of 24 features measured).
  const multi = s.symbols > 1 ? 6 * s.features + 80 * s.symbols : 0;
  return s.bars * (64 * s.symbols + multi);
}

export function estimateSessionBytes(s: SessionShape): number {
  const obsBytes = 4 * s.obsElements;
  if (s.engine === 'sub-env') return s.numEnvs * (SUB_ENV_OBS_COPIES * obsBytes + perBarBytes(s));
  const copies = VECTOR_OBS_COPIES + (s.obsWindow === true ? WINDOW_DELTA_OBS_COPIES : 0);
  return perBarBytes(s) + s.numEnvs * (copies * obsBytes + VECTOR_PER_ENV_BYTES);
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.ceil(n / 1024)} KiB`;
}
