import type { RedisClient as Redis } from '../redis/client';
import { hotspotField, type Keys } from '../redis/keys';

export interface LedgerTotals {
  readonly allocDownKbps: number;
  readonly allocUpKbps: number;
  readonly sessions: number;
}

export interface ReconcileReport {
  /** What the pool hash says. */
  readonly booked: LedgerTotals;
  /** What the live session records add up to. */
  readonly counted: LedgerTotals;
  /** Hotspots whose booked share (h:<id>:down in the pool) differs from their live sessions' sum. */
  readonly hotspotDrift: Readonly<Record<string, { booked: number; counted: number }>>;
  /** Live-set members whose record is closed or missing, by hotspot. */
  readonly strayLiveMembers: Readonly<Record<string, string[]>>;
  readonly drift: boolean;
}

/**
 * Recomputes the ledger from the session records: every live (pending or active) session, found through the
 * hotspots' live sets and the lease index, counted once. Reports, never writes: a drift is a bug to look at.
 */
export async function reconcile(redis: Redis, keys: Keys): Promise<ReconcileReport> {
  const hotspotIds = await redis.smembers(keys.hotspots());
  const liveByHotspot = await Promise.all(hotspotIds.map(async (id) => [id, await redis.smembers(keys.hotspotLive(id))] as const));
  const leased = await redis.zrange(keys.leases(), 0, -1);
  const ids = new Set([...leased, ...liveByHotspot.flatMap(([, members]) => members)]);
  let allocDownKbps = 0;
  let allocUpKbps = 0;
  let sessions = 0;
  const live = new Set<string>();
  const perHotspot = new Map<string, number>(hotspotIds.map((h) => [h, 0]));
  for (const id of ids) {
    const [state, down, up, hotspotId] = await redis.hmget(keys.session(id), 'state', 'downKbps', 'upKbps', 'hotspotId');
    if (!state || state === 'closed') continue;
    live.add(id);
    perHotspot.set(hotspotId ?? '', (perHotspot.get(hotspotId ?? '') ?? 0) + Number(down));
    allocDownKbps += Number(down);
    allocUpKbps += Number(up);
    sessions++;
  }
  const strayLiveMembers: Record<string, string[]> = {};
  for (const [hotspotId, members] of liveByHotspot) {
    const stray = members.filter((m) => !live.has(m));
    if (stray.length) strayLiveMembers[hotspotId] = stray;
  }
  const p = await redis.hmget(keys.pool(), 'allocDownKbps', 'allocUpKbps', 'sessions');
  const booked = { allocDownKbps: Number(p[0] ?? 0), allocUpKbps: Number(p[1] ?? 0), sessions: Number(p[2] ?? 0) };
  const counted = { allocDownKbps, allocUpKbps, sessions };
  const hotspotDrift: Record<string, { booked: number; counted: number }> = {};
  for (const [hotspotId, sum] of perHotspot) {
    const held = Number((await redis.hget(keys.pool(), hotspotField(hotspotId, 'down'))) ?? 0);
    if (held !== sum) hotspotDrift[hotspotId] = { booked: held, counted: sum };
  }
  const drift =
    booked.allocDownKbps !== counted.allocDownKbps ||
    booked.allocUpKbps !== counted.allocUpKbps ||
    booked.sessions !== counted.sessions ||
    Object.keys(strayLiveMembers).length > 0 ||
    Object.keys(hotspotDrift).length > 0;
  return { booked, counted, hotspotDrift, strayLiveMembers, drift };
}
