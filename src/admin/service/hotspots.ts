import { hotspotField } from '../../redis/keys';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hotspotSchema, nasSchema, officeHoursSchema, quotaSchema, LOGIN_METHODS, HOTSPOT_KINDS } from '../../config/site';
import { hotspotFields, readNasDirectory, type NasRecord } from '../../pool/site-store';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import type { Actor } from '../operators';
import { can } from '../policy';
import type { AdminDeps, StoreDeps } from './deps';

/**
 * Hotspots and their routers (NAS): each change checks the actor's rights (policy.ts), does it, and writes the audit
 * log with the values before and after.
 */

/** A hotspot as the console and the API edit it: everything but its id and its NASes. */
export const hotspotInputSchema = hotspotSchema.omit({ id: true, nas: true }).extend({
  openingHours: officeHoursSchema.optional(),
  quota: quotaSchema,
  loginMethods: z.array(z.enum(LOGIN_METHODS)).min(1).default(['click']),
  kind: z.enum(HOTSPOT_KINDS),
});

export const nasInputSchema = nasSchema.omit({ secret: true, uamSecret: true });

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
export async function readHotspots(d: StoreDeps, ids: readonly string[]): Promise<HotspotView[]> {
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
      heldDownKbps: Number(pool[hotspotField(id, 'down')] ?? 0),
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
  const [down, up] = await d.redis.hmget(d.keys.pool(), hotspotField(id, 'down'), hotspotField(id, 'up'));
  return { downKbps: Number(down ?? 0), upKbps: Number(up ?? 0) };
}

export async function getHotspot(d: StoreDeps, id: string): Promise<HotspotView> {
  const [h] = await readHotspots(d, [id]);
  if (!h) throw new AdminError('NOT_FOUND', `no hotspot "${id}"`).says('noHotspot', { id });
  return h;
}

/** A hotspot the actor may change, or AdminError FORBIDDEN (NOT_FOUND when there is none). */
export async function writableHotspot(d: StoreDeps, actor: Actor, id: string): Promise<HotspotView> {
  const h = await getHotspot(d, id);
  if (!can(actor, 'hotspot.change', h)) throw new AdminError('FORBIDDEN', `${actor.name} may not change hotspot ${id}`).says('hotspotOutOfScope', { name: h.name });
  return h;
}

/** Creates or changes a hotspot. It belongs to the console from then on (the site file no longer overrides it). */
export async function saveHotspot(d: AdminDeps, actor: Actor, id: string, raw: unknown): Promise<HotspotView> {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(id)) throw new AdminError('INVALID', 'id: must be lowercase letters, digits and "-"').says('hotspotId');
  const input = parseOrInvalid(hotspotInputSchema, raw);
  await checkKecamatan(d, [input.kecamatan]);
  const exists = await d.redis.sismember(d.keys.hotspots(), id);
  const before = exists ? await writableHotspot(d, actor, id) : null;
  // Within the actor's scope before and after: an operator may not move a hotspot out of its kecamatan.
  if (!can(actor, 'hotspot.change', { id, kecamatan: input.kecamatan })) throw new AdminError('FORBIDDEN', `${actor.name} may not put hotspots in ${input.kecamatan}`).says('kecamatanOutOfScope', { kecamatan: input.kecamatan });
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
  const before = await writableHotspot(d, actor, id);
  await d.redis.hset(d.keys.hotspot(id), { disabled: disabled ? 1 : 0, source: 'console' });
  await audit(d.redis, d.keys, actor, disabled ? 'hotspot.disable' : 'hotspot.enable', `hotspot:${id}`, { disabled: before.disabled }, { disabled });
}

/** Adds a router to a hotspot; returns its new RADIUS secret (and Chilli uamsecret), shown once. */
export async function addNas(d: AdminDeps, actor: Actor, hotspotId: string, raw: unknown): Promise<{ secret: string; uamSecret?: string }> {
  await writableHotspot(d, actor, hotspotId);
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
  await writableHotspot(d, actor, n.hotspotId);
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
  await writableHotspot(d, actor, n.hotspotId);
  return n;
}
