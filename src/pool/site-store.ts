import type { RedisClient as Redis } from '../redis/client';
import { createHash } from 'node:crypto';
import type { Hotspot, Nas, OfficeHours, Site } from '../config/site';
import { LOGIN_METHODS } from '../config/site';

export type LoginMethod = (typeof LOGIN_METHODS)[number];
import { refreshCapacity } from './capacity-refresh';
import { openMinutes } from './capacity';
import type { Keys } from '../redis/keys';
import type { Logger } from '../log';
import { cliCommand } from '../paths';

/** A NAS as the RADIUS server and portal see it. */
export interface NasRecord {
  readonly ip: string;
  readonly type: Nas['type'];
  readonly identifier: string;
  readonly secret: string;
  readonly hotspotId: string;
  readonly requireMessageAuthenticator: boolean;
  readonly limitProxyState: boolean;
  readonly coaPort: number;
  readonly rateChange: 'coa' | 'disconnect';
  /** Who manages it: the site file, or the admin console. */
  readonly source: 'site' | 'console';
  /** The router's hotspot DNS name, when its login URL uses one (console routers keep it here). */
  readonly loginHost?: string;
}

/** A hotspot's public description, as the portal shows it. */
export interface HotspotInfo {
  readonly id: string;
  readonly name: string;
  readonly kecamatan: string;
  readonly kind: string;
  readonly sessionMinutes: number;
  readonly dailyMinutes: number;
  readonly dailyMB: number;
  readonly maxSessions: number;
  /** Host names the hotspot's routers use in their login URL, besides private addresses. */
  readonly loginHosts: readonly string[];
  /** How citizens may log in here. */
  readonly loginMethods: readonly LoginMethod[];
  /** When the hotspot admits citizens (WIB), when it has opening hours. */
  readonly openingHours?: OfficeHours | undefined;
}

/** A hotspot's hash in Redis, from its site-file (or console) description. */
export function hotspotFields(h: Omit<Hotspot, 'nas'> & { nas: ReadonlyArray<{ loginHost?: string | undefined }> }, source: 'site' | 'console' = 'site'): Record<string, string | number> {
  const loginHosts = h.nas.flatMap((n) => (n.loginHost ? [n.loginHost.toLowerCase()] : []));
  return {
    // What every admission reads comes first, in the order the admit script asks for it: Redis finds a field of a
    // small hash by walking it from the start (a third of the admission's read of this hash, bench:radius).
    ...h.quota,
    openMinutes: h.openingHours ? JSON.stringify(openMinutes(h.openingHours)) : '',
    maxShareKbps: h.quota.maxShareKbps ?? 0, // 0: no limit (written, so that removing it from the file takes effect)
    id: h.id,
    name: h.name,
    kecamatan: h.kecamatan,
    kind: h.kind,
    ssid: h.ssid ?? '',
    source,
    loginHosts: JSON.stringify(loginHosts),
    loginMethods: h.loginMethods.join(','),
    openingHours: h.openingHours ? JSON.stringify(h.openingHours) : '',
  };
}

/**
 * Writes the site into Redis. Idempotent: the same file written twice leaves every key as it was, and the
 * ledger (allocations, sessions, usage) is never touched. NASes that came from an earlier site file and are no
 * longer in it are removed, so a router taken out of the file stops being trusted.
 */
export async function upsertSite(redis: Redis, keys: Keys, site: Site, logger?: Pick<Logger, 'warn'>): Promise<void> {
  // A hotspot created or edited in the admin console belongs to the console from then on: the file's entry for it
  // is not written over it (and its NASes are the console's too).
  const consoleOwned = new Set<string>();
  for (const h of site.hotspots) {
    if ((await redis.hget(keys.hotspot(h.id), 'source')) === 'console') consoleOwned.add(h.id);
  }
  if (consoleOwned.size) {
    logger?.warn({ hotspots: [...consoleOwned] }, 'these hotspots were edited in the admin console: their entries in the site file are not applied');
  }
  site = { ...site, hotspots: site.hotspots.filter((h) => !consoleOwned.has(h.id)) };
  const nas: NasRecord[] = site.hotspots.flatMap((h) =>
    h.nas.map((n) => ({
      ip: n.ip,
      type: n.type,
      identifier: n.identifier,
      secret: n.secret,
      hotspotId: h.id,
      requireMessageAuthenticator: n.requireMessageAuthenticator,
      limitProxyState: n.limitProxyState,
      coaPort: n.coaPort,
      rateChange: n.rateChange,
      source: 'site' as const,
    })),
  );
  const existing = Object.entries(await redis.hgetall(keys.nasByIp())).map(([ip, json]) => [ip, JSON.parse(json) as NasRecord] as const);
  // The console's NASes, and every NAS of a hotspot the console owns (those came from the file once), are the
  // console's: a restart with the file never removes them.
  const consoles = existing.filter(([, n]) => n.source === 'console' || consoleOwned.has(n.hotspotId));
  const staleIps = existing
    .filter(([ip, n]) => !nas.some((x) => x.ip === ip) && n.source === 'site' && !consoleOwned.has(n.hotspotId))
    .map(([ip]) => ({ ip }));

  const hotspotIds = new Set(site.hotspots.map((h) => h.id));
  const staleHotspots: string[] = [];
  for (const id of await redis.smembers(keys.hotspots())) {
    if (!hotspotIds.has(id) && (await redis.hget(keys.hotspot(id), 'source')) === 'site') staleHotspots.push(id);
  }
  // Identifiers of the console's NASes stay.
  const identifiers = new Set([...nas.map((n) => n.identifier), ...consoles.map(([, n]) => n.identifier)]);
  const staleIdentifiers = Object.keys(await redis.hgetall(keys.nasByIdentifier())).filter((i) => !identifiers.has(i));
  const existingAgencies = await redis.hgetall(keys.agencies());
  const consoleAgencies = new Set(Object.entries(existingAgencies).filter(([, json]) => (JSON.parse(json) as { source?: string }).source === 'console').map(([id]) => id));
  const existingDevices = await redis.hgetall(keys.snmpDevices());
  const consoleDevices = new Set(Object.entries(existingDevices).filter(([, json]) => (JSON.parse(json) as { source?: string }).source === 'console').map(([id]) => id));
  const existingKeys = await redis.hgetall(keys.apiKeys());
  const siteKeyHashes = Object.entries(existingKeys).filter(([, json]) => (JSON.parse(json) as { source?: string }).source !== 'console').map(([h]) => h);

  const tx = redis.multi();
  // A hotspot gone from the file stops taking citizens; its ledger (live sessions, usage) is left to drain.
  for (const id of staleHotspots) {
    tx.srem(keys.hotspots(), id);
    tx.del(keys.hotspot(id));
  }
  for (const identifier of staleIdentifiers) {
    tx.hdel(keys.nasByIdentifier(), identifier);
    tx.hdel(keys.chilliSecrets(), identifier);
  }
  tx.hset(keys.pool(), 'overbooking', site.overbooking);
  tx.hset(keys.site(), {
    name: site.name,
    capacityKbps: site.uplink.capacityKbps,
    headroomKbps: site.uplink.headroomKbps,
    kecamatan: JSON.stringify(site.kecamatan ?? []),
    staleAfterSeconds: site.telemetry.staleAfterSeconds,
    safetyMarginPercent: site.telemetry.safetyMarginPercent,
    officeHours: JSON.stringify(site.officeHours),
    outsideOfficeFraction: site.outsideOfficeFraction,
    contractIdrPerYear: site.reporting.contractIdrPerYear,
    pricePerMbpsMonthIdr: site.reporting.pricePerMbpsMonthIdr ?? 0,
    usageHistoryDays: site.reporting.usageHistoryDays,
  });
  // The file's agencies and API keys are rewritten whole, to the same content on a second start; those the
  // console created or edited stay.
  for (const id of Object.keys(existingAgencies)) if (!consoleAgencies.has(id)) tx.hdel(keys.agencies(), id);
  for (const a of site.agencies) if (!consoleAgencies.has(a.id)) tx.hset(keys.agencies(), a.id, JSON.stringify(a));
  for (const id of Object.keys(existingDevices)) if (!consoleDevices.has(id)) tx.hdel(keys.snmpDevices(), id);
  for (const d of site.telemetry.snmp.devices) if (!consoleDevices.has(d.id)) tx.hset(keys.snmpDevices(), d.id, JSON.stringify({ ...d, source: 'site' }));
  tx.hset(keys.site(), 'snmpMaxConcurrentPolls', site.telemetry.snmp.maxConcurrentPolls);
  for (const h of siteKeyHashes) tx.hdel(keys.apiKeys(), h);
  for (const k of site.telemetry.apiKeys) {
    tx.hset(keys.apiKeys(), hashApiKey(k.key), JSON.stringify({ name: k.name, agencies: k.agencies ?? null }));
  }
  for (const h of site.hotspots) {
    tx.sadd(keys.hotspots(), h.id);
    tx.hset(keys.hotspot(h.id), hotspotFields(h));
  }
  for (const s of staleIps) tx.hdel(keys.nasByIp(), s.ip);
  for (const n of nas) {
    tx.hset(keys.nasByIp(), n.ip, JSON.stringify(n));
    tx.hset(keys.nasByIdentifier(), n.identifier, n.hotspotId);
  }
  for (const h of site.hotspots) for (const n of h.nas) if (n.uamSecret) tx.hset(keys.chilliSecrets(), n.identifier, n.uamSecret);
  const results = await tx.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
  await refreshCapacity(redis, keys);
}

/**
 * Redis came back without the site (a restart without persistence, a flush): writes the site file back, and the
 * console's routers this process still knows for hotspots that exist again. Says loudly what could not come back:
 * everything else only Redis held (hotspots, agencies and keys made in the console, operators, vouchers, live
 * sessions and today's usage).
 */
export async function restoreLostSite(
  redis: Redis,
  keys: Keys,
  site: Site,
  lastKnown: ReadonlyMap<string, NasRecord>,
  uamSecrets: Readonly<Record<string, string>>,
  logger: Pick<Logger, 'error'>,
): Promise<void> {
  await upsertSite(redis, keys, site);
  const hotspots = new Set(await redis.smembers(keys.hotspots()));
  const restored: string[] = [];
  const lost: string[] = [];
  const tx = redis.multi();
  for (const n of lastKnown.values()) {
    if (n.source !== 'console') continue;
    if (!hotspots.has(n.hotspotId)) {
      lost.push(`${n.identifier} (${n.ip})`);
      continue;
    }
    tx.hset(keys.nasByIp(), n.ip, JSON.stringify(n));
    tx.hset(keys.nasByIdentifier(), n.identifier, n.hotspotId);
    const uamSecret = uamSecrets[n.identifier];
    if (uamSecret) tx.hset(keys.chilliSecrets(), n.identifier, uamSecret);
    restored.push(n.identifier);
  }
  await tx.exec();
  logger.error(
    { restoredRouters: restored, lostRouters: lost },
    `Redis lost its data (restarted without persistence, or flushed): the site file was written back and the routers this process knew restored; hotspots, agencies and API keys made in the console, operators, vouchers, live sessions and usage are gone. Turn on Redis persistence (appendonly yes), and recreate the console accounts with \`${cliCommand.fromHost} admin create\``,
  );
}

/** API keys are kept as SHA-256 digests: a Redis dump does not give them away. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function readNasDirectory(redis: Redis, keys: Keys): Promise<Map<string, NasRecord>> {
  const all = await redis.hgetall(keys.nasByIp());
  return new Map(Object.entries(all).map(([ip, json]) => [ip, JSON.parse(json) as NasRecord]));
}

export async function findHotspot(redis: Redis, keys: Keys, by: { id?: string; identifier?: string }): Promise<HotspotInfo | null> {
  let id = by.id;
  if (!id && by.identifier) id = (await redis.hget(keys.nasByIdentifier(), by.identifier)) ?? undefined;
  if (!id) return null;
  const h = await redis.hgetall(keys.hotspot(id));
  if (!h.id) return null;
  return {
    id: h.id,
    name: h.name ?? h.id,
    kecamatan: h.kecamatan ?? '',
    kind: h.kind ?? '',
    sessionMinutes: Number(h.sessionMinutes),
    dailyMinutes: Number(h.dailyMinutes),
    dailyMB: Number(h.dailyMB),
    maxSessions: Number(h.maxSessions),
    loginHosts: h.loginHosts ? (JSON.parse(h.loginHosts) as string[]) : [],
    loginMethods: (h.loginMethods ?? 'click').split(',').filter((m): m is LoginMethod => (LOGIN_METHODS as readonly string[]).includes(m)),
    openingHours: h.openingHours ? (JSON.parse(h.openingHours) as OfficeHours) : undefined,
  };
}
