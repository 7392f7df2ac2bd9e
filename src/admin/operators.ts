import { z } from 'zod';
import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { hashPassword } from './passwords';

/**
 * Operator accounts: roles, scopes, passwords. What each role may do is src/admin/policy.ts (`can`); the same rules
 * apply to a person in the console, a script with an admin API key and the CLI.
 */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const scopeSchema = z.strictObject({
  kecamatan: z.array(z.string().trim().min(1).max(60)).max(50).default([]),
  hotspots: z.array(z.string().regex(/^[a-z0-9-]{1,64}$/)).max(500).default([]),
});
export type Scope = z.infer<typeof scopeSchema>;

export const usernameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{2,31}$/, 'must be 3-32 lowercase letters, digits, ".", "_" or "-", starting with a letter');

/** Who is acting: a person signed in to the console, a script with an API key, or the operator CLI on the server. */
export interface Actor {
  readonly kind: 'operator' | 'api-key' | 'cli';
  /** The username, or the API key's name. */
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
}

export interface Operator {
  readonly username: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly createdAt: number;
  readonly disabled: boolean;
}

/** A stored scope, or none (no rights beyond reading) if the record is damaged: an account must stay readable. */
function storedScope(json: string | undefined): Scope {
  try {
    const parsed = scopeSchema.safeParse(json ? JSON.parse(json) : {});
    return parsed.success ? parsed.data : { kecamatan: [], hotspots: [] };
  } catch {
    return { kecamatan: [], hotspots: [] };
  }
}

function parse(h: Record<string, string>): (Operator & { passwordHash: string }) | null {
  if (!h['username']) return null;
  return {
    username: h['username'],
    name: h['name'] ?? h['username'],
    role: (ROLES as readonly string[]).includes(h['role'] ?? '') ? (h['role'] as Role) : 'viewer',
    scope: storedScope(h['scope']),
    createdAt: Number(h['createdAt'] ?? 0),
    disabled: h['disabled'] === '1',
    passwordHash: h['passwordHash'] ?? '',
  };
}

export async function getOperator(redis: Redis, keys: Keys, username: string): Promise<(Operator & { passwordHash: string }) | null> {
  return parse(await redis.hgetall(keys.operator(username)));
}

export async function listOperators(redis: Redis, keys: Keys): Promise<Operator[]> {
  const names = (await redis.smembers(keys.operators())).sort();
  const all = await Promise.all(names.map((n) => getOperator(redis, keys, n)));
  return all.filter((o): o is Operator & { passwordHash: string } => o !== null).map(({ passwordHash: _, ...o }) => o);
}

/** Creates an account; false if the username is taken. */
export async function createOperator(
  redis: Redis,
  keys: Keys,
  input: { username: string; name: string; role: Role; scope: Scope; password: string },
): Promise<boolean> {
  const passwordHash = await hashPassword(input.password);
  const created = await redis.hsetnx(keys.operator(input.username), 'username', input.username);
  if (!created) return false;
  await redis
    .multi()
    .hset(keys.operator(input.username), {
      name: input.name,
      role: input.role,
      scope: JSON.stringify(input.scope),
      passwordHash,
      createdAt: Date.now(),
      disabled: 0,
    })
    .sadd(keys.operators(), input.username)
    .exec();
  return true;
}

export async function updateOperator(
  redis: Redis,
  keys: Keys,
  username: string,
  // The role is not among these: it changes only through setOperatorRole, which keeps an enabled admin.
  change: { name?: string | undefined; scope?: Scope | undefined; disabled?: boolean | undefined; password?: string | undefined },
): Promise<void> {
  const fields: Record<string, string | number> = {};
  if (change.name !== undefined) fields['name'] = change.name;
  if (change.scope !== undefined) fields['scope'] = JSON.stringify(change.scope);
  if (change.disabled !== undefined) fields['disabled'] = change.disabled ? 1 : 0;
  if (change.password !== undefined) fields['passwordHash'] = await hashPassword(change.password);
  if (Object.keys(fields).length) await redis.hset(keys.operator(username), fields);
  // A new password or a disabled account ends every console session of the account (a stolen one too).
  if (change.password !== undefined || change.disabled) {
    const sessions = await redis.smembers(keys.adminSessionsOf(username));
    await redis.del(keys.adminSessionsOf(username), ...sessions.map((h) => keys.adminSession(h)));
  }
}


/**
 * Sets an operator's role and whether it is disabled, atomically refusing a change that would leave no enabled
 * admin ('last-admin'). Ends the account's sessions when it is disabled.
 */
export async function setOperatorRole(redis: Redis, keys: Keys, username: string, role: Role, disabled: boolean): Promise<'ok' | 'last-admin' | 'not-found'> {
  const r = await redis.setOperatorRole(
    keys.operators(), keys.operator(username), keys.prefix(), username, role, disabled ? '1' : '0',
  );
  if (r === -1) return 'not-found';
  if (r === 0) return 'last-admin';
  if (disabled) await updateOperator(redis, keys, username, { disabled: true });
  return 'ok';
}
