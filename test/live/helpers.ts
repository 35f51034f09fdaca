// Small helpers shared by the live-loop tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Waits until `cond()` holds (polling every 5 ms) or fails after `ms`, naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Sample {
  kind: string;
  source: string;
  message: Record<string, unknown>;
}

/** The real Kraken WS v2 samples copied into test/fixtures/kraken_ws_v2 (one JSON a line: kind, source, message). */
export function krakenSamples(): Map<string, Sample> {
  const p = fileURLToPath(new URL('../fixtures/kraken_ws_v2/samples.jsonl', import.meta.url));
  const out = new Map<string, Sample>();
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const s = JSON.parse(line) as Sample;
    out.set(s.kind, s);
  }
  return out;
}
