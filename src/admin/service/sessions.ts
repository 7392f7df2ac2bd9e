import { z } from 'zod';
import { isGrantUsername } from '../../grants/grants';
import { normalizeMac } from '../../mac';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import type { Actor } from '../operators';
import { can } from '../policy';
import type { AdminDeps, StoreDeps } from './deps';
import { listHotspots, readHotspots, writableHotspot, type HotspotView } from './hotspots';

/**
 * Live sessions and blocked devices: disconnect a session through its router (RFC 5176), block a device everywhere
 * for a while and lift the block. Each change checks the actor's rights (policy.ts) and is written to the audit log.
 */

export const blockSchema = z.strictObject({
  mac: z.string().max(32),
  minutes: z.number().int().min(1).max(30 * 24 * 60),
  reason: z.string().trim().max(200).default(''),
});

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

/**
 * A live session the actor may act on, with its device and hotspot, or AdminError: the console checks this before
 * it asks for a confirmation, and disconnectSession again before it acts.
 */
export async function liveSession(d: AdminDeps, actor: Actor, sessionId: string): Promise<{ session: Record<string, string>; mac: string; hotspot: HotspotView }> {
  // Session ids are Limpah's own grant usernames; anything else a router named is not something to act on.
  const s = isGrantUsername(sessionId) ? await d.pool.session(sessionId) : null;
  if (!s || s['state'] === 'closed') throw new AdminError('NOT_FOUND', `no live session ${sessionId}`).says('noSession');
  return { session: s, mac: s['mac'] ?? '', hotspot: await writableHotspot(d, actor, s['hotspotId'] ?? '') };
}

export async function disconnectSession(d: AdminDeps, actor: Actor, sessionId: string): Promise<string> {
  const { session: s } = await liveSession(d, actor, sessionId);
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
  if (!can(actor, 'change')) throw new AdminError('FORBIDDEN', 'a viewer may not block devices').says('viewerReadOnly');
  const live = await listSessions(d, { mac });
  if (!can(actor, 'administer')) {
    const hotspots = await listHotspots(d);
    const inScope = live.some((s) => { const h = hotspots.find((x) => x.id === s.hotspotId); return h !== undefined && can(actor, 'hotspot.change', h); });
    if (!inScope) throw new AdminError('FORBIDDEN', `${actor.name} may block only a device that is online at one of its hotspots`).says('blockOutOfScope');
  }
  const until = Date.now() + block.minutes * 60_000;
  await d.redis
    .multi()
    .set(d.keys.deviceBlock(mac), JSON.stringify({ until, by: actor.name, admin: can(actor, 'administer'), reason: block.reason }), 'PXAT', until)
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
  if (!can(actor, 'change')) throw new AdminError('FORBIDDEN', 'a viewer may not unblock devices').says('viewerReadOnly');
  const json = await d.redis.get(d.keys.deviceBlock(mac));
  if (!json) throw new AdminError('NOT_FOUND', `${mac} is not blocked`).says('notBlocked', { mac });
  const block = JSON.parse(json) as { until: number; by: string; admin?: boolean; reason?: string };
  if (!can(actor, 'block.lift', block)) throw new AdminError('FORBIDDEN', `only an admin or ${block.by} may lift this block`).says('unblockNotYours', { by: block.by });
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
