// Batches of space values on the wire. An ObservationBatch owns preallocated bytes for N sub-envs and writes each
// sub-env's observation into its row; an ActionBatch reads a received action array into preallocated per-sub-env
// values that the env's step() accepts. Composite spaces (Dict, Tuple) become maps/lists of arrays.
import type { Dtype, SpaceJSON } from '../core/types.ts';
import { InvalidActionError, Tg4Error } from '../core/errors.ts';
import { TYPED_ARRAY, type TypedArray } from '../core/spaces/dtype.ts';
import {
  DTYPE_BYTES,
  INTEGER_DTYPES,
  dataView,
  parseWireArray,
  product,
  readElement,
  typeName,
  writeInt64,
  type WireArray,
} from './protocol/arrays.ts';
import type { WireValue } from './protocol/messages.ts';

/** dtype and per-sub-env shape of a leaf space's values on the wire (Discrete → int64 scalar, MultiBinary → int8). */
function leafLayout(json: SpaceJSON): { dtype: Dtype; shape: number[] } | null {
  switch (json.type) {
    case 'Box':
      return { dtype: json.dtype, shape: [...json.shape] };
    case 'Discrete':
      return { dtype: 'int64', shape: [] };
    case 'MultiDiscrete':
      return { dtype: json.dtype, shape: [json.nvec.length] };
    case 'MultiBinary':
      return { dtype: 'int8', shape: [...json.n] };
    default:
      return null;
  }
}

/** A row-major staging buffer of the dtype's typed array (core's table: int64 in Float64Array, bool in Uint8Array). */
type Staging = TypedArray;
const stagingFor = (dtype: Dtype, n: number): Staging => new TYPED_ARRAY[dtype](n);

export interface ObservationBatch {
  /** Writes sub-env observation `value` into row `row`. */
  write(row: number, value: unknown): void;
  /** The first `rows` rows as wire arrays (views on the batch's own memory: send before the next write). */
  wire(rows: number): WireValue;
}

class LeafObservationBatch implements ObservationBatch {
  private readonly size: number;
  private readonly staging: Staging;
  private readonly int64Bytes: Uint8Array | null;
  constructor(
    private readonly dtype: Dtype,
    private readonly shape: number[],
    numEnvs: number,
  ) {
    this.size = product(shape);
    this.staging = stagingFor(dtype, numEnvs * this.size);
    this.int64Bytes = dtype === 'int64' ? new Uint8Array(numEnvs * this.size * 8) : null;
  }
  write(row: number, value: unknown): void {
    const off = row * this.size;
    if (typeof value === 'number' || typeof value === 'boolean') {
      if (this.size !== 1)
        throw new Tg4Error(
          'INTERNAL',
          `the env returned a scalar observation, but its space has shape [${this.shape.join(', ')}]`,
        );
      this.staging[off] = Number(value);
      return;
    }
    const arr = value as ArrayLike<number>;
    if (arr === null || typeof arr !== 'object' || arr.length !== this.size) {
      throw new Tg4Error(
        'INTERNAL',
        `the env returned an observation of ${typeName(value)} length ${String(arr?.length)}, but its space holds ${this.size} values`,
      );
    }
    if (ArrayBuffer.isView(arr)) this.staging.set(arr as unknown as ArrayLike<number>, off);
    else for (let i = 0; i < this.size; i++) this.staging[off + i] = Number(arr[i]);
  }
  wire(rows: number): WireArray {
    const n = rows * this.size;
    const shape = [rows, ...this.shape];
    if (this.int64Bytes !== null) {
      const view = new DataView(this.int64Bytes.buffer);
      for (let i = 0; i < n; i++) writeInt64(view, i * 8, this.staging[i]!);
      return { dtype: 'int64', shape, data: this.int64Bytes.subarray(0, n * 8) };
    }
    return { dtype: this.dtype, shape, data: new Uint8Array(this.staging.buffer, 0, n * DTYPE_BYTES[this.dtype]) };
  }
}

class DictObservationBatch implements ObservationBatch {
  constructor(private readonly parts: Record<string, ObservationBatch>) {}
  write(row: number, value: unknown): void {
    if (value === null || typeof value !== 'object')
      throw new Tg4Error('INTERNAL', 'the env returned a non-object observation for a Dict space');
    const v = value as Record<string, unknown>;
    for (const k in this.parts) this.parts[k]!.write(row, v[k]);
  }
  wire(rows: number): WireValue {
    const out: Record<string, WireValue> = {};
    for (const k in this.parts) out[k] = this.parts[k]!.wire(rows);
    return out;
  }
}

class TupleObservationBatch implements ObservationBatch {
  constructor(private readonly parts: ObservationBatch[]) {}
  write(row: number, value: unknown): void {
    if (!Array.isArray(value))
      throw new Tg4Error('INTERNAL', 'the env returned a non-array observation for a Tuple space');
    for (let i = 0; i < this.parts.length; i++) this.parts[i]!.write(row, value[i]);
  }
  wire(rows: number): WireValue {
    return this.parts.map((p) => p.wire(rows));
  }
}

export function observationBatch(space: SpaceJSON, numEnvs: number): ObservationBatch {
  const leaf = leafLayout(space);
  if (leaf !== null) return new LeafObservationBatch(leaf.dtype, leaf.shape, numEnvs);
  if (space.type === 'Dict') {
    const parts: Record<string, ObservationBatch> = {};
    for (const [k, s] of Object.entries(space.spaces)) parts[k] = observationBatch(s, numEnvs);
    return new DictObservationBatch(parts);
  }
  if (space.type === 'Tuple') return new TupleObservationBatch(space.spaces.map((s) => observationBatch(s, numEnvs)));
  throw new Tg4Error('INTERNAL', `cannot batch space ${JSON.stringify(space).slice(0, 80)}`);
}

/** One observation (not batched) as a wire value: for `final_observation` in same-step autoreset. */
export function encodeSingleObservation(space: SpaceJSON, value: unknown): WireValue {
  const b = observationBatch(space, 1);
  b.write(0, value);
  const w = b.wire(1);
  return dropLeadingAxis(w, true);
}

function dropLeadingAxis(w: WireValue, copy: boolean): WireValue {
  if (Array.isArray(w)) return w.map((x) => dropLeadingAxis(x, copy));
  if ('dtype' in w && (w as WireArray).data instanceof Uint8Array) {
    const a = w as WireArray;
    return { dtype: a.dtype, shape: a.shape.slice(1), data: copy ? a.data.slice() : a.data };
  }
  const out: Record<string, WireValue> = {};
  for (const [k, v] of Object.entries(w as Record<string, WireValue>)) out[k] = dropLeadingAxis(v, copy);
  return out;
}

export interface ActionBatch {
  /** Reads `rows` sub-env actions from the received value; throws INVALID_ACTION / PROTOCOL_ERROR naming what was wrong. */
  read(value: unknown, rows: number, what: string): void;
  /** The action of row `row` from the last read (a view reused across steps). */
  get(row: number): unknown;
}

const FLOAT_DTYPES: ReadonlySet<Dtype> = new Set(['float32', 'float64']);
// Which wire dtypes a leaf action accepts: numpy's safe casting into the space's dtype (no silent loss).
const SAFE_INTO: Record<Dtype, readonly Dtype[]> = {
  bool: ['bool', 'uint8'],
  int8: ['bool', 'int8', 'uint8'],
  uint8: ['bool', 'uint8', 'int8'],
  int16: ['bool', 'int8', 'uint8', 'int16'],
  uint16: ['bool', 'uint8', 'uint16'],
  int32: ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32'],
  uint32: ['bool', 'uint8', 'uint16', 'uint32'],
  int64: ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64'],
  float32: ['bool', 'int8', 'uint8', 'int16', 'uint16', 'float32'],
  float64: ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'],
};

class LeafActionBatch implements ActionBatch {
  private readonly size: number;
  private readonly staging: Staging;
  private readonly rowsView: (Staging | number | number[])[];
  private readonly scalar: boolean;
  // core stores int64 values in Float64Array, which MultiDiscrete/Box.contains read as float64: hand int64 rows over as
  // plain number[] (which contains() accepts as Gymnasium accepts lists).
  private readonly plainRows: boolean;
  constructor(
    private readonly space: SpaceJSON,
    private readonly dtype: Dtype,
    private readonly shape: number[],
    numEnvs: number,
  ) {
    this.size = product(shape);
    this.scalar = space.type === 'Discrete';
    // MultiBinary actions go to the env as Uint8Array, Discrete as plain numbers, Box/MultiDiscrete in their dtype's array.
    this.staging = stagingFor(space.type === 'MultiBinary' ? 'uint8' : dtype, numEnvs * this.size);
    this.plainRows = !this.scalar && dtype === 'int64';
    this.rowsView = [];
    for (let r = 0; r < numEnvs; r++) {
      this.rowsView.push(
        this.scalar
          ? 0
          : this.plainRows
            ? new Array<number>(this.size).fill(0)
            : this.staging.subarray(r * this.size, (r + 1) * this.size),
      );
    }
  }
  read(value: unknown, rows: number, what: string): void {
    const w = parseWireArray(value, what);
    const expectShape = [rows, ...this.shape];
    const wantDtype = this.space.type === 'MultiBinary' ? 'bool' : this.dtype;
    if (
      !SAFE_INTO[wantDtype].includes(w.dtype) &&
      !(this.space.type === 'MultiBinary' && INTEGER_DTYPES.has(w.dtype))
    ) {
      throw new InvalidActionError(
        `${what} has dtype ${w.dtype}, which does not cast safely to the action space's ${wantDtype}: send ${this.space.type === 'Discrete' ? 'an integer dtype (int64)' : wantDtype}`,
      );
    }
    if (w.shape.length !== expectShape.length || w.shape.some((s, i) => s !== expectShape[i])) {
      throw new InvalidActionError(
        `${what} has shape [${w.shape.join(', ')}] but ${rows} sub-env(s) need shape [${expectShape.join(', ')}]`,
      );
    }
    const view = dataView(w);
    const n = rows * this.size;
    const isFloat = FLOAT_DTYPES.has(w.dtype);
    for (let i = 0; i < n; i++) {
      const v = readElement(view, w.dtype, i);
      if (Number.isNaN(v)) {
        throw new InvalidActionError(
          `${what} holds ${isFloat ? 'NaN' : 'an int64 beyond 2^53'} at sub-env row ${Math.floor(i / this.size)}: send finite values`,
        );
      }
      this.staging[i] = v;
    }
    if (this.scalar) for (let r = 0; r < rows; r++) this.rowsView[r] = this.staging[r]!;
    else if (this.plainRows) {
      for (let r = 0; r < rows; r++) {
        const row = this.rowsView[r] as number[];
        for (let j = 0; j < this.size; j++) row[j] = this.staging[r * this.size + j]!;
      }
    }
  }
  get(row: number): unknown {
    return this.rowsView[row];
  }
}

class DictActionBatch implements ActionBatch {
  private readonly rows: Record<string, unknown>[] = [];
  constructor(
    private readonly parts: Record<string, ActionBatch>,
    numEnvs: number,
  ) {
    for (let r = 0; r < numEnvs; r++) this.rows.push({});
  }
  read(value: unknown, rows: number, what: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
      throw new InvalidActionError(
        `${what} must be a map of arrays, one per key of the Dict action space (got ${typeName(value)})`,
      );
    }
    const v = value as Record<string, unknown>;
    for (const k in this.parts) {
      if (!Object.hasOwn(v, k))
        throw new InvalidActionError(`${what} lacks key ${JSON.stringify(k)} of the Dict action space`);
      this.parts[k]!.read(v[k], rows, `${what}.${k}`);
    }
    for (let r = 0; r < rows; r++) for (const k in this.parts) this.rows[r]![k] = this.parts[k]!.get(r);
  }
  get(row: number): unknown {
    return this.rows[row];
  }
}

class TupleActionBatch implements ActionBatch {
  private readonly rows: unknown[][] = [];
  constructor(
    private readonly parts: ActionBatch[],
    numEnvs: number,
  ) {
    for (let r = 0; r < numEnvs; r++) this.rows.push(new Array(parts.length));
  }
  read(value: unknown, rows: number, what: string): void {
    if (!Array.isArray(value) || value.length !== this.parts.length) {
      throw new InvalidActionError(
        `${what} must be a list of ${this.parts.length} arrays, one per element of the Tuple action space`,
      );
    }
    this.parts.forEach((p, i) => p.read(value[i], rows, `${what}[${i}]`));
    for (let r = 0; r < rows; r++) for (let i = 0; i < this.parts.length; i++) this.rows[r]![i] = this.parts[i]!.get(r);
  }
  get(row: number): unknown {
    return this.rows[row];
  }
}

export function actionBatch(space: SpaceJSON, numEnvs: number): ActionBatch {
  const leaf = leafLayout(space);
  if (leaf !== null) return new LeafActionBatch(space, leaf.dtype, leaf.shape, numEnvs);
  if (space.type === 'Dict') {
    const parts: Record<string, ActionBatch> = {};
    for (const [k, s] of Object.entries(space.spaces)) parts[k] = actionBatch(s, numEnvs);
    return new DictActionBatch(parts, numEnvs);
  }
  if (space.type === 'Tuple')
    return new TupleActionBatch(
      space.spaces.map((s) => actionBatch(s, numEnvs)),
      numEnvs,
    );
  throw new Tg4Error('INTERNAL', `cannot batch space ${JSON.stringify(space).slice(0, 80)}`);
}
