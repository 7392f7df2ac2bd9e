import { equal16, hmacFinish, hmacMd5 as hmacMd5Of, hmacStart, md5 as md5Of, md5Finish, md5Start, md5Update } from '../digest';
import { AUTH_LENGTH, AUTH_OFFSET, checkFraming, HEADER_LENGTH } from './framing';
import { Attr } from './types';

/**
 * The authenticators: Request and Response Authenticators (RFC 2865, 2866, 5176), Message-Authenticator (RFC 3579)
 * and User-Password hiding (RFC 2865 5.2). Digests are computed over ranges of the packet, with zeros fed in place of
 * the fields that are zeroed, written straight into the packet when signing, and compared in constant time.
 */

function md5(...parts: Buffer[]): Buffer {
  return md5Of(parts);
}

/** Zeros in place of an authenticator or Message-Authenticator value. */
export const ZERO16 = Buffer.alloc(16);
const secretBuffers = new Map<string, Buffer>();
/** A digest computed to be compared. */
const digest = Buffer.alloc(16);

/** The secret as bytes, kept per secret (a site has a few dozen): one allocation less per packet. */
function secretBytes(secret: string): Buffer {
  let b = secretBuffers.get(secret);
  if (!b) {
    if (secretBuffers.size > 10_000) secretBuffers.clear();
    b = Buffer.from(secret);
    secretBuffers.set(secret, b);
  }
  return b;
}

function hmacMd5(secret: string, data: Buffer): Buffer {
  return hmacMd5Of(secret, [data]);
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === 16 && b.length === 16 && equal16(a, 0, b, 0);
}

/** Offset of the first Message-Authenticator value in a framed packet, -1 when there is none, -2 when it is malformed. */
export function messageAuthenticatorOffset(packet: Buffer): number {
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) {
    if (packet[off] === Attr.MessageAuthenticator) return packet[off + 1] === 18 ? off + 2 : -2;
  }
  return -1;
}

/**
 * Verifies Message-Authenticator (RFC 3579 3.2, RFC 5176 3.3): HMAC-MD5 over the packet with the
 * Message-Authenticator value zeroed and, for Accounting requests, the Request Authenticator zeroed too.
 */
export function verifyMessageAuthenticator(packet: Buffer, secret: string, zeroAuthenticator: boolean): boolean {
  const off = messageAuthenticatorOffset(packet);
  if (off < 0) return false;
  hmacStart(secret);
  if (zeroAuthenticator) {
    md5Update(packet, 0, AUTH_OFFSET);
    md5Update(ZERO16);
    md5Update(packet, HEADER_LENGTH, off);
  } else {
    md5Update(packet, 0, off);
  }
  md5Update(ZERO16);
  md5Update(packet, off + 16, packet.length);
  hmacFinish(digest, 0);
  return equal16(digest, 0, packet, off);
}

/** RFC 2866 3: the Accounting Request Authenticator is MD5(packet with a zero authenticator ‖ secret). */
export function verifyAccountingAuthenticator(packet: Buffer, secret: string): boolean {
  md5Start();
  md5Update(packet, 0, AUTH_OFFSET);
  md5Update(ZERO16);
  md5Update(packet, HEADER_LENGTH, packet.length);
  md5Update(secretBytes(secret));
  md5Finish(digest, 0);
  return equal16(digest, 0, packet, AUTH_OFFSET);
}

/**
 * Signs a laid-out packet's Message-Authenticator, which the encoder puts first (BlastRADIUS), so its value sits
 * right after the header: HMAC-MD5 over the packet with the value zeroed and the authenticator as it stands.
 */
export function signMessageAuthenticator(packet: Buffer, secret: string): void {
  const off = HEADER_LENGTH + 2;
  packet.fill(0, off, off + 16);
  hmacStart(secret);
  md5Update(packet);
  hmacFinish(packet, off);
}

/**
 * Writes the authenticator of a response (RFC 2865 3) or of an Accounting, CoA or Disconnect request (RFC 2866 3,
 * RFC 5176 3.3): MD5 over the packet, with the Request Authenticator or zeros in place, and the secret.
 */
export function signAuthenticator(packet: Buffer, secret: string): void {
  md5Start();
  md5Update(packet);
  md5Update(secretBytes(secret));
  md5Finish(packet, AUTH_OFFSET);
}

/**
 * RFC 2865 5.2: each 16-octet block is XORed with MD5(secret ‖ the previous hidden block), the first with
 * MD5(secret ‖ Request Authenticator). `input` is hidden when `reveal`, plain otherwise.
 */
function xorChain(input: Buffer, secret: string, authenticator: Buffer, reveal: boolean): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  const key = secretBytes(secret);
  for (let i = 0; i < input.length; i += 16) {
    md5Start();
    md5Update(key);
    if (i === 0) md5Update(authenticator, 0, 16);
    else md5Update(reveal ? input : out, i - 16, i);
    md5Finish(digest, 0);
    for (let j = 0; j < 16; j++) out[i + j] = input[i + j]! ^ digest[j]!;
  }
  return out;
}

/** RFC 2865 5.2: User-Password hiding, reversed. Returns null when the value is not a valid hidden password. */
export function decryptUserPassword(hidden: Buffer, secret: string, authenticator: Buffer): string | null {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return null;
  const out = xorChain(hidden, secret, authenticator, true);
  const nul = out.indexOf(0);
  return out.toString('utf8', 0, nul === -1 ? out.length : nul);
}

/** RFC 2865 5.2: hides a User-Password; used by tests and the benchmark to play the NAS. */
export function encryptUserPassword(password: string, secret: string, authenticator: Buffer): Buffer {
  const plain = Buffer.from(password, 'utf8');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  return xorChain(padded, secret, authenticator, false);
}

/** Checks a response against the request it answers; used by tests and by the CoA client. */
export function verifyResponse(response: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  if (checkFraming(response)) return false;
  const packet = response.subarray(0, response.readUInt16BE(2));
  const copy = Buffer.from(packet);
  requestAuthenticator.copy(copy, AUTH_OFFSET);
  if (!safeEqual(md5(copy, secretBytes(secret)), packet.subarray(AUTH_OFFSET, AUTH_OFFSET + AUTH_LENGTH))) return false;
  const off = messageAuthenticatorOffset(copy);
  if (off === -1) return true;
  if (off < 0) return false;
  const received = Buffer.from(copy.subarray(off, off + 16));
  copy.fill(0, off, off + 16);
  return safeEqual(hmacMd5(secret, copy), received);
}
