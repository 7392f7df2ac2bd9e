import { randomBytes, timingSafeEqual } from 'node:crypto';
import radius from 'radius';
import { paths } from '../paths';
import { hmacMd5 as hmacMd5Of, md5 as md5Of } from './digest';
import { loadDictionary, NO_VENDOR, packageDictionaryDir, type AttributeDef } from './dictionary';

/**
 * The only module that touches the `radius` package. Attributes are named and typed by the package's RFC
 * dictionaries and ours (radius/dictionary.ts), loaded once when this module loads, before any encode or decode.
 * Packets are framed, laid out, checked and signed here, because the package:
 *  - appends Message-Authenticator last (BlastRADIUS wants it first in responses),
 *  - computes it in the wrong order for Accounting requests and compares digests as lossy utf8 strings,
 *  - mutates the caller's attribute arrays and needs its dictionaries added before the first use,
 *  - writes an attribute longer than 253 octets with a wrapped length byte, and allocates a zero-filled 4 KB
 *    buffer and calls the deprecated Buffer constructor for every packet (a third of the server's CPU per
 *    request in `npm run bench:radius`).
 * The package's decoder stays in use for `decodeAttributes` (tests, diagnostics), where the unit tests compare
 * it with ours on random packets.
 */

radius.add_dictionary(paths.radiusDictionaries);
radius.load_dictionaries();
const dictionary = loadDictionary([packageDictionaryDir(), paths.radiusDictionaries]);

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
const AUTH_OFFSET = 4;
const AUTH_LENGTH = 16;

export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectAck: 41,
  DisconnectNak: 42,
  CoaRequest: 43,
  CoaAck: 44,
  CoaNak: 45,
} as const;

export const Attr = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  VendorSpecific: 26,
  ProxyState: 33,
  ChapChallenge: 60,
  MessageAuthenticator: 80,
  ErrorCause: 101,
} as const;

export const Vendor = { Mikrotik: 14988, WISPr: 14122, ChilliSpot: 14559 } as const;

const CODE_NAMES: Record<number, string> = {
  1: 'Access-Request',
  2: 'Access-Accept',
  3: 'Access-Reject',
  4: 'Accounting-Request',
  5: 'Accounting-Response',
  11: 'Access-Challenge',
  12: 'Status-Server',
  40: 'Disconnect-Request',
  41: 'Disconnect-ACK',
  42: 'Disconnect-NAK',
  43: 'CoA-Request',
  44: 'CoA-ACK',
  45: 'CoA-NAK',
};

export type AttrValue = string | number | Buffer;

/** A request decoded and verified: attributes are typed, vendor attributes by name. */
export interface RadiusRequest {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  /** The packet as received, trimmed to its declared length. */
  readonly raw: Buffer;
  readonly hasMessageAuthenticator: boolean;
  readonly proxyStates: readonly Buffer[];
  /** Standard attributes by dictionary name (first occurrence). User-Password is decrypted. */
  readonly attributes: Readonly<Record<string, AttrValue>>;
  /** Vendor attributes by dictionary name. */
  readonly vendorAttributes: Readonly<Record<string, AttrValue>>;
}

export type DecodeFailure =
  | 'too-short'
  | 'bad-length'
  | 'bad-attribute'
  | 'unsupported-code'
  | 'bad-authenticator'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator'
  | 'proxy-state-without-message-authenticator'
  | 'proxy-state-too-large';

/**
 * Room a reply keeps for its own attributes, beyond the Proxy-State it must copy back (RFC 2865 5.33): an
 * Access-Accept with every limit and rate takes about 150 octets. A request whose Proxy-State leaves less could not
 * be answered, so it is dropped before anything is decided or booked.
 */
export const REPLY_ATTRIBUTE_BUDGET = 1024;

export type DecodeResult = { ok: true; request: RadiusRequest } | { ok: false; reason: DecodeFailure };

/** The attributes of a reply. Vendor attributes are `{ vendor, name, value }`. */
export type ReplyAttribute = readonly [name: string, value: AttrValue] | { readonly vendor: number; readonly name: string; readonly value: AttrValue };

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

function rawAttributes(packet: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) {
    out.push([packet[off]!, packet.subarray(off + 2, off + packet[off + 1]!)]);
  }
  return out;
}

function md5(...parts: Buffer[]): Buffer {
  return md5Of(parts);
}

const ZERO16 = Buffer.alloc(16);
const secretBuffers = new Map<string, Buffer>();

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
  return a.length === b.length && timingSafeEqual(a, b);
}

function hasAttribute(packet: Buffer, type: number): boolean {
  const length = packet.readUInt16BE(2);
  for (let off = HEADER_LENGTH; off < length; off += packet[off + 1]!) if (packet[off] === type) return true;
  return false;
}

/** Offset of the first Message-Authenticator value in a framed packet, or -1. */
function messageAuthenticatorOffset(packet: Buffer): number {
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
function verifyMessageAuthenticator(packet: Buffer, secret: string, zeroAuthenticator: boolean): boolean {
  const off = messageAuthenticatorOffset(packet);
  if (off < 0) return false;
  // The digest is fed the packet in pieces, with zeros in place of the fields, so nothing is copied.
  const parts = zeroAuthenticator
    ? [packet.subarray(0, AUTH_OFFSET), ZERO16, packet.subarray(HEADER_LENGTH, off), ZERO16, packet.subarray(off + 16)]
    : [packet.subarray(0, off), ZERO16, packet.subarray(off + 16)];
  return safeEqual(hmacMd5Of(secret, parts), packet.subarray(off, off + 16));
}

/** RFC 2866 3: the Accounting Request Authenticator is MD5(packet with a zero authenticator ‖ secret). */
function verifyAccountingAuthenticator(packet: Buffer, secret: string): boolean {
  const expected = md5(packet.subarray(0, AUTH_OFFSET), ZERO16, packet.subarray(HEADER_LENGTH), secretBytes(secret));
  return safeEqual(expected, packet.subarray(AUTH_OFFSET, AUTH_OFFSET + AUTH_LENGTH));
}

/** RFC 2865 5.2: User-Password hiding, reversed. Returns null when the value is not a valid hidden password. */
export function decryptUserPassword(hidden: Buffer, secret: string, authenticator: Buffer): string | null {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) return null;
  const out = Buffer.alloc(hidden.length);
  let prev = authenticator;
  const key = secretBytes(secret);
  for (let i = 0; i < hidden.length; i += 16) {
    const b = md5(key, prev);
    for (let j = 0; j < 16; j++) out[i + j] = hidden[i + j]! ^ b[j]!;
    prev = hidden.subarray(i, i + 16);
  }
  const nul = out.indexOf(0);
  return out.subarray(0, nul === -1 ? out.length : nul).toString('utf8');
}

/** RFC 2865 5.2: hides a User-Password; used by tests and the benchmark to play the NAS. */
export function encryptUserPassword(password: string, secret: string, authenticator: Buffer): Buffer {
  const plain = Buffer.from(password, 'utf8');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  const out = Buffer.alloc(padded.length);
  let prev = authenticator;
  const key = secretBytes(secret);
  for (let i = 0; i < padded.length; i += 16) {
    const b = md5(key, prev);
    for (let j = 0; j < 16; j++) out[i + j] = padded[i + j]! ^ b[j]!;
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** The code of a datagram, or null when it is too short to have one. Used to route before verification. */
export function peekCode(buf: Buffer): number | null {
  return buf.length >= HEADER_LENGTH ? buf[0]! : null;
}

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
 * A value by its dictionary type: text as utf8, integers as numbers or their VALUE name, addresses dotted,
 * anything else as octets (a view into the packet copy, which the request owns). Dates are left out, and so are
 * hidden values (User-Password is decrypted by the caller).
 */
function decodeValue(def: AttributeDef, value: Buffer): AttrValue | undefined | typeof INVALID {
  if (def.encrypted) return undefined;
  if (def.hasTag && value.length > 0 && value[0]! <= 0x1f) value = def.type === 'integer' ? Buffer.concat([ZERO16.subarray(0, 1), value.subarray(1)]) : value.subarray(1);
  switch (def.type) {
    case 'string':
    case 'text':
      return value.toString('utf8');
    case 'integer':
    case 'time': {
      if (value.length !== 4) return INVALID;
      const n = value.readUInt32BE(0);
      return def.names.get(n) ?? n;
    }
    case 'ipaddr':
      return value.length === 4 ? `${value[0]}.${value[1]}.${value[2]}.${value[3]}` : INVALID;
    case 'date':
      return value.length === 4 ? undefined : INVALID;
    default:
      return value;
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
    const value = packet.subarray(off + 2, off + packet[off + 1]!);
    if (type === Attr.UserPassword) {
      hiddenPassword ??= value;
      continue;
    }
    if (type === Attr.ProxyState) proxyStates.push(value);
    if (type === Attr.VendorSpecific) {
      // RFC 2865 5.26: the high-order octet of the Vendor-Id is 0.
      if (value[0] !== 0) return null;
      const vendorId = value.readUInt32BE(0);
      for (let sub = 4; sub < value.length; sub += value[sub + 1]!) {
        const def = dictionary.byId(vendorId, value[sub]!);
        if (!def || vendor[def.name] !== undefined) continue;
        const v = decodeValue(def, value.subarray(sub + 2, sub + value[sub + 1]!));
        if (v === INVALID) return null;
        if (v !== undefined) vendor[def.name] = v;
      }
      continue;
    }
    const def = dictionary.byId(NO_VENDOR, type);
    if (!def || standard[def.name] !== undefined) continue;
    const v = decodeValue(def, value);
    if (v === INVALID) return null;
    if (v !== undefined) standard[def.name] = v;
  }
  return { standard, vendor, proxyStates, hiddenPassword };
}

/** Scratch space for laying out one packet; encoding is synchronous, so one buffer serves every call. */
const scratch = Buffer.allocUnsafe(MAX_PACKET_LENGTH);
/** The most a value can hold: 255 minus the type and length octets (RFC 2865 5). */
const MAX_VALUE_LENGTH = 253;

/** An attribute to lay out: a reply attribute, or a top-level attribute by number with its octets. */
type LayoutAttribute = ReplyAttribute | readonly [type: number, value: Buffer];

function attributeError(name: string | number, problem: string): Error {
  return new Error(`cannot encode RADIUS attribute ${name}: ${problem}`);
}

/**
 * Writes one value at `off` by its dictionary type; returns the octets written, or -1 for an empty string (left
 * out, as RADIUS has no empty text). Throws when the value does not fit the type or `room`.
 */
function writeValue(def: AttributeDef | undefined, name: string | number, value: AttrValue, off: number, room: number): number {
  if (Buffer.isBuffer(value)) {
    if (value.length > room) throw attributeError(name, `${value.length} octets, at most ${room} fit`);
    value.copy(scratch, off);
    return value.length;
  }
  if (!def) throw attributeError(name, 'not in the dictionaries; give its value as a Buffer');
  switch (def.type) {
    case 'integer':
    case 'time': {
      const n = typeof value === 'number' ? value : def.values.get(value) ?? (/^\d+$/.test(value) ? Number(value) : NaN);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw attributeError(name, `${JSON.stringify(value)} is not an unsigned 32-bit integer or a VALUE name`);
      scratch.writeUInt32BE(n, off);
      return 4;
    }
    case 'ipaddr': {
      const parts = String(value).split('.');
      if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) throw attributeError(name, `${JSON.stringify(value)} is not an IPv4 address`);
      for (let i = 0; i < 4; i++) scratch[off + i] = Number(parts[i]);
      return 4;
    }
    case 'string':
    case 'text':
    case 'octets': {
      const text = String(value);
      if (text.length === 0) return -1;
      const n = Buffer.byteLength(text, 'utf8');
      if (n > room) throw attributeError(name, `${n} octets, at most ${room} fit`);
      scratch.write(text, off, 'utf8');
      return n;
    }
    default:
      throw attributeError(name, `type ${def.type} needs its value as a Buffer`);
  }
}

/**
 * Header and attributes, in an exactly sized buffer: each vendor attribute in a Vendor-Specific of its own, as
 * MikroTik and most NASes send and expect. The caller's array is only read.
 */
function layout(code: number, identifier: number, authenticator: Buffer, attributes: readonly LayoutAttribute[]): Buffer {
  let off = HEADER_LENGTH;
  for (const a of attributes) {
    const room = MAX_PACKET_LENGTH - off;
    if ('vendor' in a) {
      const def = dictionary.byName(a.vendor, a.name);
      if (!def) throw attributeError(a.name, `not in the dictionary of vendor ${a.vendor}`);
      if (room < 8) throw attributeError(a.name, 'the packet is full');
      const n = writeValue(def, a.name, a.value, off + 8, Math.min(MAX_VALUE_LENGTH - 6, room - 8));
      if (n < 0) continue;
      scratch[off] = Attr.VendorSpecific;
      scratch[off + 1] = 8 + n;
      scratch.writeUInt32BE(a.vendor, off + 2);
      scratch[off + 6] = def.id;
      scratch[off + 7] = 2 + n;
      off += 8 + n;
      continue;
    }
    const [name, value] = a;
    const def = typeof name === 'number' ? dictionary.byId(NO_VENDOR, name) : dictionary.byName(NO_VENDOR, name);
    if (typeof name === 'string' && !def) throw attributeError(name, 'not in the dictionaries');
    if (room < 2) throw attributeError(name, 'the packet is full');
    const n = writeValue(def, name, value, off + 2, Math.min(MAX_VALUE_LENGTH, room - 2));
    if (n < 0) continue;
    scratch[off] = def ? def.id : (name as number);
    scratch[off + 1] = 2 + n;
    off += 2 + n;
  }
  const packet = Buffer.allocUnsafe(off);
  scratch.copy(packet, 0, 0, off);
  packet[0] = code;
  packet[1] = identifier;
  packet.writeUInt16BE(off, 2);
  authenticator.copy(packet, AUTH_OFFSET);
  return packet;
}

/**
 * Encodes a response to a request. Message-Authenticator comes first in every Access-Accept, Access-Reject and
 * Access-Challenge (BlastRADIUS). Proxy-State
 * attributes are copied last, in order (RFC 2865 5.33). The caller's array is never changed.
 */
export function encodeResponse(
  code: number,
  request: Pick<RadiusRequest, 'identifier' | 'authenticator' | 'proxyStates'>,
  attributes: readonly ReplyAttribute[],
  secret: string,
): Buffer {
  const codeName = CODE_NAMES[code];
  const responseCodes: number[] = [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge, Code.AccountingResponse];
  if (!codeName || !responseCodes.includes(code)) throw new Error(`not a response code: ${code}`);
  // Accounting-Response carries none: RFC 2866 has no use for it, and FreeRADIUS 3.2 clients verify one in an
  // Accounting-Response against a zero authenticator, unlike RFC 5176, so any choice would fail some peer.
  const withMa = code === Code.AccessAccept || code === Code.AccessReject || code === Code.AccessChallenge;
  const list: LayoutAttribute[] = [];
  if (withMa) list.push([Attr.MessageAuthenticator, ZERO16]);
  list.push(...attributes);
  for (const ps of request.proxyStates) list.push([Attr.ProxyState, ps]);

  const packet = layout(code, request.identifier, request.authenticator, list);
  // Sign: Message-Authenticator over the packet with the Request Authenticator, then the Response
  // Authenticator over the signed packet (RFC 3579 3.2).
  if (withMa) {
    const off = HEADER_LENGTH + 2;
    packet.fill(0, off, off + 16);
    hmacMd5(secret, packet).copy(packet, off);
  }
  md5(packet, secretBytes(secret)).copy(packet, AUTH_OFFSET);
  return packet;
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

/** Decodes any packet's attributes without verification, for tests and diagnostics. */
export function inspect(packet: Buffer): { code: number; identifier: number; attributes: Array<[number, Buffer]> } | null {
  if (checkFraming(packet)) return null;
  return { code: packet[0]!, identifier: packet[1]!, attributes: rawAttributes(packet) };
}

/** Reads a vendor attribute's value from a decoded reply, for tests (no verification). */
export function decodeAttributes(packet: Buffer): { attributes: Record<string, unknown> } {
  const d = radius.decode({ packet: Buffer.from(packet), no_secret: true });
  return { attributes: d.attributes };
}

/**
 * Encodes a request: Access-Request and Status-Server with a random authenticator and, when asked,
 * Message-Authenticator first; Accounting-, CoA- and Disconnect-Request with the RFC 2866 / RFC 5176
 * authenticator (Message-Authenticator computed over a zero authenticator first, as FreeRADIUS does).
 * User-Password is hidden here. Used by the CoA client, tests and the benchmark.
 */
export function encodeRequest(
  code: number,
  attributes: readonly ReplyAttribute[],
  secret: string,
  options: { identifier?: number; messageAuthenticator?: boolean; authenticator?: Buffer } = {},
): Buffer {
  const codeName = CODE_NAMES[code];
  const requestCodes: number[] = [Code.AccessRequest, Code.AccountingRequest, Code.StatusServer, Code.CoaRequest, Code.DisconnectRequest];
  if (!codeName || !requestCodes.includes(code)) throw new Error(`not a request code: ${code}`);
  const random = code === Code.AccessRequest || code === Code.StatusServer;
  const authenticator = random ? Buffer.from(options.authenticator ?? randomBytes(AUTH_LENGTH)) : Buffer.alloc(AUTH_LENGTH);
  const withMa = options.messageAuthenticator ?? code === Code.StatusServer;
  const list: LayoutAttribute[] = [];
  if (withMa) list.push([Attr.MessageAuthenticator, ZERO16]);
  for (const a of attributes) {
    if (!('vendor' in a) && a[0] === 'User-Password') {
      list.push([Attr.UserPassword, encryptUserPassword(String(a[1]), secret, authenticator)]);
    } else {
      list.push(a);
    }
  }
  const packet = layout(code, options.identifier ?? randomBytes(1)[0]!, authenticator, list);
  if (withMa) {
    const off = HEADER_LENGTH + 2;
    packet.fill(0, off, off + 16);
    hmacMd5(secret, packet).copy(packet, off);
  }
  if (!random) md5(packet, secretBytes(secret)).copy(packet, AUTH_OFFSET);
  return packet;
}
