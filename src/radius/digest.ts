import { md5Block } from './md5-block';

/**
 * MD5 and HMAC-MD5 (RFC 1321, RFC 2104) for RADIUS packets, computed here in JavaScript, over byte ranges, into a
 * place the caller names: a request is verified and its reply signed without a slice, a copy or a digest Buffer per
 * hash. RADIUS hashes short inputs (a packet, a secret, 16 octets) six times per Access-Request, where a call into
 * the crypto binding costs more than the hashing (`npm run bench:radius`). HMAC starts from the key pads' states,
 * kept per secret, so an HMAC of a packet hashes the packet and one block more.
 *
 * One computation at a time: md5Start (or hmacStart), md5Update for each range, then md5Finish (or hmacFinish),
 * all in one synchronous stretch. md5() and hmacMd5() return a new Buffer, for everything else.
 */

const INITIAL = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476);
const state = new Int32Array(4);
/** The block being filled, and the octets in it. */
const pending = Buffer.alloc(64);
let filled = 0;
/** Octets hashed so far, the key pad included for an HMAC. */
let total = 0;
/** The outer pad's state of the HMAC under way. */
let outerPad: Int32Array | undefined;
const innerDigest = Buffer.alloc(16);

/** Starts an MD5, or resumes one from a state after `hashed` octets (a key pad's). */
export function md5Start(from: Int32Array = INITIAL, hashed = 0): void {
  state.set(from);
  filled = 0;
  total = hashed;
  outerPad = undefined;
}

/** Hashes src[start, end). */
export function md5Update(src: Uint8Array, start = 0, end = src.length): void {
  total += end - start;
  if (filled > 0) {
    while (filled < 64 && start < end) pending[filled++] = src[start++]!;
    if (filled < 64) return;
    md5Block(state, pending, 0);
    filled = 0;
  }
  for (; end - start >= 64; start += 64) md5Block(state, src, start);
  while (start < end) pending[filled++] = src[start++]!;
}

/** Ends the MD5: its 16 octets go to out[at, at + 16). */
export function md5Finish(out: Uint8Array, at: number): void {
  const bits = total * 8;
  pending[filled++] = 0x80;
  if (filled > 56) {
    pending.fill(0, filled, 64);
    md5Block(state, pending, 0);
    filled = 0;
  }
  pending.fill(0, filled, 56);
  pending.writeUInt32LE(bits >>> 0, 56);
  pending.writeUInt32LE(Math.floor(bits / 0x100000000) >>> 0, 60);
  md5Block(state, pending, 0);
  for (let i = 0; i < 4; i++) {
    const w = state[i]!;
    out[at + 4 * i] = w & 0xff;
    out[at + 4 * i + 1] = (w >>> 8) & 0xff;
    out[at + 4 * i + 2] = (w >>> 16) & 0xff;
    out[at + 4 * i + 3] = w >>> 24;
  }
  filled = 0;
}

interface Pads {
  readonly inner: Int32Array;
  readonly outer: Int32Array;
}
const padsBySecret = new Map<string, Pads>();

/** The states after hashing the key XOR ipad and the key XOR opad (RFC 2104), per secret. */
function pads(secret: string): Pads {
  let p = padsBySecret.get(secret);
  if (!p) {
    const bytes = Buffer.from(secret, 'utf8');
    const key = Buffer.alloc(64);
    if (bytes.length > 64) {
      md5Start();
      md5Update(bytes);
      md5Finish(key, 0);
    } else {
      bytes.copy(key);
    }
    const pad = Buffer.alloc(64);
    const stateAfter = (xor: number): Int32Array => {
      for (let i = 0; i < 64; i++) pad[i] = key[i]! ^ xor;
      const st = Int32Array.from(INITIAL);
      md5Block(st, pad, 0);
      return st;
    };
    p = { inner: stateAfter(0x36), outer: stateAfter(0x5c) };
    // A site has a few dozen secrets; a bound keeps a misconfiguration from growing this without end.
    if (padsBySecret.size > 10_000) padsBySecret.clear();
    padsBySecret.set(secret, p);
  }
  return p;
}

/** Starts an HMAC-MD5 keyed with `secret`; feed it with md5Update. */
export function hmacStart(secret: string): void {
  const p = pads(secret);
  md5Start(p.inner, 64);
  outerPad = p.outer;
}

/** Ends the HMAC-MD5: its 16 octets go to out[at, at + 16). */
export function hmacFinish(out: Uint8Array, at: number): void {
  const outer = outerPad;
  if (!outer) throw new Error('hmacFinish without hmacStart');
  md5Finish(innerDigest, 0);
  md5Start(outer, 64);
  md5Update(innerDigest);
  md5Finish(out, at);
}

/** MD5 of the pieces, in order. */
export function md5(parts: readonly Uint8Array[]): Buffer {
  md5Start();
  for (const part of parts) md5Update(part);
  const out = Buffer.allocUnsafe(16);
  md5Finish(out, 0);
  return out;
}

/** HMAC-MD5 with `secret` as the key, of the pieces in order. */
export function hmacMd5(secret: string, parts: readonly Uint8Array[]): Buffer {
  hmacStart(secret);
  for (const part of parts) md5Update(part);
  const out = Buffer.allocUnsafe(16);
  hmacFinish(out, 0);
  return out;
}

/** Whether a[aAt, aAt + 16) equals b[bAt, bAt + 16), in time that does not depend on where they differ. */
export function equal16(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): boolean {
  if (aAt + 16 > a.length || bAt + 16 > b.length) return false;
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= a[aAt + i]! ^ b[bAt + i]!;
  return diff === 0;
}
