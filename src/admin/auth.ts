import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { cookies } from '../cookies';
import type { Keys } from '../redis/keys';
import { sourceNetwork } from '../source-network';
import type { RedisClient as Redis } from '../redis/client';
import { audit } from './audit';
import { getOperator, scopeSchema, type Actor, type Role, type Scope } from './operators';
import { DUMMY_HASH, verifyPassword } from './passwords';

/**
 * Console sign-in and API keys. A console session is a random token in an HttpOnly, SameSite=Strict cookie; Redis
 * keeps only its SHA-256, the operator and a CSRF token, and forgets it after 8 idle hours (12 at most). Failed
 * sign-ins are capped per account from one address, per account from everywhere, and per address.
 */

export const SESSION_COOKIE = 'limpah_admin';
const IDLE_MS = 8 * 3600_000;
const MAX_AGE_MS = 12 * 3600_000;
// Failed sign-ins per 15-minute window. Per account from one address: the user's own typos, and all that a stranger
// at one address can do to an account, so the stranger cannot lock the user out. Per account from everywhere: ten
// times that, so locking an account for everyone takes ten addresses (IPv4, or IPv6 /64s) acting together, and
// guessing at one account stays at 200 an hour however many addresses the guesser has. Per address at every
// account: one address guessing through names.
export const LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS = 5;
export const LOGIN_FAILURES_PER_ACCOUNT = 50;
export const LOGIN_FAILURES_PER_ADDRESS = 20;
export const LOGIN_WINDOW_MS = 15 * 60_000;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export interface ConsoleSession {
  readonly actor: Actor;
  readonly csrf: string;
  readonly token: string;
}

interface StoredSession {
  readonly username: string;
  readonly csrf: string;
  readonly createdAt: number;
}

/** Which limit refused a sign-in: the account from this address, the account from everywhere, or this address. */
export type LoginLimit = 'account-at-address' | 'account' | 'address';
const LIMIT_BY_CODE: Record<number, LoginLimit> = { 1: 'account-at-address', 2: 'account', 3: 'address' };

export type LoginResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'bad-credentials' }
  | { ok: false; reason: 'throttled'; limit: LoginLimit; retryAfterMs: number };

function loginKeys(keys: Keys, username: string, ip: string): [string, string, string] {
  const name = username.toLowerCase().slice(0, 64);
  const source = sourceNetwork(ip);
  // The source never holds a '|', so the pair key is unambiguous whatever the (attacker-chosen) name.
  return [keys.loginFailures(`ip-user:${source}|${name}`), keys.loginFailures(`user:${name}`), keys.loginFailures(`ip:${source}`)];
}

export async function login(redis: Redis, keys: Keys, username: string, password: string, ip: string): Promise<LoginResult> {
  const counters = loginKeys(keys, username, ip);
  // Every attempt is counted before the password is checked, atomically against all three limits, so that parallel
  // guesses cannot all slip under a limit while scrypt runs; a good password takes its own attempt back.
  const [code, waitMs] = await redis.loginAttempt(...counters, LOGIN_FAILURES_PER_ACCOUNT_AT_ADDRESS, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW_MS);
  const limit = LIMIT_BY_CODE[code];
  if (limit) return { ok: false, reason: 'throttled', limit, retryAfterMs: Math.max(1, waitMs) };
  const op = await getOperator(redis, keys, username);
  // A missing account costs as much as a wrong password, so timing does not tell which names exist.
  const good = await verifyPassword(password, op?.passwordHash || DUMMY_HASH);
  if (!op || !good || op.disabled) return { ok: false, reason: 'bad-credentials' };
  await redis.loginSuccess(...counters);
  const token = randomBytes(32).toString('base64url');
  const stored: StoredSession = { username: op.username, csrf: randomBytes(24).toString('base64url'), createdAt: Date.now() };
  await redis
    .multi()
    .set(keys.adminSession(sha256(token)), JSON.stringify(stored), 'PX', IDLE_MS)
    .sadd(keys.adminSessionsOf(op.username), sha256(token))
    .pexpire(keys.adminSessionsOf(op.username), MAX_AGE_MS)
    .exec();
  await audit(redis, keys, { kind: 'operator', name: op.username, role: op.role, scope: op.scope }, 'login', `operator:${op.username}`, null, { ip });
  return { ok: true, token };
}

/** The signed-in operator of a request, refreshing the idle timer; null when signed out, expired or disabled. */
export async function consoleSession(redis: Redis, keys: Keys, req: Request): Promise<ConsoleSession | null> {
  const token = cookies(req)[SESSION_COOKIE];
  if (!token || token.length > 100) return null;
  const key = keys.adminSession(sha256(token));
  const json = await redis.get(key);
  if (!json) return null;
  const stored = JSON.parse(json) as StoredSession;
  if (Date.now() - stored.createdAt > MAX_AGE_MS) {
    await redis.del(key);
    return null;
  }
  const op = await getOperator(redis, keys, stored.username);
  if (!op || op.disabled) return null;
  await redis.pexpire(key, IDLE_MS);
  return { actor: { kind: 'operator', name: op.username, role: op.role, scope: op.scope }, csrf: stored.csrf, token };
}

export async function logout(redis: Redis, keys: Keys, token: string): Promise<void> {
  await redis.del(keys.adminSession(sha256(token)));
}

/** Whether a posted form carries this session's CSRF token. */
export function csrfOk(session: ConsoleSession, posted: unknown): boolean {
  if (typeof posted !== 'string') return false;
  const a = Buffer.from(posted);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------------- API keys

// Made and revoked through the service (src/admin/service/keys.ts); named here too, where sign-in code looks for them.
export { createAdminApiKey, listAdminApiKeys, revokeAdminApiKey, type AdminApiKeyView } from './service/keys';

/** The actor of an API request (Authorization: Bearer lmk_...), or null. */
export async function apiActor(redis: Redis, keys: Keys, req: Request): Promise<Actor | null> {
  const m = /^Bearer (lmk_[A-Za-z0-9_-]{20,80})$/.exec(req.get('authorization') ?? '');
  if (!m) return null;
  const json = await redis.hget(keys.adminApiKeys(), sha256(m[1]!));
  if (!json) return null;
  const k = JSON.parse(json) as { name: string; role: Role; scope: Scope };
  const scope = scopeSchema.safeParse(k.scope);
  return { kind: 'api-key', name: k.name, role: k.role, scope: scope.success ? scope.data : { kecamatan: [], hotspots: [] } };
}
