import { randomBytes } from 'node:crypto';
import type { Keys } from '../../redis/keys';
import { hashApiKey } from '../../pool/site-store';
import type { RedisClient as Redis } from '../../redis/client';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import { ROLES, scopeSchema, type Actor, type Role, type Scope } from '../operators';
import { can } from '../policy';
import type { StoreDeps } from './deps';
import { checkKecamatan } from './hotspots';

/**
 * API keys, made and revoked by an admin, shown once and kept as a SHA-256 digest: telemetry keys (lmp_...) for
 * agencies' usage push, and script keys (lmk_...) for the admin API, with a role and scope like an operator's.
 */

// ---------------------------------------------------------------------------------------------------- telemetry keys

export interface TelemetryKeyView {
  readonly id: string;
  readonly name: string;
  readonly agencies: string[] | null;
  readonly source: string;
}

export async function listTelemetryKeys(d: StoreDeps): Promise<TelemetryKeyView[]> {
  const all = await d.redis.hgetall(d.keys.apiKeys());
  return Object.entries(all).map(([hash, json]) => {
    const k = JSON.parse(json) as { name: string; agencies: string[] | null; source?: string };
    return { id: hash.slice(0, 12), name: k.name, agencies: k.agencies, source: k.source ?? 'site' };
  });
}

/** A key for an agency's router to push its usage; returned once, kept as a digest. */
export async function createTelemetryKey(d: StoreDeps, actor: Actor, name: string, agencies: string[]): Promise<string> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may create API keys').says('adminOnly');
  if (!/^[\w .-]{1,60}$/.test(name)) throw new AdminError('INVALID', 'name: 1-60 letters, digits, spaces, ".", "_" or "-"').says('keyName');
  const key = `lmp_${randomBytes(24).toString('base64url')}`;
  await d.redis.hset(d.keys.apiKeys(), hashApiKey(key), JSON.stringify({ name, agencies: agencies.length ? agencies : null, source: 'console' }));
  await audit(d.redis, d.keys, actor, 'telemetry-key.create', `telemetry-key:${name}`, null, { name, agencies });
  return key;
}

export async function revokeTelemetryKey(d: StoreDeps, actor: Actor, id: string): Promise<void> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
  const all = await d.redis.hgetall(d.keys.apiKeys());
  const hash = Object.keys(all).find((h) => h.startsWith(id) && id.length >= 8);
  if (!hash) throw new AdminError('NOT_FOUND', `no API key ${id}`).says('noKey', { id });
  await d.redis.hdel(d.keys.apiKeys(), hash);
  await audit(d.redis, d.keys, actor, 'telemetry-key.revoke', `telemetry-key:${(JSON.parse(all[hash]!) as { name: string }).name}`, JSON.parse(all[hash]!), null);
}

// ---------------------------------------------------------------------------------------------------- script keys

export interface AdminApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly scope: Scope;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** An API key for scripts, with a role and scope like an operator's; returned once, kept as a digest. */
export async function createAdminApiKey(redis: Redis, keys: Keys, actor: Actor, input: { name: string; role: Role; scope: Scope }): Promise<string> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may create API keys').says('adminOnly');
  if (!/^[\w .-]{1,60}$/.test(input.name)) throw new AdminError('INVALID', 'name: 1-60 letters, digits, spaces, ".", "_" or "-"').says('keyName');
  if (!(ROLES as readonly string[]).includes(input.role)) throw new AdminError('INVALID', `role: one of ${ROLES.join(', ')}`);
  const scope = parseOrInvalid(scopeSchema, input.scope, 'scope: ');
  await checkKecamatan({ redis, keys }, scope.kecamatan);
  const key = `lmk_${randomBytes(24).toString('base64url')}`;
  await redis.hset(keys.adminApiKeys(), hashApiKey(key), JSON.stringify({ name: input.name, role: input.role, scope, createdAt: Date.now(), createdBy: actor.name }));
  await audit(redis, keys, actor, 'api-key.create', `api-key:${input.name}`, null, { name: input.name, role: input.role, scope });
  return key;
}

export async function listAdminApiKeys(redis: Redis, keys: Keys): Promise<AdminApiKeyView[]> {
  const all = await redis.hgetall(keys.adminApiKeys());
  return Object.entries(all).map(([hash, json]) => ({ id: hash.slice(0, 12), ...(JSON.parse(json) as Omit<AdminApiKeyView, 'id'>) }));
}

export async function revokeAdminApiKey(redis: Redis, keys: Keys, actor: Actor, id: string): Promise<void> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
  const all = await redis.hgetall(keys.adminApiKeys());
  const hash = id.length >= 8 ? Object.keys(all).find((h) => h.startsWith(id)) : undefined;
  if (!hash) throw new AdminError('NOT_FOUND', `no API key ${id}`).says('noKey', { id });
  await redis.hdel(keys.adminApiKeys(), hash);
  const k = JSON.parse(all[hash]!) as { name: string };
  await audit(redis, keys, actor, 'api-key.revoke', `api-key:${k.name}`, k, null);
}
