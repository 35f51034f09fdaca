// Promotion: move an alias to a version only if it fits the target (feature-spec hash, observation layout, action
// mapping: compat.ts) and passes the gate (gate.ts) — or, for a failing gate, with --force and a reason, logged as
// forced. The target is the version the alias points to now, or a --config file for an alias that is new or is to
// change interface on purpose.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertCompatible, interfaceOf, loadInterface, type ModelInterface } from './compat.ts';
import { PromotionRefusedError } from './errors.ts';
import { runGate, GATE_REPORT, type GateRun } from './gate.ts';
import type { GateConfig } from './gate-config.ts';
import type { AliasMove, ModelRegistry } from './registry.ts';

export interface PromoteOptions {
  alias: string;
  reason: string;
  gate: GateConfig;
  /** Promote despite a failing gate (the move is logged as forced). */
  force?: boolean;
  /** A file holding the target interface (a manifest, or {featureSpecHash, observation, action}). */
  config?: string;
  seed?: number;
}

export interface PromoteResult {
  move: AliasMove;
  gate: GateRun | null;
}

function manifestOf(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

export function promote(reg: ModelRegistry, ref: string, o: PromoteOptions): PromoteResult {
  if (!o.reason?.trim()) throw new PromotionRefusedError('a promotion needs a reason (--reason "…")');
  const v = reg.verify(ref);
  const label = `${v.name}/${v.version}`;
  const current = reg.aliases(v.name)[o.alias];
  let target: ModelInterface | null = null;
  let targetName = '';
  if (o.config !== undefined) {
    target = loadInterface(o.config);
    targetName = `--config ${o.config}`;
  } else if (current !== undefined) {
    target = interfaceOf(manifestOf(reg.verify(`${v.name}/${current}`).dir));
    targetName = `${v.name}@${o.alias} (now ${current})`;
  }
  if (target !== null) assertCompatible(label, interfaceOf(manifestOf(v.dir)), target, targetName);
  if (current === v.version)
    throw new PromotionRefusedError(`${v.name}@${o.alias} already points to ${v.version}: nothing to promote`);

  let gate: GateRun | null = null;
  try {
    gate = runGate(reg, label, o.gate, { ...(o.seed !== undefined ? { seed: o.seed } : {}) });
  } catch (e) {
    // A model the gate cannot evaluate (a remote endpoint) goes only with --force.
    if (!o.force) throw new PromotionRefusedError(`${(e as Error).message}`);
  }
  const passed = gate?.report.passed ?? false;
  if (!passed && !o.force) {
    const failed = gate!.report.checks
      .filter((c) => !c.passed)
      .map(
        (c) => `${c.name} ${Number.isInteger(c.value) ? c.value : c.value.toFixed(4)} (needs ${c.op} ${c.threshold})`,
      );
    throw new PromotionRefusedError(
      `${label} failed the gate: ${failed.join('; ')}. Report: ${join(v.dir, GATE_REPORT)}. Promote anyway only with --force --reason "…" (logged as forced)`,
    );
  }
  const move = reg.setAlias(v.name, o.alias, v.version, {
    reason: o.reason,
    gate: gate ? { passed, report: GATE_REPORT } : null,
    forced: !passed,
  });
  return { move, gate };
}
