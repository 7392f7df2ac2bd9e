import { NO_VENDOR, type AttributeDef } from '../dictionary';
import { decryptUserPassword, messageAuthenticatorOffset, verifyAccountingAuthenticator, verifyMessageAuthenticator } from './authenticators';
import { dictionary, radius } from './dictionaries';
import { AUTH_LENGTH, AUTH_OFFSET, checkFraming, hasAttribute, HEADER_LENGTH, MAX_PACKET_LENGTH, rawAttributes } from './framing';
import { Attr, Code, REPLY_ATTRIBUTE_BUDGET, type AttrValue, type DecodeResult } from './types';

/**
 * Decodes and verifies a request from a NAS with the NAS's secret. Never throws on bad input: a malformed or
 * forged packet is a value the caller drops.
 */
export function decodeRequest(
  datagram: Buffer,
  secret: string,
  options: { requireMessageAuthenticator?: boolean; limitProxyState?: boolean } = {},
): DecodeResult {
  const framing = checkFraming(datagram);
  if (framing) return { ok: false, reason: framing };
  const packet = datagram.subarray(0, datagram.readUInt16BE(2));
  const code = packet[0]!;
  if (code !== Code.AccessRequest && code !== Code.AccountingRequest && code !== Code.StatusServer) {
    return { ok: false, reason: 'unsupported-code' };
  }
  const maOffset = messageAuthenticatorOffset(packet);
  if (maOffset === -2) return { ok: false, reason: 'bad-attribute' };
  const hasMessageAuthenticator = maOffset >= 0;
  if (code === Code.AccountingRequest && !verifyAccountingAuthenticator(packet, secret)) {
    return { ok: false, reason: 'bad-authenticator' };
  }
  if (!hasMessageAuthenticator && (code === Code.StatusServer || (code === Code.AccessRequest && options.requireMessageAuthenticator))) {
    return { ok: false, reason: 'missing-message-authenticator' };
  }
  if (!hasMessageAuthenticator && code === Code.AccessRequest && options.limitProxyState && hasAttribute(packet, Attr.ProxyState)) {
    return { ok: false, reason: 'proxy-state-without-message-authenticator' };
  }
  if (hasMessageAuthenticator && !verifyMessageAuthenticator(packet, secret, code === Code.AccountingRequest)) {
    return { ok: false, reason: 'bad-message-authenticator' };
  }

  const raw = Buffer.from(packet);
  const attributes = decodeAttributeValues(raw);
  if (!attributes) return { ok: false, reason: 'bad-attribute' };
  const echoed = attributes.proxyStates.reduce((n, ps) => n + 2 + ps.length, 0);
  if (HEADER_LENGTH + echoed + REPLY_ATTRIBUTE_BUDGET > MAX_PACKET_LENGTH) return { ok: false, reason: 'proxy-state-too-large' };
  const authenticator = raw.subarray(AUTH_OFFSET, AUTH_OFFSET + AUTH_LENGTH);
  if (attributes.hiddenPassword) {
    const password = decryptUserPassword(attributes.hiddenPassword, secret, authenticator);
    if (password === null) return { ok: false, reason: 'bad-attribute' };
    attributes.standard['User-Password'] = password;
  }
  return {
    ok: true,
    request: {
      code,
      identifier: raw[1]!,
      authenticator,
      raw,
      hasMessageAuthenticator,
      proxyStates: attributes.proxyStates,
      attributes: attributes.standard,
      vendorAttributes: attributes.vendor,
    },
  };
}

/** Marks a value that does not fit its dictionary type (an integer that is not 4 octets, say). */
const INVALID = Symbol('invalid');

/**
 * The value in packet[start, end) by its dictionary type: text as utf8, integers as numbers or their VALUE name,
 * addresses dotted, anything else as octets (a view into the packet copy, which the request owns). Dates are left
 * out, and so are hidden values (User-Password is decrypted by the caller). Read in place: only octets make a view.
 */
function decodeValue(def: AttributeDef, packet: Buffer, start: number, end: number): AttrValue | undefined | typeof INVALID {
  if (def.encrypted) return undefined;
  if (def.hasTag && end > start && packet[start]! <= 0x1f) {
    if (def.type === 'integer') {
      // A tagged integer (RFC 2868): the tag octet stands for the value's high octet, which is zero.
      if (end - start !== 4) return INVALID;
      const n = packet.readUInt32BE(start) & 0xffffff;
      return def.names.get(n) ?? n;
    }
    start++;
  }
  switch (def.type) {
    case 'string':
    case 'text':
      return packet.toString('utf8', start, end);
    case 'integer':
    case 'time': {
      if (end - start !== 4) return INVALID;
      const n = packet.readUInt32BE(start);
      return def.names.get(n) ?? n;
    }
    case 'ipaddr':
      return end - start === 4 ? `${packet[start]}.${packet[start + 1]}.${packet[start + 2]}.${packet[start + 3]}` : INVALID;
    case 'date':
      return end - start === 4 ? undefined : INVALID;
    default:
      return packet.subarray(start, end);
  }
}

/**
 * The attributes of a framed packet, first occurrence of each name, vendor attributes apart; null when one is
 * malformed for its type or a Vendor-Specific has a vendor id above 2^24.
 */
function decodeAttributeValues(packet: Buffer): {
  standard: Record<string, AttrValue>;
  vendor: Record<string, AttrValue>;
  proxyStates: Buffer[];
  hiddenPassword: Buffer | undefined;
} | null {
  const standard: Record<string, AttrValue> = {};
  const vendor: Record<string, AttrValue> = {};
  const proxyStates: Buffer[] = [];
  let hiddenPassword: Buffer | undefined;
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) {
    const type = packet[off]!;
    const end = off + packet[off + 1]!;
    if (type === Attr.UserPassword) {
      hiddenPassword ??= packet.subarray(off + 2, end);
      continue;
    }
    if (type === Attr.ProxyState) proxyStates.push(packet.subarray(off + 2, end));
    if (type === Attr.VendorSpecific) {
      // RFC 2865 5.26: the high-order octet of the Vendor-Id is 0.
      if (packet[off + 2] !== 0 || end - off < 6) return null;
      const vendorId = packet.readUInt32BE(off + 2);
      for (let sub = off + 6; sub < end; sub += packet[sub + 1]!) {
        const def = dictionary.byId(vendorId, packet[sub]!);
        if (!def || vendor[def.name] !== undefined) continue;
        const v = decodeValue(def, packet, sub + 2, sub + packet[sub + 1]!);
        if (v === INVALID) return null;
        if (v !== undefined) vendor[def.name] = v;
      }
      continue;
    }
    const def = dictionary.byId(NO_VENDOR, type);
    if (!def || standard[def.name] !== undefined) continue;
    const v = decodeValue(def, packet, off + 2, end);
    if (v === INVALID) return null;
    if (v !== undefined) standard[def.name] = v;
  }
  return { standard, vendor, proxyStates, hiddenPassword };
}

/** Decodes any packet's attributes without verification, for tests and diagnostics. */
export function inspect(packet: Buffer): { code: number; identifier: number; attributes: Array<[number, Buffer]> } | null {
  if (checkFraming(packet)) return null;
  return { code: packet[0]!, identifier: packet[1]!, attributes: rawAttributes(packet) };
}

/**
 * Reads a vendor attribute's value from a decoded reply, for tests (no verification). This is the one use of the
 * package's decoder: the unit tests compare it with ours on random packets.
 */
export function decodeAttributes(packet: Buffer): { attributes: Record<string, unknown> } {
  const d = radius.decode({ packet: Buffer.from(packet), no_secret: true });
  return { attributes: d.attributes };
}
