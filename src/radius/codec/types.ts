/** The codec's vocabulary: packet codes, attribute numbers, and the shapes of requests, replies and failures. */

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

export const CODE_NAMES: Record<number, string> = {
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
