// Z85 (ZeroMQ RFC 32): the text form of CURVE keys. Needed to compare the 32-byte client keys that the ZAP handler
// receives with the Z85 keys kept on disk.
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new RangeError('z85: input length must be a multiple of 4');
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let v = ((data[i]! << 24) >>> 0) + (data[i + 1]! << 16) + (data[i + 2]! << 8) + data[i + 3]!;
    let chunk = '';
    for (let k = 0; k < 5; k++) {
      chunk = ALPHABET[v % 85]! + chunk;
      v = Math.floor(v / 85);
    }
    out += chunk;
  }
  return out;
}

export function isZ85Key(s: string): boolean {
  return s.length === 40 && [...s].every((c) => ALPHABET.includes(c));
}
