import { QUOTA_DEFAULTS } from '../config/site';
import { randomUUID } from 'node:crypto';
import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { SessionControl } from '../radius/session-control';
import { fairShares, rerateDecisions, type Claimant } from '../pool/fair-share';
import type { Keys } from '../redis/keys';
import type { Pool } from '../pool/pool';
import { PeriodicJob, type Job } from '../job';

export interface AllocatorOptions {
  readonly intervalMs?: number;
  readonly leaseMs?: number;
  /** A change within this fraction of the current rate is not worth a CoA. */
  readonly hysteresis?: number;
  /** Going up, at most this multiple of the current rate per round. */
  readonly stepUp?: number;
  /** At most this many CoA per NAS per round; the rest wait for the next round. */
  readonly maxCoaPerNas?: number;
  /** Share weights by hotspot kind (a village hall event may deserve more than a park). */
  readonly kindWeights?: Readonly<Record<string, number>>;
  /** Share of capacity kept free for citizens who arrive before the next round (they are admitted from it). */
  readonly newcomerReserve?: number;
}

export interface LiveSession {
  readonly id: string;
  readonly hotspotId: string;
  /** The hotspot's maxShareKbps, 0 for none. */
  readonly hotspotMaxShareKbps: number;
  readonly state: string;
  readonly nasIp: string;
  readonly downKbps: number;
  readonly upKbps: number;
  readonly weight: number;
  readonly ceilingDownKbps: number;
  readonly ceilingUpKbps: number;
  readonly minDownKbps: number;
  readonly minUpKbps: number;
  /** Booked at what the pool had left (revived or adopted): the router may enforce another rate. */
  readonly needsRerate: boolean;
}

export interface AllocationRound {
  readonly leader: boolean;
  readonly epoch: number;
  readonly sessions: number;
  readonly rerated: number;
  readonly failed: number;
  readonly deferred: number;
}

/**
 * Fair download shares that also keep each hotspot within its maxShareKbps: a hotspot whose sessions would hold
 * more is held at its limit (shared fairly among its own sessions), and the rest is shared again among the others.
 */
export function sharesWithinHotspotLimits(capacityKbps: number, sessions: readonly LiveSession[], claims: readonly Claimant[]): Map<string, number> {
  const result = new Map<string, number>();
  let remaining = capacityKbps;
  let open = [...claims];
  const hotspotOf = new Map(sessions.map((s) => [s.id, s]));
  for (let round = 0; round <= sessions.length; round++) {
    const shares = fairShares(remaining, open);
    const held = new Map<string, number>();
    for (const c of open) {
      const s = hotspotOf.get(c.id)!;
      held.set(s.hotspotId, (held.get(s.hotspotId) ?? 0) + (shares.get(c.id) ?? 0));
    }
    const over = [...held].filter(([h, kbps]) => {
      const limit = sessions.find((s) => s.hotspotId === h)!.hotspotMaxShareKbps;
      return limit > 0 && kbps > limit;
    });
    if (over.length === 0) {
      for (const [id, kbps] of shares) result.set(id, kbps);
      return result;
    }
    for (const [hotspotId] of over) {
      const limit = sessions.find((s) => s.hotspotId === hotspotId)!.hotspotMaxShareKbps;
      const mine = open.filter((c) => hotspotOf.get(c.id)!.hotspotId === hotspotId);
      for (const [id, kbps] of fairShares(Math.min(limit, remaining), mine)) {
        result.set(id, kbps);
        remaining -= kbps;
      }
      open = open.filter((c) => hotspotOf.get(c.id)!.hotspotId !== hotspotId);
    }
  }
  return result;
}

/**
 * Recomputes weighted max-min fair shares of public capacity over the live sessions and re-rates those whose
 * share moved beyond the hysteresis, through their NAS (CoA, or Disconnect per NAS). One process allocates at a
 * time, under a Redis lease with a fencing epoch; the others' rounds do nothing.
 */
export class Allocator implements Job {
  readonly name = 'allocator';
  private readonly owner = `${process.pid}-${randomUUID()}`;
  private readonly ticks: PeriodicJob<AllocationRound>;
  private running: Promise<AllocationRound> | undefined;
  private queued: Promise<AllocationRound> | undefined;
  private stopping = false;
  private readonly o: Required<AllocatorOptions>;

  constructor(
    private readonly deps: { redis: Redis; keys: Keys; pool: Pool; sessions: SessionControl; logger: Logger },
    options: AllocatorOptions = {},
  ) {
    this.o = {
      intervalMs: options.intervalMs ?? 30_000,
      leaseMs: options.leaseMs ?? 90_000,
      hysteresis: options.hysteresis ?? 0.15,
      stepUp: options.stepUp ?? 1.5,
      maxCoaPerNas: options.maxCoaPerNas ?? 20,
      kindWeights: options.kindWeights ?? { park: 1, 'village-hall': 1 },
      newcomerReserve: options.newcomerReserve ?? 0.1,
    };
    this.ticks = new PeriodicJob({
      name: this.name,
      intervalMs: this.o.intervalMs,
      logger: deps.logger,
      run: () => this.runOnce(),
      failureMessage: 'allocation round failed; trying again next interval',
    });
  }

  start(): void {
    this.ticks.start();
  }

  /**
   * Ends the current round after the CoA in flight (no new ones are sent) and starts no more. It takes effect at
   * once, before the first await: closing the CoA client right after the call aborts that CoA too.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.ticks.stop();
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
  }

  /**
   * One round. A call while a round runs gets one more round after it (shared by every call meanwhile): a capacity
   * change that arrives mid-round was not seen by that round and must not wait for the next interval.
   */
  runOnce(): Promise<AllocationRound> {
    if (this.stopping) return Promise.resolve({ leader: false, epoch: 0, sessions: 0, rerated: 0, failed: 0, deferred: 0 });
    if (this.running) {
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.runOnce();
        });
      return this.queued;
    }
    this.running = this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async liveSessions(): Promise<LiveSession[]> {
    const { redis, keys } = this.deps;
    const out: LiveSession[] = [];
    for (const hotspotId of await redis.smembers(keys.hotspots())) {
      const [kind, down, up, minDown, minUp, maxShare] = await redis.hmget(
        keys.hotspot(hotspotId), 'kind', 'downKbps', 'upKbps', 'minDownKbps', 'minUpKbps', 'maxShareKbps',
      );
      for (const id of await redis.smembers(keys.hotspotLive(hotspotId))) {
        const [state, nasIp, d, u, needs] = await redis.hmget(keys.session(id), 'state', 'nasIp', 'downKbps', 'upKbps', 'needsRerate');
        if (!state || state === 'closed') continue;
        out.push({
          id,
          hotspotId,
          hotspotMaxShareKbps: Number(maxShare ?? 0),
          state,
          nasIp: nasIp ?? '',
          downKbps: Number(d),
          upKbps: Number(u),
          weight: this.o.kindWeights[kind ?? ''] ?? 1,
          ceilingDownKbps: Number(down),
          ceilingUpKbps: Number(up),
          minDownKbps: Number(minDown ?? QUOTA_DEFAULTS.minDownKbps),
          minUpKbps: Number(minUp ?? QUOTA_DEFAULTS.minUpKbps),
          needsRerate: needs === '1',
        });
      }
    }
    return out;
  }

  private async round(): Promise<AllocationRound> {
    const epoch = await this.deps.pool.allocatorLease(this.owner, this.o.leaseMs);
    if (epoch === 0) return { leader: false, epoch: 0, sessions: 0, rerated: 0, failed: 0, deferred: 0 };
    const [snapshot, overbooking] = await Promise.all([this.deps.pool.snapshot(), this.deps.redis.hget(this.deps.keys.pool(), 'overbooking')]);
    const factor = Number(overbooking ?? 1);
    const sessions = await this.liveSessions();
    // Sessions not started yet have no NAS session to re-rate: they keep their rate, and it is set aside.
    const fixed = sessions.filter((s) => s.state !== 'active');
    const active = sessions.filter((s) => s.state === 'active');
    const keep = 1 - this.o.newcomerReserve;
    const capDown = Math.floor(snapshot.capDownKbps * factor * keep) - fixed.reduce((a, s) => a + s.downKbps, 0);
    const capUp = Math.floor(snapshot.capUpKbps * factor * keep) - fixed.reduce((a, s) => a + s.upKbps, 0);
    const claim = (ceiling: (s: LiveSession) => number): Claimant[] => active.map((s) => ({ id: s.id, weight: s.weight, ceilingKbps: ceiling(s) }));
    const fairDown = sharesWithinHotspotLimits(capDown, active, claim((s) => s.ceilingDownKbps));
    const fairUp = fairShares(capUp, claim((s) => s.ceilingUpKbps));
    const byId = new Map(active.map((s) => [s.id, s]));
    const minOf = (key: 'minDownKbps' | 'minUpKbps') => Math.min(...active.map((s) => s[key]), Infinity);
    const force = new Set(active.filter((s) => s.needsRerate).map((s) => s.id));
    const downs = rerateDecisions(new Map(active.map((s) => [s.id, s.downKbps])), fairDown, {
      hysteresis: this.o.hysteresis, stepUp: this.o.stepUp, minKbps: Number.isFinite(minOf('minDownKbps')) ? minOf('minDownKbps') : 0,
    }, force);
    const ups = rerateDecisions(new Map(active.map((s) => [s.id, s.upKbps])), fairUp, {
      hysteresis: this.o.hysteresis, stepUp: this.o.stepUp, minKbps: Number.isFinite(minOf('minUpKbps')) ? minOf('minUpKbps') : 0,
    });
    const changes = new Map<string, { down: number; up: number; shrinking: boolean }>();
    for (const d of downs) changes.set(d.id, { down: d.toKbps, up: byId.get(d.id)!.upKbps, shrinking: d.toKbps < d.fromKbps });
    for (const u of ups) {
      const c = changes.get(u.id) ?? { down: byId.get(u.id)!.downKbps, up: u.toKbps, shrinking: false };
      changes.set(u.id, { ...c, up: u.toKbps, shrinking: c.shrinking || u.toKbps < u.fromKbps });
    }
    // Shrinking first: it makes room for the growing ones, and for new citizens.
    const ordered = [...changes].sort(([, a], [, b]) => Number(b.shrinking) - Number(a.shrinking));
    const perNas = new Map<string, number>();
    let rerated = 0;
    let failed = 0;
    let deferred = 0;
    for (const [id, change] of ordered) {
      if (this.stopping) break;
      const nasIp = byId.get(id)!.nasIp;
      const used = perNas.get(nasIp) ?? 0;
      if (used >= this.o.maxCoaPerNas) {
        deferred++;
        continue;
      }
      perNas.set(nasIp, used + 1);
      // Still the allocator? A round that outlived its lease must not go on writing (the epoch fences the ledger,
      // this spares the routers).
      if ((await this.deps.pool.allocatorLease(this.owner, this.o.leaseMs)) !== epoch) {
        this.deps.logger.warn({ epoch }, 'allocator lease lost during a round; stopping it');
        break;
      }
      const result = await this.deps.sessions.reRate(id, change.down, change.up, epoch);
      if (result.result === 'rerated' || result.result === 'disconnected' || result.result === 'gone') rerated++;
      else failed++;
    }
    if (changes.size > 0) {
      this.deps.logger.info({ epoch, sessions: active.length, rerated, failed, deferred, capDownKbps: capDown }, 'fair shares applied');
    }
    return { leader: true, epoch, sessions: active.length, rerated, failed, deferred };
  }
}
