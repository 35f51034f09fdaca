// Running observation/reward normalisation (SB3's VecNormalize): running mean and variance with Chan's parallel update,
// observations standardised and clipped, rewards scaled by the running std of the discounted return. The statistics
// are saved in the model's manifest so that evaluation and the live loop see the inputs the network was trained on.

import { RunningMeanStd, type RunningStatsJSON } from '../../src/core/wrappers/running-mean-std.ts';

export { RunningMeanStd, type RunningStatsJSON };

export interface NormalizerJSON {
  obs: RunningStatsJSON | null;
  ret: RunningStatsJSON | null;
  clipObs: number;
  clipReward: number;
  gamma: number;
  epsilon: number;
}

export class Normalizer {
  readonly obs: RunningMeanStd | null;
  readonly ret: RunningMeanStd | null;
  readonly clipObs: number;
  readonly clipReward: number;
  readonly gamma: number;
  readonly epsilon: number;
  /** Frozen: statistics are used but not updated (evaluation). */
  training = true;
  private returns: Float64Array = new Float64Array(0);

  constructor(opts: {
    obsSize: number;
    normObs: boolean;
    normReward: boolean;
    gamma: number;
    clipObs?: number;
    clipReward?: number;
    epsilon?: number;
  }) {
    this.obs = opts.normObs ? new RunningMeanStd(opts.obsSize) : null;
    this.ret = opts.normReward ? new RunningMeanStd(1) : null;
    this.clipObs = opts.clipObs ?? 10;
    this.clipReward = opts.clipReward ?? 10;
    this.gamma = opts.gamma;
    this.epsilon = opts.epsilon ?? 1e-8;
  }

  get active(): boolean {
    return this.obs !== null || this.ret !== null;
  }

  /** Updates the stats (when training) and writes normalised copies of `n` raw observation rows into `out`. */
  observe(raw: Float32Array, n: number, out: Float32Array): Float32Array {
    if (!this.obs) {
      if (out !== raw) out.set(raw.subarray(0, Math.min(raw.length, out.length)));
      return out;
    }
    if (this.training) this.obs.update(raw, n);
    return this.normalizeObs(raw, n, out);
  }

  /** Normalises without updating. */
  normalizeObs(raw: Float32Array, n: number, out: Float32Array): Float32Array {
    const s = this.obs;
    if (!s) {
      if (out !== raw) out.set(raw.subarray(0, Math.min(raw.length, out.length)));
      return out;
    }
    const d = s.mean.length;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) {
        const v = (raw[i * d + k]! - s.mean[k]!) / Math.sqrt(s.var[k]! + this.epsilon);
        out[i * d + k] = v > this.clipObs ? this.clipObs : v < -this.clipObs ? -this.clipObs : v;
      }
    }
    return out;
  }

  /** Scales `n` rewards in place by the running std of the discounted return; `dones` resets the return per sub-env. */
  scaleRewards(rewards: Float32Array, dones: Uint8Array | null, n: number): void {
    const s = this.ret;
    if (!s) return;
    if (this.returns.length !== n) this.returns = new Float64Array(n);
    if (this.training) {
      for (let i = 0; i < n; i++) this.returns[i] = this.returns[i]! * this.gamma + rewards[i]!;
      s.update(this.returns, n);
    }
    const std = Math.sqrt(s.var[0]! + this.epsilon);
    for (let i = 0; i < n; i++) {
      const v = rewards[i]! / std;
      rewards[i] = v > this.clipReward ? this.clipReward : v < -this.clipReward ? -this.clipReward : v;
      if (dones?.[i]) this.returns[i] = 0;
    }
  }

  toJSON(): NormalizerJSON {
    return {
      obs: this.obs?.toJSON() ?? null,
      ret: this.ret?.toJSON() ?? null,
      clipObs: this.clipObs,
      clipReward: this.clipReward,
      gamma: this.gamma,
      epsilon: this.epsilon,
    };
  }

  static fromJSON(j: NormalizerJSON): Normalizer {
    const n = new Normalizer({
      obsSize: j.obs?.mean.length ?? 0,
      normObs: j.obs !== null,
      normReward: j.ret !== null,
      gamma: j.gamma,
      clipObs: j.clipObs,
      clipReward: j.clipReward,
      epsilon: j.epsilon,
    });
    if (j.obs && n.obs) {
      n.obs.mean.set(j.obs.mean);
      n.obs.var.set(j.obs.var);
      n.obs.count = j.obs.count;
    }
    if (j.ret && n.ret) {
      n.ret.mean.set(j.ret.mean);
      n.ret.var.set(j.ret.var);
      n.ret.count = j.ret.count;
    }
    n.training = false;
    return n;
  }
}
