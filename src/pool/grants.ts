import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from './keys';

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

/** A one-time grant: a random username and password, bound to a hotspot and a MAC, valid two minutes. */
export async function createGrant(redis: Redis, keys: Keys, input: { hotspotId: string; mac: string }): Promise<Grant> {
  const grant: Grant = { username: `g-${randomText(12)}`, password: randomText(16), hotspotId: input.hotspotId, mac: input.mac };
  await redis
    .multi()
    .hset(keys.grant(grant.username), { password: grant.password, hotspotId: grant.hotspotId, mac: grant.mac })
    .pexpire(keys.grant(grant.username), GRANT_TTL_MS)
    .exec();
  return grant;
}

export function isGrantUsername(username: string): boolean {
  return USERNAME_RE.test(username);
}

export async function readGrant(redis: Redis, keys: Keys, username: string): Promise<Grant | null> {
  if (!isGrantUsername(username)) return null;
  const g = await redis.hgetall(keys.grant(username));
  if (!g.password || !g.hotspotId || !g.mac) return null;
  return { username, password: g.password, hotspotId: g.hotspotId, mac: g.mac };
}
