/**
 * The RADIUS codec, the only code that touches the `radius` package; this module is its public face and re-exports
 * the modules in codec/, split as pg-protocol splits its own:
 *  - codec/types.ts: codes, attribute numbers, the shapes of requests, replies and failures;
 *  - codec/dictionaries.ts: the dictionaries, loaded once, before any encode or decode;
 *  - codec/framing.ts: the header and checkFraming, the only check that runs before the rest reads a packet;
 *  - codec/authenticators.ts: Request, Response and Message-Authenticators, User-Password hiding;
 *  - codec/decode.ts: decodeRequest and the attribute values by dictionary type;
 *  - codec/encode.ts: layout, encodeResponse and encodeRequest.
 * Attributes are named and typed by the package's RFC dictionaries and ours (radius/dictionary.ts).
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

export { Attr, Code, REPLY_ATTRIBUTE_BUDGET, Vendor } from './codec/types';
export type { AttrValue, DecodeFailure, DecodeResult, RadiusRequest, ReplyAttribute } from './codec/types';
export { checkFraming, HEADER_LENGTH, MAX_PACKET_LENGTH, peekCode } from './codec/framing';
export { decryptUserPassword, encryptUserPassword, verifyResponse } from './codec/authenticators';
export { decodeAttributes, decodeRequest, inspect } from './codec/decode';
export { encodeRequest, encodeResponse } from './codec/encode';
