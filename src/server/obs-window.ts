// Window deltas (docs/protocol.md, "Window deltas"): a sliding-window observation — W rows of F values, oldest first,
// then a tail of T values — moves by S rows per step (S = 1, or the decision interval), so a step reply need carry only
// each sub-env's newest S rows and tail (Trading-v0 × 64: 9 KB instead of 255 KB). The env only declares its layout (VectorEnv.observationWindow); which
// sub-envs really shifted is checked here byte for byte against what the client holds, so a wrong declaration, a reset
// or a jump of several bars costs bytes (a full row is sent), never correctness.
import type { ObservationWindow } from '../core/vector/vector-env.ts';
import { Tg4Error } from '../core/errors.ts';
import { wireFromTyped } from './protocol/arrays.ts';
import type { ObsDeltaWire } from './protocol/messages.ts';

/** Floats a step drops from the front of the window (stride · cols) and floats of it that stay ((rows − stride) · cols). */
function shiftSplit(w: ObservationWindow): { drop: number; kept: number } {
  const drop = (w.stride ?? 1) * w.cols;
  return { drop, kept: w.rows * w.cols - drop };
}

export class WindowDeltaEncoder {
  /** The observations the client holds: those of the last reply it was sent (reset or step), R × D. */
  private readonly held: Float32Array;
  /** Number of observation batches sent so far; a delta builds on batch seq − 1 (the client checks it). */
  private seq = 0;
  private readonly shifted: Uint8Array;
  private readonly full: Float32Array;
  private readonly tail: Float32Array;
  /** Per sub-env byte views of held's rows S … W−1 (compared with the new rows 0 … W−S−1). */
  private readonly heldViews: Buffer[];
  private newViews: Buffer[] = [];
  private viewsOf: Float32Array | null = null;
  /** Floats of the window that survive a shift, (W−S)·F, and of the part sent for a shifted sub-env, D − (W−S)·F. */
  private readonly kept: number;
  private readonly tailDim: number;

  /** Whether deltas can save anything for this layout: a window inside the observation that keeps rows after a shift. */
  static fits(window: ObservationWindow | undefined, obsDim: number): boolean {
    if (window === undefined) return false;
    const { rows, cols } = window;
    const stride = window.stride ?? 1;
    return (
      [rows, cols, stride].every(Number.isSafeInteger) &&
      cols >= 1 &&
      stride >= 1 &&
      rows > stride &&
      rows * cols <= obsDim
    );
  }

  /** `window` must fit (WindowDeltaEncoder.fits). */
  constructor(
    private readonly numEnvs: number,
    private readonly obsDim: number,
    window: ObservationWindow,
  ) {
    const { drop, kept } = shiftSplit(window);
    this.kept = kept;
    this.tailDim = obsDim - this.kept;
    this.held = new Float32Array(numEnvs * obsDim);
    this.shifted = new Uint8Array(numEnvs);
    this.full = new Float32Array(numEnvs * obsDim);
    this.tail = new Float32Array(numEnvs * this.tailDim);
    this.heldViews = Array.from({ length: numEnvs }, (_, i) => bytesOf(this.held, i * obsDim + drop, this.kept));
  }

  /** A full batch was sent (a reset): the client holds it now. Returns its sequence number. */
  sent(obs: Float32Array): number {
    this.held.set(obs.subarray(0, this.numEnvs * this.obsDim));
    return ++this.seq;
  }

  /** The step reply's observations as a delta on the held batch; the client holds `obs` afterwards. */
  delta(obs: Float32Array): ObsDeltaWire {
    const { numEnvs: n, obsDim: d, kept, tailDim } = this;
    if (this.viewsOf !== obs) {
      // The env's observation buffer is one array for its lifetime; views are rebuilt only if that ever changes.
      this.newViews = Array.from({ length: n }, (_, i) => bytesOf(obs, i * d, kept));
      this.viewsOf = obs;
    }
    let shiftedRows = 0;
    let fullRows = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      if (this.newViews[i]!.equals(this.heldViews[i]!)) {
        this.shifted[i] = 1;
        const at = shiftedRows++ * tailDim;
        for (let j = 0; j < tailDim; j++) this.tail[at + j] = obs[row + kept + j]!;
      } else {
        this.shifted[i] = 0;
        this.full.set(obs.subarray(row, row + d), fullRows++ * d);
      }
    }
    this.held.set(obs.subarray(0, n * d));
    this.seq++;
    return {
      seq: this.seq,
      shifted: wireFromTyped('bool', [n], this.shifted),
      full: wireFromTyped('float32', [fullRows, d], this.full.subarray(0, fullRows * d)),
      tail: wireFromTyped('float32', [shiftedRows, tailDim], this.tail.subarray(0, shiftedRows * tailDim)),
    };
  }
}

function bytesOf(a: Float32Array, offset: number, length: number): Buffer {
  return Buffer.from(a.buffer, a.byteOffset + offset * 4, length * 4);
}

/** The client side: rebuilds each step's observations from the batch it holds and the reply's delta. */
export class WindowDeltaDecoder {
  /** The observations of the last reply, private: what apply() returns is a copy the caller may change. */
  private held: Float32Array | null = null;
  private seq = 0;
  private readonly kept: number;
  /** Floats a shift drops from the front of the window: stride · cols. */
  private readonly drop: number;

  constructor(
    private readonly numEnvs: number,
    private readonly obsDim: number,
    window: ObservationWindow,
  ) {
    if (!WindowDeltaEncoder.fits(window, obsDim))
      throw new Tg4Error(
        'PROTOCOL_ERROR',
        `the server's observation window ${window.rows} × ${window.cols} (stride ${window.stride ?? 1}) does not fit observations of ${obsDim} floats`,
      );
    ({ drop: this.drop, kept: this.kept } = shiftSplit(window));
  }

  /** A reset's whole batch (number `seq`): the base of the next delta. */
  hold(obs: Float32Array, seq: number): void {
    this.held = obs.slice(0, this.numEnvs * this.obsDim);
    this.seq = seq;
  }

  apply(delta: { seq: number; shifted: Uint8Array; full: Float32Array; tail: Float32Array }): Float32Array {
    const { numEnvs: n, obsDim: d, kept, drop } = this;
    const held = this.held;
    if (held === null || delta.seq !== this.seq + 1)
      throw new Tg4Error(
        'PROTOCOL_ERROR',
        `the server's window delta #${delta.seq} builds on batch #${delta.seq - 1}, but this client holds ${held === null ? 'no observations (no reset yet)' : `batch #${this.seq}`}: a reply was missed or another client stepped this session; reset it`,
      );
    const tailDim = d - kept;
    let shifted = 0;
    for (let i = 0; i < n; i++) shifted += delta.shifted[i] === 1 ? 1 : 0;
    if (
      delta.shifted.length !== n ||
      delta.tail.length !== shifted * tailDim ||
      delta.full.length !== (n - shifted) * d
    )
      throw new Tg4Error('PROTOCOL_ERROR', `malformed window delta for ${n} sub-envs of ${d} floats`);
    const next = new Float32Array(n * d);
    let s = 0;
    let f = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      if (delta.shifted[i] === 1) {
        next.set(held.subarray(row + drop, row + drop + kept), row);
        next.set(delta.tail.subarray(s * tailDim, (s + 1) * tailDim), row + kept);
        s++;
      } else {
        next.set(delta.full.subarray(f * d, (f + 1) * d), row);
        f++;
      }
    }
    this.held = next;
    this.seq = delta.seq;
    return next.slice();
  }
}
