import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hotspotSchema, nasSchema, officeHoursSchema, quotaSchema, LOGIN_METHODS, HOTSPOT_KINDS } from '../config/site';
import type { Logger } from '../log';
import type { Keys } from '../pool/keys';
import type { Pool } from '../pool/pool';
import { hashApiKey, hotspotFields, readNasDirectory, type NasRecord } from '../pool/site-store';
import type { NasDirectory } from '../radius/nas-directory';
import type { SessionControl } from '../radius/session-control';
import type { RedisClient as Redis } from '../redis/client';
import { readAgencyUsage, refreshCapacity } from '../pool/capacity-refresh';
import { normalizeMac } from '../mac';
import { createVouchers, batchVouchers, getVoucher, listBatches, revokeVoucher } from '../vouchers/store';
import { isGrantUsername } from '../grants/grants';
import { audit } from './audit';
import type { AdminErrorText } from './i18n';
import type { RadiusEndpoint } from './router-config';
import { canWriteHotspot, createOperator, getOperator, isAdmin, ROLES, scopeSchema, setOperatorRole, updateOperator, usernameSchema, type Actor } from './operators';
import { passwordProblem } from './passwords';

/**
 * What the console and the admin API do, in one place: each operation checks the actor's role and scope, does
 * the change, and writes the audit log with the values before and after. Routes only parse and render.
 */

export class AdminError extends Error {
  /** What the console says instead of the English message (which the API answers): see ADMIN_MESSAGES.errors. */
  text: { readonly key: AdminErrorText; readonly values: Readonly<Record<string, string | number>> } | undefined;
  /** The fields a schema refused, for the console to name in its reader's language (src/admin/problems.ts). */
  issues: readonly z.core.$ZodIssue[] | undefined;
  constructor(
    readonly code: 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID',
    message: string,
    readonly status: number = code === 'FORBIDDEN' ? 403 : code === 'NOT_FOUND' ? 404 : code === 'CONFLICT' ? 409 : 400,
  ) {
    super(message);
    this.name = 'AdminError';
  }

  /** Names the console's text for this error, with the values it fills in. */
  says(key: AdminErrorText, values: Record<string, string | number> = {}): this {
    this.text = { key, values };
    return this;
  }
}

/** A schema's value, or AdminError INVALID naming each field and what is wrong with it. */
export function parseOrInvalid<T extends z.ZodType>(schema: T, raw: unknown, prefix = ''): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const err = new AdminError('INVALID', `${prefix}${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
    err.issues = parsed.error.issues;
    throw err;
  }
  return parsed.data;
}

export interface AdminDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly pool: Pool;
  readonly nas: NasDirectory;
  readonly sessions: Pick<SessionControl, 'disconnect'>;
  readonly logger: Logger;
  /** Where routers reach the RADIUS server, for the generated RouterOS script (default: address unknown, 1812/1813). */
  readonly radius?: RadiusEndpoint;
}

/** What the operations that only read and write Redis need: the CLI runs them without a pool or a RADIUS server. */
export type StoreDeps = Pick<AdminDeps, 'redis' | 'keys'>;

// ---------------------------------------------------------------------------------------------------- schemas

/** A hotspot as the console and the API edit it: everything but its id and its NASes. */
export const hotspotInputSchema = hotspotSchema.omit({ id: true, nas: true }).extend({
  openingHours: officeHoursSchema.optional(),
  quota: quotaSchema,
  loginMethods: z.array(z.enum(LOGIN_METHODS)).min(1).default(['click']),
  kind: z.enum(HOTSPOT_KINDS),
});

export const nasInputSchema = nasSchema.omit({ secret: true, uamSecret: true });

export const voucherBatchSchema = z.strictObject({
  count: z.number().int().min(1).max(1000),
  validityHours: z.number().min(1 / 60, 'at least one minute').max(24 * 366),
  deviceLimit: z.number().int().min(1).max(20),
  quotaMB: z.number().int().min(1).max(1_000_000),
  redeemDays: z.number().int().min(1).max(3650).default(90),
  /** Scope: hotspot ids, or kecamatan (resolved to their hotspots now); both empty: every hotspot. */
  hotspots: z.array(z.string()).default([]),
  kecamatan: z.array(z.string()).default([]),
  note: z.string().trim().max(200).default(''),
});

export const blockSchema = z.strictObject({
  mac: z.string().max(32),
  minutes: z.number().int().min(1).max(30 * 24 * 60),
  reason: z.string().trim().max(200).default(''),
});

// ---------------------------------------------------------------------------------------------------- hotspots

export interface HotspotView {
  readonly id: string;
  readonly name: string;
  readonly kecamatan: string;
  readonly kind: string;
  /** The WiFi name, for voucher cards (absent when not set, so that a hotspot read can be written back as is). */
  readonly ssid?: string;
  readonly source: string;
  readonly disabled: boolean;
  readonly loginMethods: string[];
  readonly openingHours: z.infer<typeof officeHoursSchema> | null;
  readonly quota: z.infer<typeof quotaSchema>;
  readonly nas: Array<Omit<NasRecord, 'secret'>>;
  readonly liveSessions: number;
  readonly heldDownKbps: number;
}

function quotaOf(h: Record<string, string>): z.infer<typeof quotaSchema> {
  const n = (k: string) => Number(h[k] ?? 0);
  return {
    maxSessions: n('maxSessions'), downKbps: n('downKbps'), upKbps: n('upKbps'), minDownKbps: n('minDownKbps'), minUpKbps: n('minUpKbps'),
    sessionMinutes: n('sessionMinutes'), dailyMinutes: n('dailyMinutes'), dailyMB: n('dailyMB'), idleMinutes: n('idleMinutes'),
    interimSeconds: n('interimSeconds'), deviceSessions: n('deviceSessions') || 1, ...(n('maxShareKbps') ? { maxShareKbps: n('maxShareKbps') } : {}),
  };
}

/** Hotspots by id (all of them, or the ones named), read together: one pipelined round trip, not one per hotspot. */
async function readHotspots(d: StoreDeps, ids: readonly string[]): Promise<HotspotView[]> {
  const [nas, pool, rows] = await Promise.all([
    readNasDirectory(d.redis, d.keys),
    d.redis.hgetall(d.keys.pool()),
    Promise.all(ids.map((id) => Promise.all([d.redis.hgetall(d.keys.hotspot(id)), d.redis.scard(d.keys.hotspotLive(id))]))),
  ]);
  return rows.flatMap(([h, live], i) => {
    const id = ids[i]!;
    if (!h['id']) return [];
    return [{
      id,
      name: h['name'] ?? id,
      kecamatan: h['kecamatan'] ?? '',
      kind: h['kind'] ?? '',
      ...(h['ssid'] ? { ssid: h['ssid'] } : {}),
      source: h['source'] ?? 'site',
      disabled: h['disabled'] === '1',
      loginMethods: (h['loginMethods'] ?? 'click').split(','),
      openingHours: h['openingHours'] ? (JSON.parse(h['openingHours']) as z.infer<typeof officeHoursSchema>) : null,
      quota: quotaOf(h),
      nas: [...nas.values()].filter((n) => n.hotspotId === id).map(({ secret: _, ...n }) => n),
      liveSessions: live,
      heldDownKbps: Number(pool[`h:${id}:down`] ?? 0),
    }];
  });
}

export async function listHotspots(d: StoreDeps, filter: { kecamatan?: string | undefined; kind?: string | undefined } = {}): Promise<HotspotView[]> {
  const all = await readHotspots(d, (await d.redis.smembers(d.keys.hotspots())).sort());
  return all.filter((h) => (!filter.kecamatan || h.kecamatan === filter.kecamatan) && (!filter.kind || h.kind === filter.kind));
}

/** The distinct kecamatan of some hotspots, sorted: the choices of the console's filters and forms. */
export function kecamatanOf(hotspots: readonly { kecamatan: string }[]): string[] {
  return [...new Set(hotspots.map((h) => h.kecamatan))].sort();
}

/** The site file's list of kecamatan, or [] when it gives none. */
export async function siteKecamatan(d: StoreDeps): Promise<string[]> {
  const json = await d.redis.hget(d.keys.site(), 'kecamatan');
  const list: unknown = json ? JSON.parse(json) : [];
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
}

/** What a form offers as kecamatan: the site's list, or (with none) the kecamatan the hotspots have. */
export async function kecamatanChoices(d: StoreDeps, hotspots: readonly { kecamatan: string }[]): Promise<{ list: string[]; fixed: boolean }> {
  const known = await siteKecamatan(d);
  return known.length ? { list: [...known].sort((x, y) => x.localeCompare(y)), fixed: true } : { list: kecamatanOf(hotspots), fixed: false };
}

/**
 * Refuses a kecamatan outside the site's list: a typo ("Mentawa Baru Ketapan") would be a second kecamatan in every
 * report and a scope that matches no hotspot. With no list in the site file, any name goes.
 */
export async function checkKecamatan(d: StoreDeps, names: readonly string[]): Promise<void> {
  const known = await siteKecamatan(d);
  const unknown = known.length ? names.find((k) => !known.includes(k)) : undefined;
  if (unknown !== undefined) {
    throw new AdminError('INVALID', `kecamatan: "${unknown}" is not in the site's list (${known.join(', ')})`)
      .says('unknownKecamatan', { kecamatan: unknown, list: [...known].sort((x, y) => x.localeCompare(y)).join(', ') });
  }
}

/** What the pool has handed out at a hotspot now, down and up (the sum of its live sessions' rates). */
export async function hotspotAllocation(d: StoreDeps, id: string): Promise<{ downKbps: number; upKbps: number }> {
  const [down, up] = await d.redis.hmget(d.keys.pool(), `h:${id}:down`, `h:${id}:up`);
  return { downKbps: Number(down ?? 0), upKbps: Number(up ?? 0) };
}

export async function getHotspot(d: AdminDeps, id: string): Promise<HotspotView> {
  const [h] = await readHotspots(d, [id]);
  if (!h) throw new AdminError('NOT_FOUND', `no hotspot "${id}"`).says('noHotspot', { id });
  return h;
}

async function writable(d: AdminDeps, actor: Actor, id: string): Promise<HotspotView> {
  const h = await getHotspot(d, id);
  if (!canWriteHotspot(actor, h)) throw new AdminError('FORBIDDEN', `${actor.name} may not change hotspot ${id}`).says('hotspotOutOfScope', { name: h.name });
  return h;
}

/** Creates or changes a hotspot. It belongs to the console from then on (the site file no longer overrides it). */
export async function saveHotspot(d: AdminDeps, actor: Actor, id: string, raw: unknown): Promise<HotspotView> {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(id)) throw new AdminError('INVALID', 'id: must be lowercase letters, digits and "-"').says('hotspotId');
  const input = parseOrInvalid(hotspotInputSchema, raw);
  await checkKecamatan(d, [input.kecamatan]);
  const exists = await d.redis.sismember(d.keys.hotspots(), id);
  const before = exists ? await writable(d, actor, id) : null;
  // Within the actor's scope before and after: an operator may not move a hotspot out of its kecamatan.
  if (!canWriteHotspot(actor, { id, kecamatan: input.kecamatan })) throw new AdminError('FORBIDDEN', `${actor.name} may not put hotspots in ${input.kecamatan}`).says('kecamatanOutOfScope', { kecamatan: input.kecamatan });
  const fields = hotspotFields({ id, ...input, openingHours: input.openingHours, nas: [] }, 'console');
  // The login host names come from its routers, which this form does not edit.
  fields['loginHosts'] = (await d.redis.hget(d.keys.hotspot(id), 'loginHosts')) ?? '[]';
  await d.redis.multi().sadd(d.keys.hotspots(), id).hset(d.keys.hotspot(id), fields).exec();
  const after = await getHotspot(d, id);
  await audit(d.redis, d.keys, actor, exists ? 'hotspot.update' : 'hotspot.create', `hotspot:${id}`, before && { ...before, liveSessions: undefined, heldDownKbps: undefined }, { ...after, liveSessions: undefined, heldDownKbps: undefined });
  return after;
}

/** Disabled: it admits nobody (the RADIUS reply says so); live sessions run out or are disconnected by hand. */
export async function setHotspotDisabled(d: AdminDeps, actor: Actor, id: string, disabled: boolean): Promise<void> {
  const before = await writable(d, actor, id);
  await d.redis.hset(d.keys.hotspot(id), { disabled: disabled ? 1 : 0, source: 'console' });
  await audit(d.redis, d.keys, actor, disabled ? 'hotspot.disable' : 'hotspot.enable', `hotspot:${id}`, { disabled: before.disabled }, { disabled });
}

/** Adds a router to a hotspot; returns its new RADIUS secret (and Chilli uamsecret), shown once. */
export async function addNas(d: AdminDeps, actor: Actor, hotspotId: string, raw: unknown): Promise<{ secret: string; uamSecret?: string }> {
  await writable(d, actor, hotspotId);
  const n = parseOrInvalid(nasInputSchema, raw);
  const all = await readNasDirectory(d.redis, d.keys);
  if (all.has(n.ip)) throw new AdminError('CONFLICT', `${n.ip} is already the address of router ${all.get(n.ip)!.identifier}`).says('routerIpTaken', { ip: n.ip, identifier: all.get(n.ip)!.identifier });
  if ([...all.values()].some((x) => x.identifier === n.identifier)) throw new AdminError('CONFLICT', `a router named ${n.identifier} exists already`).says('routerNameTaken', { identifier: n.identifier });
  const secret = randomBytes(18).toString('base64url');
  const uamSecret = n.type === 'chilli' ? randomBytes(18).toString('base64url') : undefined;
  const record: NasRecord = {
    ip: n.ip, type: n.type, identifier: n.identifier, secret, hotspotId, requireMessageAuthenticator: n.requireMessageAuthenticator,
    limitProxyState: n.limitProxyState, coaPort: n.coaPort, rateChange: n.rateChange, source: 'console',
    ...(n.loginHost ? { loginHost: n.loginHost.toLowerCase() } : {}),
  };
  const tx = d.redis.multi().hset(d.keys.nasByIp(), n.ip, JSON.stringify(record)).hset(d.keys.nasByIdentifier(), n.identifier, hotspotId);
  if (uamSecret) tx.hset(d.keys.chilliSecrets(), n.identifier, uamSecret);
  if (n.loginHost) {
    const hosts = JSON.parse((await d.redis.hget(d.keys.hotspot(hotspotId), 'loginHosts')) ?? '[]') as string[];
    tx.hset(d.keys.hotspot(hotspotId), 'loginHosts', JSON.stringify([...new Set([...hosts, n.loginHost.toLowerCase()])]));
  }
  tx.hset(d.keys.hotspot(hotspotId), 'source', 'console');
  await tx.exec();
  await d.nas.refresh();
  const { secret: _, ...shown } = record;
  await audit(d.redis, d.keys, actor, 'nas.add', `hotspot:${hotspotId}`, null, shown);
  return uamSecret ? { secret, uamSecret } : { secret };
}

export async function removeNas(d: AdminDeps, actor: Actor, ip: string): Promise<void> {
  const all = await readNasDirectory(d.redis, d.keys);
  const n = all.get(ip);
  if (!n) throw new AdminError('NOT_FOUND', `no router at ${ip}`).says('noRouter', { ip });
  await writable(d, actor, n.hotspotId);
  // A retired router's DNS name is no longer a place the portal posts credentials to.
  const hosts = (JSON.parse((await d.redis.hget(d.keys.hotspot(n.hotspotId), 'loginHosts')) ?? '[]') as string[]).filter((h) => h !== n.loginHost);
  await d.redis
    .multi()
    .hset(d.keys.hotspot(n.hotspotId), 'loginHosts', JSON.stringify(hosts))
    .hdel(d.keys.nasByIp(), ip)
    .hdel(d.keys.nasByIdentifier(), n.identifier)
    .hdel(d.keys.chilliSecrets(), n.identifier)
    .hset(d.keys.hotspot(n.hotspotId), 'source', 'console')
    .exec();
  await d.nas.refresh();
  const { secret: _, ...shown } = n;
  await audit(d.redis, d.keys, actor, 'nas.remove', `hotspot:${n.hotspotId}`, shown, null);
}

/** The router's secret again, for the generated RouterOS block (admins and the hotspot's operators only). */
export async function nasSecret(d: AdminDeps, actor: Actor, ip: string): Promise<NasRecord> {
  const n = (await readNasDirectory(d.redis, d.keys)).get(ip);
  if (!n) throw new AdminError('NOT_FOUND', `no router at ${ip}`).says('noRouter', { ip });
  await writable(d, actor, n.hotspotId);
  return n;
}

// ---------------------------------------------------------------------------------------------------- agencies

export interface AgencyView {
  readonly id: string;
  readonly name: string;
  readonly committedKbps: number;
  readonly source: string;
  readonly usage: { downKbps: number; upKbps: number; ageSeconds: number } | null;
  readonly claim: { downKbps: number; upKbps: number; basis: string } | null;
}

export async function listAgencies(d: AdminDeps): Promise<AgencyView[]> {
  const [agencies, usage, capacity] = await Promise.all([d.redis.hgetall(d.keys.agencies()), readAgencyUsage(d.redis, d.keys), refreshCapacity(d.redis, d.keys)]);
  const now = Date.now();
  return Object.values(agencies)
    .map((json) => JSON.parse(json) as { id: string; name: string; committedKbps: number; source?: string })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => {
      const u = usage.get(a.id);
      const c = capacity.claims.find((x) => x.agencyId === a.id);
      return {
        id: a.id,
        name: a.name,
        committedKbps: a.committedKbps,
        source: a.source ?? 'site',
        usage: u ? { downKbps: u.downKbps, upKbps: u.upKbps, ageSeconds: Math.max(0, Math.round((now - u.receivedAtMs) / 1000)) } : null,
        claim: c ? { downKbps: c.downKbps, upKbps: c.upKbps, basis: c.basis } : null,
      };
    });
}

export async function setAgencyCommitted(d: AdminDeps, actor: Actor, id: string, committedKbps: number): Promise<void> {
  if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may change agencies').says('adminOnly');
  if (!Number.isInteger(committedKbps) || committedKbps < 0 || committedKbps > 100_000_000) throw new AdminError('INVALID', 'committedKbps: a whole number of kbps, 0 or more').says('committedKbps');
  const json = await d.redis.hget(d.keys.agencies(), id);
  if (!json) throw new AdminError('NOT_FOUND', `no agency "${id}"`).says('noAgency', { id });
  const before = JSON.parse(json) as { committedKbps: number };
  await d.redis.hset(d.keys.agencies(), id, JSON.stringify({ ...before, committedKbps, source: 'console' }));
  await refreshCapacity(d.redis, d.keys);
  await audit(d.redis, d.keys, actor, 'agency.update', `agency:${id}`, { committedKbps: before.committedKbps }, { committedKbps });
}

export interface TelemetryKeyView {
  readonly id: string;
  readonly name: string;
  readonly agencies: string[] | null;
  readonly source: string;
}

export async function listTelemetryKeys(d: AdminDeps): Promise<TelemetryKeyView[]> {
  const all = await d.redis.hgetall(d.keys.apiKeys());
  return Object.entries(all).map(([hash, json]) => {
    const k = JSON.parse(json) as { name: string; agencies: string[] | null; source?: string };
    return { id: hash.slice(0, 12), name: k.name, agencies: k.agencies, source: k.source ?? 'site' };
  });
}

/** A key for an agency's router to push its usage; returned once, kept as a digest. */
export async function createTelemetryKey(d: StoreDeps, actor: Actor, name: string, agencies: string[]): Promise<string> {
  if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may create API keys').says('adminOnly');
  if (!/^[\w .-]{1,60}$/.test(name)) throw new AdminError('INVALID', 'name: 1-60 letters, digits, spaces, ".", "_" or "-"').says('keyName');
  const key = `lmp_${randomBytes(24).toString('base64url')}`;
  await d.redis.hset(d.keys.apiKeys(), hashApiKey(key), JSON.stringify({ name, agencies: agencies.length ? agencies : null, source: 'console' }));
  await audit(d.redis, d.keys, actor, 'telemetry-key.create', `telemetry-key:${name}`, null, { name, agencies });
  return key;
}

export async function revokeTelemetryKey(d: AdminDeps, actor: Actor, id: string): Promise<void> {
  if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may revoke API keys').says('adminOnly');
  const all = await d.redis.hgetall(d.keys.apiKeys());
  const hash = Object.keys(all).find((h) => h.startsWith(id) && id.length >= 8);
  if (!hash) throw new AdminError('NOT_FOUND', `no API key ${id}`).says('noKey', { id });
  await d.redis.hdel(d.keys.apiKeys(), hash);
  await audit(d.redis, d.keys, actor, 'telemetry-key.revoke', `telemetry-key:${(JSON.parse(all[hash]!) as { name: string }).name}`, JSON.parse(all[hash]!), null);
}

// ---------------------------------------------------------------------------------------------------- sessions

export interface SessionView {
  readonly id: string;
  readonly hotspotId: string;
  readonly kecamatan: string;
  readonly mac: string;
  readonly state: string;
  readonly downKbps: number;
  readonly upKbps: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly admittedAt: number;
  readonly voucher: string | null;
  readonly framedIp: string;
  /** Its device is blocked until then (ms): the router has not let go of a session it should have ended. */
  readonly blockedUntil: number | null;
}

export async function listSessions(
  d: AdminDeps,
  filter: { hotspot?: string | undefined; kecamatan?: string | undefined; mac?: string | undefined } = {},
): Promise<SessionView[]> {
  const hotspots = (filter.hotspot ? await readHotspots(d, [filter.hotspot]) : await listHotspots(d, { kecamatan: filter.kecamatan })).filter(
    (h) => !filter.kecamatan || h.kecamatan === filter.kecamatan,
  );
  const mac = filter.mac ? normalizeMac(filter.mac) ?? filter.mac.toUpperCase() : undefined;
  // Every hotspot's live set, then every session, each in one pipelined round trip.
  const live = await Promise.all(hotspots.map((h) => d.redis.smembers(d.keys.hotspotLive(h.id))));
  const sessions = await Promise.all(live.map((ids) => Promise.all(ids.map((id) => d.redis.hgetall(d.keys.session(id)).then((s) => [id, s] as const)))));
  const out: Array<Omit<SessionView, 'blockedUntil'>> = [];
  for (const [i, h] of hotspots.entries()) {
    for (const [id, s] of sessions[i]!) {
      if (!s['state']) continue;
      if (mac && !(s['mac'] ?? '').includes(mac)) continue;
      out.push({
        id,
        hotspotId: h.id,
        kecamatan: h.kecamatan,
        mac: s['mac'] ?? '',
        state: s['state'],
        downKbps: Number(s['downKbps'] ?? 0),
        upKbps: Number(s['upKbps'] ?? 0),
        bytes: Number(s['inputBytes'] ?? 0) + Number(s['outputBytes'] ?? 0),
        seconds: Number(s['sessionTime'] ?? 0),
        admittedAt: Number(s['admittedAt'] ?? 0),
        voucher: s['voucher'] || null,
        framedIp: s['framedIp'] ?? '',
      });
    }
  }
  const macs = [...new Set(out.map((s) => s.mac).filter(Boolean))];
  const blocks = await Promise.all(macs.map((m) => d.redis.get(d.keys.deviceBlock(m))));
  const blockedUntil = new Map(macs.flatMap((m, i) => (blocks[i] ? [[m, (JSON.parse(blocks[i]) as { until: number }).until] as const] : [])));
  return out.map((s) => ({ ...s, blockedUntil: blockedUntil.get(s.mac) ?? null })).sort((a, b) => b.admittedAt - a.admittedAt);
}

export async function disconnectSession(d: AdminDeps, actor: Actor, sessionId: string): Promise<string> {
  // Session ids are Limpah's own grant usernames; anything else a router named is not something to act on.
  if (!isGrantUsername(sessionId)) throw new AdminError('NOT_FOUND', `no live session ${sessionId}`).says('noSession');
  const s = await d.pool.session(sessionId);
  if (!s || s['state'] === 'closed') throw new AdminError('NOT_FOUND', `no live session ${sessionId}`).says('noSession');
  await writable(d, actor, s['hotspotId'] ?? '');
  const r = await d.sessions.disconnect(sessionId, 'admin-disconnect');
  await audit(d.redis, d.keys, actor, 'session.disconnect', `session:${sessionId}`, { state: s['state'], mac: s['mac'], hotspotId: s['hotspotId'] }, { result: r.result });
  if (r.result === 'failed' || r.result === 'nas-unknown') {
    const nas = d.nas.lookup(s['nasIp'] ?? '');
    throw new AdminError('CONFLICT', `the router did not confirm the Disconnect (${r.result}); the session stays booked`, 502)
      .says('disconnectFailed', { router: nas?.identifier ?? s['nasIp'] ?? '', mac: s['mac'] ?? '', port: nas?.coaPort ?? 3799 });
  }
  return r.result;
}

/**
 * Blocks a device everywhere for a while: RADIUS refuses it (and it cannot redeem vouchers), and its live sessions
 * are disconnected. An admin may block any device; an operator only one that is online at a hotspot in its scope
 * (the block still holds everywhere, as the abuse would move), and lift only its own blocks.
 */
export async function blockDevice(d: AdminDeps, actor: Actor, raw: unknown): Promise<{ mac: string; until: number; disconnected: number; failed: number }> {
  const block = parseOrInvalid(blockSchema, raw);
  const mac = normalizeMac(block.mac);
  if (!mac) throw new AdminError('INVALID', 'mac: not a MAC address').says('notMac', { mac: block.mac });
  if (actor.role === 'viewer') throw new AdminError('FORBIDDEN', 'a viewer may not block devices').says('viewerReadOnly');
  const live = await listSessions(d, { mac });
  if (!isAdmin(actor)) {
    const hotspots = await listHotspots(d);
    const inScope = live.some((s) => { const h = hotspots.find((x) => x.id === s.hotspotId); return h !== undefined && canWriteHotspot(actor, h); });
    if (!inScope) throw new AdminError('FORBIDDEN', `${actor.name} may block only a device that is online at one of its hotspots`).says('blockOutOfScope');
  }
  const until = Date.now() + block.minutes * 60_000;
  await d.redis
    .multi()
    .set(d.keys.deviceBlock(mac), JSON.stringify({ until, by: actor.name, admin: isAdmin(actor), reason: block.reason }), 'PXAT', until)
    .zadd(d.keys.deviceBlocks(), until, mac)
    .exec();
  // A session its router did not let go of stays live in the ledger: the console marks it as blocked.
  let disconnected = 0;
  let failed = 0;
  for (const s of live) {
    const r = await d.sessions.disconnect(s.id, 'device-blocked');
    if (r.result === 'disconnected' || r.result === 'gone') disconnected++;
    else if (r.result === 'failed' || r.result === 'nas-unknown') failed++;
  }
  await audit(d.redis, d.keys, actor, 'device.block', `device:${mac}`, null, { until, minutes: block.minutes, reason: block.reason, disconnected, failed });
  return { mac, until, disconnected, failed };
}

export async function unblockDevice(d: AdminDeps, actor: Actor, macInput: string): Promise<void> {
  const mac = normalizeMac(macInput);
  if (!mac) throw new AdminError('INVALID', 'mac: not a MAC address').says('notMac', { mac: macInput });
  if (actor.role === 'viewer') throw new AdminError('FORBIDDEN', 'a viewer may not unblock devices').says('viewerReadOnly');
  const json = await d.redis.get(d.keys.deviceBlock(mac));
  if (!json) throw new AdminError('NOT_FOUND', `${mac} is not blocked`).says('notBlocked', { mac });
  const block = JSON.parse(json) as { until: number; by: string; admin?: boolean; reason?: string };
  if (!isAdmin(actor) && block.by !== actor.name) throw new AdminError('FORBIDDEN', `only an admin or ${block.by} may lift this block`).says('unblockNotYours', { by: block.by });
  await d.redis.multi().del(d.keys.deviceBlock(mac)).zrem(d.keys.deviceBlocks(), mac).exec();
  await audit(d.redis, d.keys, actor, 'device.unblock', `device:${mac}`, block, null);
}

export interface BlockView {
  readonly mac: string;
  /** When the block ends by itself (ms). */
  readonly until: number;
  readonly by: string;
  readonly reason: string;
}

/** The devices blocked now, the soonest to end first. */
export async function listBlocks(d: StoreDeps): Promise<BlockView[]> {
  const now = Date.now();
  await d.redis.zremrangebyscore(d.keys.deviceBlocks(), '-inf', now);
  const macs = await d.redis.zrangebyscore(d.keys.deviceBlocks(), now, '+inf');
  const blocks = await Promise.all(macs.map((mac) => d.redis.get(d.keys.deviceBlock(mac))));
  return macs.flatMap((mac, i) => {
    const json = blocks[i];
    if (!json) return [];
    const b = JSON.parse(json) as { until: number; by: string; reason?: string };
    return [{ mac, until: b.until, by: b.by, reason: b.reason ?? '' }];
  });
}

// ---------------------------------------------------------------------------------------------------- vouchers

export async function createVoucherBatch(d: StoreDeps, actor: Actor, raw: unknown): Promise<{ batch: string; codes: string[] }> {
  const o = parseOrInvalid(voucherBatchSchema, raw);
  const all = await listHotspots(d);
  const unknown = o.hotspots.filter((id) => !all.some((h) => h.id === id));
  if (unknown.length) throw new AdminError('INVALID', `hotspots: unknown ${unknown.join(', ')}`).says('unknownHotspots', { list: unknown.join(', ') });
  const empty = o.kecamatan.filter((k) => !all.some((h) => h.kecamatan === k));
  if (empty.length) throw new AdminError('INVALID', `kecamatan: no hotspots in ${empty.join(', ')}`).says('emptyKecamatan', { list: empty.join(', ') });
  // An operator makes vouchers for its own hotspots and kecamatan only; an admin for any, or all.
  if (!isAdmin(actor)) {
    if (actor.role !== 'operator') throw new AdminError('FORBIDDEN', 'a viewer may not create vouchers').says('viewerReadOnly');
    if (o.hotspots.length === 0 && o.kecamatan.length === 0) throw new AdminError('FORBIDDEN', 'an operator must choose hotspots or kecamatan within its scope').says('voucherScopeRequired');
    const outside = [
      ...o.hotspots.filter((id) => !canWriteHotspot(actor, all.find((h) => h.id === id)!)),
      ...o.kecamatan.filter((k) => !actor.scope.kecamatan.includes(k)),
    ];
    if (outside.length) throw new AdminError('FORBIDDEN', `outside ${actor.name}'s scope: ${outside.join(', ')}`).says('voucherOutOfScope', { list: outside.join(', ') });
  }
  const scoped = [...new Set(o.hotspots)];
  const now = Date.now();
  const spec = {
    hotspots: scoped, kecamatan: o.kecamatan, validityMinutes: Math.round(o.validityHours * 60), deviceLimit: o.deviceLimit, quotaMB: o.quotaMB,
    redeemByMs: now + o.redeemDays * 86_400_000, note: o.note, createdBy: actor.name,
  };
  // A batch id is claimed before any voucher is made (HSETNX), so two batches never share one: the sheet, the CSV
  // and "revoke the batch" act on exactly the vouchers of one request. The id is the WIB date and a random suffix.
  const { redeemByMs, ...shown } = spec;
  let batch: string;
  do {
    batch = `${new Date(now + 7 * 3600_000).toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  } while (!(await d.redis.hsetnx(d.keys.voucherBatches(), batch, JSON.stringify({ ...shown, batch, redeemBy: redeemByMs, createdAt: now, count: 0 }))));
  const codes = await createVouchers(d.redis, d.keys, { ...spec, count: o.count, batch }, now);
  await audit(d.redis, d.keys, actor, 'vouchers.create', `batch:${batch}`, null, { count: codes.length, hotspots: scoped, kecamatan: o.kecamatan, validityHours: o.validityHours, deviceLimit: o.deviceLimit, quotaMB: o.quotaMB, note: o.note });
  return { batch, codes };
}

/** Whether the actor may see a batch's codes, print or export them: only who may change the batch (codes are credentials). */
export async function canUseBatch(d: AdminDeps, actor: Actor, batch: string): Promise<boolean> {
  try {
    await batchWritable(d, actor, batch);
    return true;
  } catch (err) {
    if (err instanceof AdminError && err.code === 'FORBIDDEN') return false;
    throw err;
  }
}

/** A code as someone who may not use it sees it: enough to tell vouchers apart, not enough to log in. */
export function maskCode(code: string): string {
  return `${code.slice(0, 2)}***-***${code.slice(-2)}`;
}

async function batchWritable(d: StoreDeps, actor: Actor, batch: string): Promise<void> {
  const b = (await listBatches(d.redis, d.keys)).find((x) => x.batch === batch);
  if (!b) throw new AdminError('NOT_FOUND', `no batch ${batch}`).says('noBatch', { batch });
  if (isAdmin(actor)) return;
  const all = await listHotspots(d);
  const kecamatan = b.kecamatan ?? [];
  if (
    actor.role !== 'operator' ||
    (b.hotspots.length === 0 && kecamatan.length === 0) ||
    b.hotspots.some((id) => { const h = all.find((x) => x.id === id); return !h || !canWriteHotspot(actor, h); }) ||
    kecamatan.some((k) => !actor.scope.kecamatan.includes(k))
  ) {
    throw new AdminError('FORBIDDEN', `${actor.name} may not change batch ${batch}`).says('batchOutOfScope', { batch });
  }
}

export async function revokeVoucherCode(d: StoreDeps, actor: Actor, code: string): Promise<void> {
  const v = await getVoucher(d.redis, d.keys, code);
  if (!v) throw new AdminError('NOT_FOUND', `no voucher ${code}`).says('noVoucher', { code });
  await batchWritable(d, actor, v.batch);
  await revokeVoucher(d.redis, d.keys, code);
  await audit(d.redis, d.keys, actor, 'voucher.revoke', `voucher:${code}`, { status: v.status }, { status: 'revoked' });
}

export async function revokeBatch(d: StoreDeps, actor: Actor, batch: string): Promise<number> {
  await batchWritable(d, actor, batch);
  const vouchers = await batchVouchers(d.redis, d.keys, batch);
  await Promise.all(vouchers.map((v) => revokeVoucher(d.redis, d.keys, v.code)));
  await audit(d.redis, d.keys, actor, 'vouchers.revoke-batch', `batch:${batch}`, { count: vouchers.length }, { status: 'revoked' });
  return vouchers.length;
}

// ---------------------------------------------------------------------------------------------------- operators

export const operatorCreateSchema = z.strictObject({
  username: usernameSchema,
  name: z.string().trim().max(100).optional(),
  role: z.enum(ROLES),
  scope: scopeSchema.default({ kecamatan: [], hotspots: [] }),
  password: z.string(),
});
export const operatorChangeSchema = z.strictObject({
  role: z.enum(ROLES).optional(),
  scope: scopeSchema.optional(),
  disabled: z.boolean().optional(),
  password: z.string().optional(),
  name: z.string().trim().max(100).optional(),
});

function checkPassword(password: string | undefined): void {
  const problem = password === undefined ? null : passwordProblem(password);
  if (problem) throw new AdminError('INVALID', `password: ${problem}`).says((password ?? '').length < 12 ? 'passwordShort' : 'passwordLong');
}

/** A new operator account (admins only); answers its username. */
export async function createOperatorAccount(d: StoreDeps, actor: Actor, raw: unknown): Promise<string> {
  if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may create operators').says('adminOnly');
  const o = parseOrInvalid(operatorCreateSchema, raw);
  checkPassword(o.password);
  await checkKecamatan(d, o.scope.kecamatan);
  if (!(await createOperator(d.redis, d.keys, { username: o.username, name: o.name || o.username, role: o.role, scope: o.scope, password: o.password }))) {
    throw new AdminError('CONFLICT', `${o.username} exists already`).says('operatorExists', { username: o.username });
  }
  await audit(d.redis, d.keys, actor, 'operator.create', `operator:${o.username}`, null, { role: o.role, scope: o.scope });
  return o.username;
}

/** Changes an operator's role, scope, name, password or whether it is disabled (admins only); never the last enabled admin away. */
export async function changeOperator(d: StoreDeps, actor: Actor, username: string, raw: unknown): Promise<void> {
  if (!isAdmin(actor)) throw new AdminError('FORBIDDEN', 'only an admin may change operators').says('adminOnly');
  const c = parseOrInvalid(operatorChangeSchema, raw);
  const before = await getOperator(d.redis, d.keys, username);
  if (!before) throw new AdminError('NOT_FOUND', `no operator ${username}`).says('noOperator', { username });
  checkPassword(c.password);
  if (c.scope) await checkKecamatan(d, c.scope.kecamatan);
  const role = c.role ?? before.role;
  const disabled = c.disabled ?? before.disabled;
  if ((role !== before.role || disabled !== before.disabled) && (await setOperatorRole(d.redis, d.keys, username, role, disabled)) === 'last-admin') {
    throw new AdminError('CONFLICT', 'the last enabled admin cannot be demoted or disabled').says('lastAdmin');
  }
  const { role: _role, disabled: _disabled, ...rest } = c;
  await updateOperator(d.redis, d.keys, username, rest);
  await audit(d.redis, d.keys, actor, 'operator.update', `operator:${username}`, { role: before.role, scope: before.scope, disabled: before.disabled }, {
    role, scope: c.scope ?? before.scope, disabled, passwordChanged: c.password !== undefined,
  });
}

export { listBatches, batchVouchers };
