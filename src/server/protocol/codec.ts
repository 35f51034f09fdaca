// msgpack encoding of protocol messages. Plain msgpack only (no msgpackr records or extensions), so that any msgpack
// library (Python's msgpack, Go, Rust, C) reads what the server writes.
import { Packr, Unpackr } from 'msgpackr';
import { ProtocolError } from '../errors.ts';
import { checkPlainMsgpack } from './plain-msgpack.ts';

const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export function encodeMessage(msg: unknown): Buffer {
  return packr.pack(msg);
}

/** Decodes one message; anything that is not a single, complete msgpack value is a PROTOCOL_ERROR. */
export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) throw new ProtocolError('empty message: send one msgpack map per request');
  checkPlainMsgpack(bytes);
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (err) {
    throw new ProtocolError(
      `the message is not valid msgpack (${(err as Error).message}): send one msgpack map {v, id, op, ...}`,
    );
  }
  // 0xc1 (never used in msgpack) decodes to a marker object in msgpackr: not a value either.
  if (value === undefined || (value !== null && typeof value === 'object' && value.constructor?.name === 'C1Type'))
    throw new ProtocolError(
      'the message is not valid msgpack (byte 0xc1 is reserved): send one msgpack map {v, id, op, ...}',
    );
  return value;
}
