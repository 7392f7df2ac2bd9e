import { randomBytes } from 'node:crypto';
import { chapResponse } from './chap';
import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { takeHit } from '../pool/device-source-limit';

/** How long a citizen's browser has to hand the credentials to the router after "Sambungkan". */
export const GRANT_TTL_MS = 120_000;

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const USERNAME_RE = /^g-[a-z2-9]{12}$/;

function randomText(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 % 31 leaves a small bias; rejection sampling removes it.
  for (let i = 0; out.length < length; i++) {
    if (i >= bytes.length) return out + randomText(length - out.length);
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % ALPHABET.length];
  }
  return out;
}

export interface Grant {
  readonly username: string;
  readonly password: string;
  readonly hotspotId: string;
  readonly mac: string;
}

/** Grants a device may get per minute, and all devices asking from one network (a router's NAT, a crowd). */
export const GRANTS_PER_DEVICE_PER_MINUTE = 6;
export const GRANTS_PER_SOURCE_PER_MINUTE = 600;

/**
 * Whether another grant may be issued now, to this device asking from this network. There is no limit per hotspot
 * here: anyone who can reach the portal could use it up with made-up MACs and lock the citizens out. What a hotspot
 * admits is limited where its router vouches for the request, at RADIUS (maxSessions). A grant nobody presents
 * expires in two minutes.
 */
export function allowGrant(redis: Redis, keys: Keys, input: { mac: string; source: string }): Promise<'ok' | 'device' | 'source'> {
  return takeHit(redis, {
    deviceKey: keys.grantRate(`mac:${input.mac}`),
    sourceKey: keys.grantRate(`src:${input.source}`),
    perDevice: GRANTS_PER_DEVICE_PER_MINUTE,
    perSource: GRANTS_PER_SOURCE_PER_MINUTE,
    windowMs: 60_000,
  });
}

/** Credentials in the grant format, not stored: for when Redis is unavailable and RADIUS fails open. */
export function unstoredGrant(input: { hotspotId: string; mac: string }): Grant {
  return { username: `g-${randomText(12)}`, password: randomText(16), hotspotId: input.hotspotId, mac: input.mac };
}


/**
 * A one-time grant: a random username and password, bound to a hotspot and a MAC, valid two minutes. With the
 * router's CHAP id and challenge, the CHAP response the router will forward is stored too, so that RADIUS checks
 * it inside the admission script, in one round trip.
 */
export async function createGrant(
  redis: Redis,
  keys: Keys,
  input: {
    hotspotId: string;
    mac: string;
    chap?: { id: Buffer; challenge: Buffer };
    voucher?: string;
    /** What redeeming the voucher for this grant did, for the admission to give back if RADIUS refuses. */
    redemption?: { startedClock: boolean; addedDevice: boolean };
  },
): Promise<Grant & { chapResponse?: string }> {
  const grant = unstoredGrant(input);
  // "<ident>:<challenge>:<response>" in hex: the exact CHAP exchange the router will forward, so that a response
  // seen on the wire is worth nothing with another ident or challenge.
  const chapExchange = input.chap
    ? `${input.chap.id.toString('hex')}:${input.chap.challenge.toString('hex')}:${chapResponse(input.chap.id[0]!, grant.password, input.chap.challenge).toString('hex')}`
    : undefined;
  await redis
    .multi()
    .hset(keys.grant(grant.username), {
      password: grant.password,
      hotspotId: grant.hotspotId,
      mac: grant.mac,
      ...(chapExchange ? { chapResponse: chapExchange } : {}),
      // A grant for a redeemed voucher: RADIUS limits the session by the voucher.
      ...(input.voucher ? { voucher: input.voucher } : {}),
      ...(input.redemption?.startedClock ? { voucherClock: '1' } : {}),
      ...(input.redemption?.addedDevice ? { voucherDevice: '1' } : {}),
    })
    .pexpire(keys.grant(grant.username), GRANT_TTL_MS)
    .exec();
  return chapExchange ? { ...grant, chapResponse: chapExchange } : grant;
}

export function isGrantUsername(username: string): boolean {
  return USERNAME_RE.test(username);
}

