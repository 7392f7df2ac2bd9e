import type { DecodeFailure } from './types';

/** The header: code, identifier, length, then the 16-octet authenticator at AUTH_OFFSET. */
export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const AUTH_OFFSET = 4;
export const AUTH_LENGTH = 16;

/**
 * Checks the framing: the declared length fits the datagram and the attributes tile it exactly.
 * Bytes past the declared length are padding and are ignored (RFC 2865 section 3).
 */
export function checkFraming(buf: Buffer): DecodeFailure | null {
  if (buf.length < HEADER_LENGTH) return 'too-short';
  const length = buf.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH || length > buf.length) return 'bad-length';
  let off = HEADER_LENGTH;
  while (off < length) {
    if (off + 2 > length) return 'bad-attribute';
    const attrLen = buf[off + 1]!;
    if (attrLen < 2 || off + attrLen > length) return 'bad-attribute';
    if (buf[off] === 26) {
      // Vendor-Specific: 4-byte vendor id, then sub-attributes that must tile the value.
      if (attrLen < 8) return 'bad-attribute';
      let sub = off + 6;
      const end = off + attrLen;
      while (sub < end) {
        if (sub + 2 > end) return 'bad-attribute';
        const subLen = buf[sub + 1]!;
        if (subLen < 2 || sub + subLen > end) return 'bad-attribute';
        sub += subLen;
      }
    }
    off += attrLen;
  }
  return null;
}

/** The code of a datagram, or null when it is too short to have one. Used to route before verification. */
export function peekCode(buf: Buffer): number | null {
  return buf.length >= HEADER_LENGTH ? buf[0]! : null;
}

/** The attributes of a framed packet as type and octets, in order. */
export function rawAttributes(packet: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) {
    out.push([packet[off]!, packet.subarray(off + 2, off + packet[off + 1]!)]);
  }
  return out;
}

/** Whether a framed packet has an attribute of this type. */
export function hasAttribute(packet: Buffer, type: number): boolean {
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) if (packet[off] === type) return true;
  return false;
}
