// The promotion gate's thresholds: a JSON or YAML file validated here, over the documented defaults in
// gate.default.json (each key of a user's file replaces the default's). See docs/registry.md.
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isBaselineName, BASELINE_NAMES } from '../../agents/baselines/index.ts';
import { canonicalJson } from './content.ts';
import { RegistryError } from './errors.ts';

const probability = z.number().min(0).max(1);

export const gateConfigSchema = z.strictObject({
  /** Consecutive out-of-sample test windows (walk-forward), each with a fresh portfolio. */
  windows: z.number().int().min(1).max(100),
  /**
   * Where the out-of-sample data starts: after the model's training range ('training'), or also after the validation
   * split when it trained on the 'train' split ('validation': data it was neither trained nor selected on).
   */
  after: z.enum(['training', 'validation']),
  /** Probabilistic Sharpe Ratio of the policy's per-bar returns against buy-and-hold's Sharpe on the same bars. */
  minPsrVsBuyAndHold: probability,
  /** Deflated Sharpe Ratio over every trial recorded for this model name (the registry's trials ledger). */
  minDsr: probability,
  /** Largest peak-to-trough loss of the chained test windows (a fraction). */
  maxDrawdown: z.number().gt(0).max(1),
  /** Fewest trades over all windows: fewer is no evidence. */
  minTrades: z.number().int().min(0),
  /** Traded notional / initial capital per bar, at most. */
  maxTurnoverPerBar: z.number().gt(0),
  /** Baselines whose Sharpe (chained windows) the policy must beat; the bot's EMA-9 rule is 'ema-trend-flip'. */
  beat: z.array(z.string().refine(isBaselineName, { message: `a baseline: ${BASELINE_NAMES.join(', ')}` })),
});

export type GateConfig = z.infer<typeof gateConfigSchema>;

export const DEFAULT_GATE: GateConfig = gateConfigSchema.parse(
  JSON.parse(readFileSync(new URL('./gate.default.json', import.meta.url), 'utf8')),
);

/** Validates a config object over the defaults (REGISTRY_ERROR naming each bad key). */
export function parseGateConfig(raw: unknown, where = 'gate config'): GateConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new RegistryError(`${where} must be an object of thresholds (see src/registry/gate.default.json)`);
  const r = gateConfigSchema.safeParse({ ...DEFAULT_GATE, ...(raw as Record<string, unknown>) });
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new RegistryError(
      `${where}: ${issues} (defaults and meanings: src/registry/gate.default.json, docs/registry.md)`,
    );
  }
  return r.data;
}

/** Reads a .json / .yaml / .yml thresholds file; none: the defaults. */
export function loadGateConfig(path?: string): GateConfig {
  if (path === undefined) return DEFAULT_GATE;
  if (!existsSync(path)) throw new RegistryError(`gate config ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new RegistryError(`gate config ${path} does not parse (${(e as Error).message})`);
  }
  return parseGateConfig(raw, `gate config ${path}`);
}

export function gateConfigHash(c: GateConfig): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex').slice(0, 16);
}
